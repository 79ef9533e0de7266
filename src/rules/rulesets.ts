/**
 * Named, versioned rule sets (`rulesets/<name>.yaml`). `--ruleset recommended` runs the newest
 * version; `--ruleset recommended@1` pins one, so a pipeline's gate does not change when a release
 * adds rules. Two names are built in: `all` (every built-in rule) and `none` (only --rules).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { glob } from '../folder-glob';
import { schemaValidator } from '../snapshot/validate';
import { parse } from 'yaml';
import { cmp } from '../diagnostics';
import { PACKAGE_ROOT } from '../paths';
import { didYouMean } from '../suggest';

export const RULESETS_DIR = path.join(PACKAGE_ROOT, 'rulesets');
export const DEFAULT_RULESET = 'recommended';

export interface Ruleset {
  name: string;
  description: string;
  versions: Map<number, string[]>;
}

/** What a --ruleset value selects among the built-in rules: `undefined` ids means all of them. */
export interface RulesetSelection {
  label: string;
  ids?: ReadonlySet<string>;
}

let cache: Promise<Ruleset[]> | undefined;

/** Every rule set shipped in rulesets/, validated against schemas/ruleset.schema.json. */
export function listRulesets(): Promise<Ruleset[]> {
  cache ??= (async () => {
    const validate = schemaValidator('schemas/ruleset.schema.json');
    const files = (await glob('*.yaml', { cwd: RULESETS_DIR, onlyFiles: true })).sort(cmp);
    const sets: Ruleset[] = [];
    for (const f of files) {
      const doc = parse(await readFile(path.join(RULESETS_DIR, f), 'utf8'), { maxAliasCount: 10 }) as {
        name: string;
        description: string;
        versions: Record<string, { rules: string[] }>;
      };
      // Shipped with the package: a broken set is a packaging bug, not user input.
      if (!validate(doc)) throw new Error(`rulesets/${f}: ${JSON.stringify(validate.errors)}`);
      const versions = new Map<number, string[]>();
      for (const [v, spec] of Object.entries(doc.versions)) versions.set(Number(v), spec.rules);
      sets.push({ name: doc.name, description: doc.description, versions });
    }
    return sets;
  })();
  return cache;
}

/** Resolves `name` or `name@version`; an error message when there is no such set or version. */
export async function selectRuleset(spec: string): Promise<RulesetSelection | string> {
  if (spec === 'all') return { label: 'all' };
  if (spec === 'none') return { label: 'none', ids: new Set() };
  const m = /^([a-z][a-z0-9-]*)(?:@([1-9][0-9]*))?$/.exec(spec);
  const sets = await listRulesets();
  const names = ['all', 'none', ...sets.map((s) => s.name)];
  if (!m) {
    const pinned = /^(.*)@([1-9][0-9]*)$/s.exec(spec);
    return `'${spec}' is not a rule set name${meant(pinned?.[1] ?? spec, pinned?.[2], sets)} (name or name@version; known: ${names.join(', ')})`;
  }
  if (m[1] === 'all' || m[1] === 'none') return `rule set '${m[1]}' has no versions: give '${m[1]}'`;
  const set = sets.find((s) => s.name === m[1]);
  if (!set) return `unknown rule set '${m[1]}'${meant(m[1], m[2], sets)} (known: ${names.join(', ')})`;
  const version = m[2] ? Number(m[2]) : Math.max(...set.versions.keys());
  const ids = set.versions.get(version);
  if (!ids) return `rule set '${set.name}' has no version ${version} (versions: ${[...set.versions.keys()].join(', ')})`;
  return { label: `${set.name}@${version}`, ids: new Set(ids) };
}

/**
 * The hint for a misspelt set, keeping the version asked for: `recomended@1` means `recommended@1`,
 * not the newest version a bare name would run, and only a set that has that version is named.
 */
function meant(name: string, version: string | undefined, sets: readonly Ruleset[]): string {
  if (version === undefined) return didYouMean(name, ['all', 'none', ...sets.map((s) => s.name)]);
  const pinnable = sets.filter((s) => s.versions.has(Number(version))).map((s) => s.name);
  return didYouMean(name, pinnable, (n) => `${n}@${version}`);
}
