/**
 * YAML documents posture-lint reads from users (rules, the snapshot manifest, the config), parsed
 * with positions so every problem can be reported at `file:line:col`. Untrusted: duplicate keys
 * are errors, aliases are capped, so an alias bomb cannot exhaust memory, and nesting is capped,
 * so validation (recursive, as ajv is) cannot overflow the stack.
 */
import type { SchemaValidator } from './snapshot/validate';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { diagnostic, positionAt, type Diagnostic, type Position } from './diagnostics';
import { schemaProblems } from './schema-errors';
import { decodeText, encodingErrorPosition, encodingProblem } from './decode';
import { readInput, type InputKind } from './input-file';

/** Aliases a document may use: enough to share a list, far too few for an alias bomb. */
export const MAX_ALIASES = 50;

/** Levels of maps and lists a document may nest: rules nest conditions at most 32 deep (two levels each). */
export const MAX_DEPTH = 128;

export interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: unknown;
}

/**
 * A YAML file's bytes as text, by the one decoder exports use: UTF-8 with or without a byte order
 * mark, UTF-16 with one (Windows PowerShell `Out-File`). A byte that is not part of a character,
 * or a NUL, is an error at its line and column, never replaced: a U+FFFD in a rule's value matches
 * nothing.
 */
export function decodeYaml(bytes: Uint8Array, file: string, code: string): { text: string } | { diagnostics: Diagnostic[] } {
  const decoded = decodeText(bytes);
  if ('error' in decoded) {
    const position = encodingErrorPosition(bytes);
    return { diagnostics: [diagnostic('error', code, decoded.error, { file, ...(position ? { position } : {}) })] };
  }
  // NUL is valid UTF-8 but never YAML: UTF-16 without a byte order mark decodes to it, and would
  // otherwise parse as one odd string ("must be object").
  const nul = decoded.text.indexOf('\u0000');
  if (nul >= 0) return { diagnostics: [diagnostic('error', code, encodingProblem(bytes.subarray(0, 2)), { file, position: positionAt(decoded.text, nul) })] };
  return decoded;
}

/** Parse; syntax errors come back as diagnostics with `code`, and no document. */
export function parseYaml(text: string, file: string, code: string): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    return {
      diagnostics: doc.errors.map((err) => {
        const p = lines.linePos(err.pos[0]);
        // The parser gives up on extreme nesting with the engine's words; say what they mean.
        const message = err.message.includes('call stack') ? `the document nests deeper than ${MAX_DEPTH} levels` : err.message.split('\n')[0];
        return diagnostic('error', code, message, { file, position: { line: p.line, column: p.col } });
      }),
    };
  }
  const deep = tooDeep(doc);
  if (deep !== undefined) {
    const p = lines.linePos(deep.range?.[0] ?? 0);
    return { diagnostics: [diagnostic('error', code, `the document nests deeper than ${MAX_DEPTH} levels`, { file, position: { line: p.line, column: p.col } })] };
  }
  try {
    return { yaml: { file, doc, lines, data: doc.toJS({ maxAliasCount: MAX_ALIASES }) }, diagnostics: [] };
  } catch (e) {
    return { diagnostics: [diagnostic('error', code, (e as Error).message, { file, position: { line: 1, column: 1 } })] };
  }
}

/** The first node nested deeper than MAX_DEPTH, found without recursion. */
function tooDeep(doc: Document): Node | undefined {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > MAX_DEPTH) return node as Node;
    if (isMap(node)) for (const pair of node.items) stack.push([pair.value, depth + 1]);
    else if (isSeq(node)) for (const item of node.items) stack.push([item, depth + 1]);
  }
  return undefined;
}

