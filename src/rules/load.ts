/**
 * Loads rule files: YAML with positions, validation against schemas/rule.schema.json, then
 * compilation. Every problem becomes a diagnostic at `file:line:col`; a rule with any error is
 * left out (and the run fails), never half-loaded.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { glob } from '../folder-glob';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { readInput } from '../input-file';
import { decodeYaml, parseYaml, positionIn, validateYaml } from '../yaml-file';
import { compileRule } from './compile';
import { expandRuleConditions } from './expand';
import { CONDITIONS_FILE, loadConditionLibrary, type ConditionLibrary, type NamedCondition } from './named-conditions';
import { BUILTIN_CONDITIONS_DIR } from '../paths';
import type { YamlPath } from './conditions';
import { isPlainObject } from './values';
import { checkNames } from './references';
import type { CompiledRule } from './types';
import { schemaValidator } from '../snapshot/validate';

export interface LoadRulesOptions {
  collections: ReadonlySet<string>;
  /** Rules under this folder are marked built-in (selectable with rule sets). */
  builtinDir?: string;
  /** Per-rule parameter overrides, keyed by rule id. */
  parameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Folder rule paths are resolved against and shown relative to (default: the working directory). */
  cwd?: string;
}

export interface LoadedRules {
  rules: CompiledRule[];
  /** Named conditions of the conditions files among the rule paths (not posture-lint's own) that have no errors. */
  conditions: NamedCondition[];
  diagnostics: Diagnostic[];
}


/**
 * A rule or conditions file to read; `named` when the path itself was given (a link may be
 * followed), not found in a folder.
 */
interface RuleFile {
  abs: string;
  rel: string;
  /** The path as the arguments spell it: the one given, or a folder given joined with the file's place in it. */
  given: string;
  named: boolean;
  /** `*.conditions.yaml`: named conditions for the rules, not a rule. */
  conditions: boolean;
}

/**
 * Rule files named by the arguments: files as given, folders searched for *.yaml / *.yml (links
 * not followed). Files named `*.conditions.yaml` hold named conditions, found the same way. A
 * folder with no YAML file is an error, as a path that does not exist is: it would run nothing,
 * and a gate would pass on rules it never had. A folder of conditions files alone is not: it is
 * how a team's shared conditions are given beside its rules.
 */
