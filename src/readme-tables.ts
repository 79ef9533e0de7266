/**
 * The README's tables of built-in rules and of the exports they read, generated from the rules and
 * the export kinds table (`npm run generate`) so a newcomer who follows the README exports every
 * input of every rule. A test fails when README.md is stale.
 */
import * as path from 'node:path';
import { cmp } from './diagnostics';
import { ruleNeeds } from './engine/evaluate';
import { COLLECTIONS } from './lint';
import { BUILTIN_RULES_DIR } from './paths';
import { loadRules } from './rules/load';
import { listRulesets } from './rules/rulesets';
import { severityRank } from './report/model';
import { EXPORT_KINDS } from './snapshot/kinds';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** Each region of README.md that is generated, by the name in its `<!-- generated:name -->` marker. */
export async function readmeRegions(): Promise<Record<string, string>> {
  const { rules } = await loadRules([BUILTIN_RULES_DIR], { collections: COLLECTIONS, builtinDir: BUILTIN_RULES_DIR });
  const recommended = (await listRulesets()).find((s) => s.name === 'recommended');
  /** The first version of the recommended set that runs the rule (later versions keep it). */
  const since = (id: string): string => {
    const version = [...(recommended?.versions ?? [])].sort((a, b) => a[0] - b[0]).find(([, ids]) => ids.includes(id))?.[0];
    return version === undefined ? '`all`' : `@${version}`;
  };
  const sorted = [...rules].sort((a, b) => severityRank(b.meta.severity) - severityRank(a.meta.severity) || cmp(a.meta.id, b.meta.id));
  const ruleRows = sorted.map((r) => {
    const reads = ruleNeeds(r).filter((n) => !n.startsWith('snapshot.') && !n.startsWith('fact:'));
    return `| [\`${r.meta.id}\`](rules/${r.meta.id}.md) | ${r.meta.severity} | ${since(r.meta.id)} | ${cell(r.meta.title)} | ${reads.map((n) => `\`${n}\``).join(', ')} |`;
  });
  const readers = new Map<string, string[]>();
  for (const r of rules) for (const n of ruleNeeds(r)) readers.set(n, [...(readers.get(n) ?? []), r.meta.id]);
  const exportRows = EXPORT_KINDS.filter((k) => readers.has(k.id)).map(
    (k) => `| \`${k.id}\` | \`${cell(k.howToExport)}\` | ${readers.get(k.id)!.length} |`,
  );
  return {
    rules: ['| rule | severity | in | checks | exports it reads |', '| --- | --- | --- | --- | --- |', ...ruleRows].join('\n'),
    exports: ['| collection | produce it with | rules that read it |', '| --- | --- | --- |', ...exportRows].join('\n'),
  };
}

/** `text` with each `<!-- generated:name -->…<!-- /generated:name -->` region replaced by its content. */
export function withRegions(text: string, regions: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [name, content] of Object.entries(regions)) {
    const start = `<!-- generated:${name} (npm run generate) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} region`);
    out = `${out.slice(0, from + start.length)}\n${content}\n${out.slice(to)}`;
  }
  return out;
}

export const README = path.join(BUILTIN_RULES_DIR, '..', 'README.md');
