/**
 * Loads rule files: YAML with positions, validation against schemas/rule.schema.json, then
 * compilation. Every problem becomes a diagnostic at `file:line:col`; a rule with any error is
 * left out (and the run fails), never half-loaded.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import fg from 'fast-glob';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { readInput } from '../input-file';
import { decodeYaml, parseYaml, positionIn, validateYaml } from '../yaml-file';
import { compileRule } from './compile';
import { checkNames } from './references';
import type { CompiledRule } from './types';
import { compileSchema } from '../snapshot/validate';

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
  diagnostics: Diagnostic[];
}


/** A rule file to read; `named` when the path itself was given (a link may be followed), not found in a folder. */
interface RuleFile {
  abs: string;
  rel: string;
  named: boolean;
}

/** Rule files named by the arguments: files as given, folders searched for *.yaml / *.yml (links not followed). */
export async function findRuleFiles(inputs: string[], cwd = process.cwd()): Promise<{ files: RuleFile[]; diagnostics: Diagnostic[] }> {
  const files: RuleFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const displayPath = (abs: string) => path.relative(cwd, abs).split(path.sep).join('/');
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const st = await stat(abs).catch(() => undefined);
    if (!st) {
      diagnostics.push(diagnostic('error', 'rules-missing', `rule path does not exist: ${input}`, { file: input }));
    } else if (st.isDirectory()) {
      const found = await fg(['**/*.yaml', '**/*.yml'], { cwd: abs, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/*.tests/**', '**/node_modules/**'] });
      for (const f of found.sort(cmp)) files.push({ abs: path.join(abs, f), rel: displayPath(path.join(abs, f)), named: false });
    } else {
      files.push({ abs, rel: displayPath(abs), named: true });
    }
  }
  return { files, diagnostics };
}

export async function loadRuleFile(f: RuleFile, options: LoadRulesOptions): Promise<{ rule?: CompiledRule; diagnostics: Diagnostic[] }> {
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
  diagnostics.push(...validateYaml(yaml, compileSchema('schemas/rule.schema.json', 'document'), 'rule-schema'));
  if (diagnostics.length) return { diagnostics };
  const doc0 = yaml.data as Record<string, unknown>;
  const builtin = options.builtinDir !== undefined && !path.relative(options.builtinDir, abs).startsWith('..');
  const rule = compileRule(doc0, {
    file: rel,
    builtin,
    collections: options.collections,
    paramOverrides: options.parameters?.[String(doc0.id)],
    error: (at, message, offset) =>
      diagnostics.push(diagnostic('error', 'rule-invalid', message, { file: rel, position: positionIn(yaml, at, { offset }), ruleId: String(doc0.id) })),
  });
  if (!rule) return { diagnostics };
  // A name that reads nothing would make conditions fail or pass on absent data: the rule is refused.
  const names = checkNames(doc0);
  for (const w of names.problems) {
    const [severity, code] = w.warning ? (['warning', 'rule-join-unread'] as const) : (['error', 'rule-name-unknown'] as const);
    diagnostics.push(diagnostic(severity, code, w.message, { file: rel, position: positionIn(yaml, w.at, { offset: w.offset }), ruleId: rule.meta.id }));
  }
  return names.problems.some((w) => !w.warning) ? { diagnostics } : { rule: { ...rule, reads: names.reads }, diagnostics };
}

export async function loadRules(inputs: string[], options: LoadRulesOptions): Promise<LoadedRules> {
  const { files, diagnostics } = await findRuleFiles(inputs, options.cwd);
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const res = await loadRuleFile(f, options);
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
  return { rules, diagnostics };
}