export async function findRuleFiles(inputs: string[], cwd = process.cwd()): Promise<{ files: RuleFile[]; diagnostics: Diagnostic[] }> {
  const files: RuleFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const displayPath = (abs: string) => path.relative(cwd, abs).split(path.sep).join('/');
  const file = (abs: string, given: string, named: boolean): RuleFile => ({ abs, rel: displayPath(abs), given, named, conditions: CONDITIONS_FILE.test(abs) });
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const st = await stat(abs).catch(() => undefined);
    if (!st) {
      diagnostics.push(diagnostic('error', 'rules-missing', `rule path does not exist: ${input}`, { file: input }));
    } else if (st.isDirectory()) {
      const found = (await glob(['**/*.yaml', '**/*.yml'], { cwd: abs, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/*.tests/**', '**/node_modules/**'] }))
        .sort(cmp)
        .map((f) => file(path.join(abs, f), path.join(input, f), false));
      if (found.length === 0) diagnostics.push(diagnostic('error', 'rules-empty', `no rule file (*.yaml) in ${input}`, { file: input }));
      files.push(...found);
    } else {
      files.push(file(abs, input, true));
    }
  }
  return { files, diagnostics };
}

/**
 * The named conditions rules may use: posture-lint's own, always (a rule named alone uses them
 * too), and those of the conditions files among the rule paths.
 */
async function conditionsFor(files: readonly RuleFile[], cwd?: string): Promise<{ library: ConditionLibrary; diagnostics: Diagnostic[] }> {
  const builtin = await findRuleFiles([BUILTIN_CONDITIONS_DIR], cwd);
  const own = new Set(builtin.files.map((f) => f.abs));
  return loadConditionLibrary([
    ...builtin.files.filter((f) => f.conditions).map((f) => ({ ...f, builtin: true })),
    // posture-lint's own file reached through a rule path (the built-in rules folder) is read once.
    ...files.filter((f) => f.conditions && !own.has(f.abs)).map((f) => ({ ...f, builtin: false })),
  ]);
}

export async function loadRuleFile(f: RuleFile, options: LoadRulesOptions, library: ConditionLibrary): Promise<{ rule?: CompiledRule; diagnostics: Diagnostic[] }> {
  const { abs, rel } = f;
  const diagnostics: Diagnostic[] = [];
  const read = await readInput(abs, 'rule', { followLinks: f.named });
  if ('problem' in read) {
    const code = read.problem.code === 'too-large' ? 'rule-too-large' : 'rule-unreadable';
    return { diagnostics: [diagnostic('error', code, `the rule file ${read.problem.message}`, { file: rel })] };
  }
  const buf = read.bytes;
  const decoded = decodeYaml(buf, rel, 'rule-yaml');
  if ('diagnostics' in decoded) return decoded;
  const parsed = parseYaml(decoded.text, rel, 'rule-yaml');
  const yaml = parsed.yaml;
  if (!yaml) return { diagnostics: parsed.diagnostics };
  // Named conditions in a file not named as a conditions file: the rule schema would only say `id` is missing.
  if (isPlainObject(yaml.data) && Object.hasOwn(yaml.data, 'conditions') && !Object.hasOwn(yaml.data, 'id')) {
    const name = path.basename(rel).replace(/\.ya?ml$/i, '');
    return { diagnostics: [diagnostic('error', 'rule-schema', `this file defines named conditions: name it ${name}.conditions.yaml, as posture-lint tells conditions files from rules by their name`, { file: rel, position: { line: 1, column: 1 } })] };
  }
  diagnostics.push(...validateYaml(yaml, schemaValidator('schemas/rule.schema.json'), 'rule-schema'));
  if (diagnostics.length) return { diagnostics };
  const written = yaml.data as Record<string, unknown>;
  const ruleId = String(written.id);
  const builtin = options.builtinDir !== undefined && !path.relative(options.builtinDir, abs).startsWith('..');
  // Named conditions are written out first: compiling, checking names (so the projection) and
  // evaluating all see them. A problem inside one is shown at the reference, naming the condition.
  const expansion = expandRuleConditions(written, library);
  const problem = (severity: 'error' | 'warning', code: string, at: YamlPath, message: string, offset?: number) => {
    const where = expansion.locate(at);
    const exact = where.note === '';
    diagnostics.push(diagnostic(severity, code, `${message}${where.note}`, { file: rel, position: positionIn(yaml, where.at, { offset: exact ? offset : undefined }), ruleId }));
  };
  for (const p of expansion.problems) problem('error', 'rule-invalid', p.at, p.message);
  const doc0 = expansion.doc;
  const rule = compileRule(doc0, {
    file: rel,
    builtin,
    collections: options.collections,
    paramOverrides: options.parameters?.[ruleId],
    conditions: library,
    forwarded: expansion.forwarded,
    error: (at, message, offset) => problem('error', 'rule-invalid', at, message, offset),
  });
  if (!rule || expansion.problems.length > 0) return { diagnostics };
  // A name that reads nothing would make conditions fail or pass on absent data: the rule is refused.
  const listParameters = new Set(Object.entries(rule.parameters).filter(([, d]) => d.type === 'list').map(([name]) => name));
  const names = checkNames(doc0, listParameters);
  for (const w of names.problems) {
    const [severity, code] = w.warning ? (['warning', 'rule-join-unread'] as const) : (['error', w.code ?? 'rule-name-unknown'] as const);
    problem(severity, code, w.at, w.message, w.offset);
  }
  if (names.problems.some((w) => !w.warning)) return { diagnostics };
  const conditions = expansion.used.map((c) => ({ name: c.name, description: c.description, file: c.file, builtin: c.builtin }));
  return { rule: { ...rule, reads: names.reads, ...(conditions.length > 0 ? { conditions } : {}) }, diagnostics };
}

export async function loadRules(inputs: string[], options: LoadRulesOptions): Promise<LoadedRules> {
  const { files, diagnostics } = await findRuleFiles(inputs, options.cwd);
  const { library, diagnostics: libraryProblems } = await conditionsFor(files, options.cwd);
  diagnostics.push(...libraryProblems);
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    if (f.conditions) continue;
    const res = await loadRuleFile(f, options, library);
    diagnostics.push(...res.diagnostics);
    if (!res.rule) continue;
    const prior = seen.get(res.rule.meta.id);
    if (prior) {
      diagnostics.push(diagnostic('error', 'rule-duplicate-id', `rule id '${res.rule.meta.id}' is also defined in ${prior}`, { file: f.rel, position: { line: 1, column: 1 }, ruleId: res.rule.meta.id }));
      continue;
    }
    seen.set(res.rule.meta.id, f.rel);
    rules.push(res.rule);
  }
  rules.sort((a, b) => cmp(a.meta.id, b.meta.id));
  const conditions = [...library.values()].filter((c) => !c.builtin && !c.broken);
  return { rules, conditions, diagnostics };
}