function nodeAt(doc: Document, at: readonly (string | number)[], wantKey: boolean): Node | undefined {
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

/**
 * Position of the node at `at` (the key itself with `key`), or of the nearest existing parent.
 * `offset` moves into a scalar's text, past its opening quote (for template placeholders).
 */
export function positionIn(yaml: YamlFile, at: readonly (string | number)[], opts: { key?: boolean; offset?: number } = {}): Position {
  const node = nodeAt(yaml.doc, at, opts.key === true);
  let start = node?.range?.[0] ?? 0;
  if (opts.offset && isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    start += opts.offset + (quoted ? 1 : 0);
  }
  const p = yaml.lines.linePos(start);
  return { line: p.line, column: p.col };
}

/** Validate the document; one positioned diagnostic per real problem. */
export function validateYaml(yaml: YamlFile, validate: SchemaValidator, code: string, extra: Partial<Diagnostic> = {}): Diagnostic[] {
  return invalidParts(yaml, validate, code, extra).map((p) => p.diagnostic);
}

/** Each problem's diagnostic with the path of the value (or key) it is about. */
function invalidParts(yaml: YamlFile, validate: SchemaValidator, code: string, extra: Partial<Diagnostic> = {}): { path: (string | number)[]; diagnostic: Diagnostic }[] {
  if (validate(yaml.data)) return [];
  return schemaProblems(validate.errors ?? []).map((p) => {
    const where = p.path.length && !p.key ? `${p.path.join('.')}: ` : '';
    return { path: p.path, diagnostic: diagnostic('error', code, `${where}${p.message}`, { ...extra, file: yaml.file, position: positionIn(yaml, p.path, { key: p.key }) }) };
  });
}

/**
 * Reads (by the one reader for untrusted files), parses and validates a YAML document users write
 * (config, manifest, waivers). With `optional`, a missing file is no document rather than an error;
 * an empty file is `{}`. A document with schema problems comes back only with `partial`, together
 * with the paths of the invalid values (`invalid`), for a caller that can use the rest and must skip
 * those. A link is followed only with `followLinks` (a path named on the command line).
 */
export async function readYamlDocument(
  abs: string,
  file: string,
  opts: { code: string; what: string; kind: InputKind; validate: () => SchemaValidator; optional?: boolean; partial?: boolean; followLinks?: boolean },
): Promise<{ yaml?: YamlFile; diagnostics: Diagnostic[]; invalid?: (string | number)[][] }> {
  const read = await readInput(abs, opts.kind, { followLinks: opts.followLinks });
  if ('problem' in read) {
    if (opts.optional && read.problem.code === 'missing') return { diagnostics: [] };
    return { diagnostics: [diagnostic('error', opts.code, `the ${opts.what} ${read.problem.message}`, { file })] };
  }
  const bytes = read.bytes;
  const decoded = decodeYaml(bytes, file, opts.code);
  if ('diagnostics' in decoded) return decoded;
  const parsed = parseYaml(decoded.text, file, opts.code);
  const yaml = parsed.yaml;
  if (!yaml) return { diagnostics: parsed.diagnostics };
  if (yaml.data === null || yaml.data === undefined) yaml.data = {};
  const validate = opts.validate();
  const problems = invalidParts(yaml, validate, opts.code);
  const diagnostics = problems.map((p) => p.diagnostic);
  if (problems.length === 0) return { yaml, diagnostics };
  const known = Object.keys((validate.schema as { properties?: object }).properties ?? {});
  const data = yaml.data;
  if (typeof data !== 'object' || Array.isArray(data) || !Object.keys(data as object).some((k) => known.includes(k))) {
    // Not the file it claims to be (a key, an env file, another tool's settings): the schema's words
    // would quote its keys and values, so one message says what it lacks and quotes nothing.
    const what = `the ${opts.what} is not a posture-lint ${opts.what}: it has none of the keys ${known.join(', ')}`;
    return { diagnostics: [diagnostic('error', opts.code, what, { file, position: { line: 1, column: 1 } })] };
  }
  return opts.partial ? { yaml, diagnostics, invalid: problems.map((p) => p.path) } : { diagnostics };
}
