/**
 * Loads rule files: YAML with positions, validation against schemas/rule.schema.json, then
 * compilation. Every problem becomes a diagnostic at `file:line:col`; a rule with any error is
 * left out (and the run fails), never half-loaded.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import fg from 'fast-glob';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { cmp, diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { compileRule, suggest } from './compile';
import type { CompiledRule } from './types';
import type { YamlPath } from './conditions';
import { CONDITION_KEYS } from './schema';
import { SCHEMAS_DIR } from '../paths';

export const RULE_SCHEMA_FILE = path.join(SCHEMAS_DIR, 'rule.schema.json');
/** YAML aliases a rule file may use: enough for sharing a list, far too few for an alias bomb. */
const MAX_ALIASES = 50;
const MAX_RULE_FILE_BYTES = 1_000_000;

export interface LoadRulesOptions {
  collections: ReadonlySet<string>;
  /** Rules under this folder are marked built-in (selectable with rule sets). */
  builtinDir?: string;
  /** Per-rule parameter overrides, keyed by rule id. */
  parameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface LoadedRules {
  rules: CompiledRule[];
  diagnostics: Diagnostic[];
}

let validator: ValidateFunction | undefined;
async function ruleValidator(): Promise<ValidateFunction> {
  if (!validator) {
    const schema = JSON.parse(await readFile(RULE_SCHEMA_FILE, 'utf8'));
    validator = new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator;
}

/** Rule files named by the arguments: files as given, folders searched for *.yaml / *.yml. */
export async function findRuleFiles(inputs: string[]): Promise<{ files: { abs: string; rel: string }[]; diagnostics: Diagnostic[] }> {
  const files: { abs: string; rel: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    const abs = path.resolve(input);
    const st = await stat(abs).catch(() => undefined);
    if (!st) {
      diagnostics.push(diagnostic('error', 'rules-missing', `rule path does not exist: ${input}`, { file: input }));
    } else if (st.isDirectory()) {
      const found = await fg(['**/*.yaml', '**/*.yml'], { cwd: abs, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/*.tests/**', '**/node_modules/**'] });
      for (const f of found.sort(cmp)) files.push({ abs: path.join(abs, f), rel: displayPath(path.join(abs, f)) });
    } else {
      files.push({ abs, rel: displayPath(abs) });
    }
  }
  return { files, diagnostics };
}

/** A rule file as users see it: relative to the working directory, with `/`. */
function displayPath(abs: string): string {
  return path.relative(process.cwd(), abs).split(path.sep).join('/');
}

function nodeAt(doc: Document, at: YamlPath, wantKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < at.length; i++) {
    const seg = at[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return node as Node;
      if (wantKey && i === at.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) return node as Node;
      node = item;
    } else {
      return node as Node | undefined;
    }
  }
  return node as Node | undefined;
}

function positionOf(doc: Document, lines: LineCounter, at: YamlPath, wantKey = false, offset = 0): Position {
  const node = nodeAt(doc, at, wantKey);
  let start = node?.range?.[0] ?? 0;
  if (offset > 0 && isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    start += offset + (quoted ? 1 : 0);
  }
  const p = lines.linePos(start);
  return { line: p.line, column: p.col };
}

function instancePathToYaml(p: string): YamlPath {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

interface SchemaProblem {
  at: YamlPath;
  message: string;
  key: boolean;
}

function describe(e: ErrorObject): SchemaProblem {
  const at = instancePathToYaml(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const hint = suggest(name, known);
      return { at: [...at, name], key: true, message: `unknown property '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}` };
    }
    case 'required':
      return { at, key: false, message: `missing required property '${String(p.missingProperty)}'` };
    case 'enum':
      return { at, key: false, message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'pattern':
      return { at, key: false, message: `'${String(e.data)}' does not match ${String(p.pattern)}` };
    default:
      return { at, key: false, message: e.message ?? 'is not valid' };
  }
}

/**
 * One message per real problem. ajv reports a failed `anyOf` as one error per branch and a
 * misspelt key as both "unknown property" and "missing required property"; keep the cause.
 */
function explainSchemaErrors(errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  for (const [instancePath, list] of byPath) {
    const missingConditionKey = list.some((e) => e.keyword === 'required' && CONDITION_KEYS.includes(String((e.params as { missingProperty?: unknown }).missingProperty)));
    if (missingConditionKey && list.some((e) => e.keyword === 'anyOf')) {
      const keys = Object.keys((list[0].data as object) ?? {});
      const hints = keys.map((k) => [k, suggest(k, CONDITION_KEYS)] as const).filter(([k, h]) => h && h !== k);
      const hint = hints.length ? ` (did you mean '${hints[0][1]}' for '${hints[0][0]}'?)` : '';
      out.push({ at: instancePathToYaml(instancePath), key: false, message: `a condition needs one of: ${CONDITION_KEYS.join(', ')}${hint}` });
      continue;
    }
    // `if`/`then`/`anyOf` errors only echo errors reported deeper down.
    const relevant = list.filter((e) => !['anyOf', 'if', 'then'].includes(e.keyword));
    if (relevant.length === 0) continue;
    const unknown = relevant.filter((e) => e.keyword === 'additionalProperties');
    // A misspelt required key shows up twice; the unknown-property message names both spellings.
    const kept = unknown.length ? [...unknown, ...relevant.filter((e) => e.keyword !== 'additionalProperties' && e.keyword !== 'required')] : relevant;
    const seen = new Set<string>();
    for (const e of kept) {
      const problem = describe(e);
      const id = `${problem.at.join('/')}\u0000${problem.message}`;
      if (!seen.has(id)) out.push(problem);
      seen.add(id);
      if (e.keyword !== 'additionalProperties') break;
    }
  }
  return out;
}

export async function loadRuleFile(abs: string, rel: string, options: LoadRulesOptions): Promise<{ rule?: CompiledRule; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let text: string;
  try {
    const buf = await readFile(abs);
    if (buf.length > MAX_RULE_FILE_BYTES) {
      return { diagnostics: [diagnostic('error', 'rule-too-large', `rule file is larger than ${MAX_RULE_FILE_BYTES} bytes`, { file: rel })] };
    }
    text = buf.toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    return { diagnostics: [diagnostic('error', 'rule-unreadable', `cannot read rule file: ${(e as Error).message}`, { file: rel })] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  for (const err of doc.errors) {
    const p = lines.linePos(err.pos[0]);
    diagnostics.push(diagnostic('error', 'rule-yaml', err.message.split('\n')[0], { file: rel, position: { line: p.line, column: p.col } }));
  }
  if (diagnostics.length) return { diagnostics };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { diagnostics: [diagnostic('error', 'rule-yaml', (e as Error).message, { file: rel, position: { line: 1, column: 1 } })] };
  }
  const validate = await ruleValidator();
  if (!validate(data)) {
    for (const { at, message, key } of explainSchemaErrors(validate.errors ?? [])) {
      diagnostics.push(diagnostic('error', 'rule-schema', message, { file: rel, position: positionOf(doc, lines, at, key) }));
    }
    return { diagnostics };
  }
  const doc0 = data as Record<string, unknown>;
  const builtin = options.builtinDir !== undefined && !path.relative(options.builtinDir, abs).startsWith('..');
  const rule = compileRule(doc0, {
    file: rel,
    builtin,
    collections: options.collections,
    paramOverrides: options.parameters?.[String(doc0.id)],
    error: (at, message, offset) =>
      diagnostics.push(diagnostic('error', 'rule-invalid', message, { file: rel, position: positionOf(doc, lines, at, false, offset), ruleId: String(doc0.id) })),
  });
  return { rule, diagnostics };
}

export async function loadRules(inputs: string[], options: LoadRulesOptions): Promise<LoadedRules> {
  const { files, diagnostics } = await findRuleFiles(inputs);
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const res = await loadRuleFile(f.abs, f.rel, options);
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
