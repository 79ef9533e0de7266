/**
 * A small JSON syntax scanner, run only after `JSON.parse` has failed (or when a diagnostic needs a
 * line:column for a JSON pointer). `JSON.parse` in Node 20 often reports no position, and users need
 * one to fix a hand-edited or truncated export. Iterative (explicit stack), so deep nesting cannot
 * overflow the call stack.
 */
import { pointerSegment } from './json-util';

export interface JsonScanError {
  /** Character offset of the problem in the scanned text. */
  offset: number;
  message: string;
}

export interface JsonScanResult {
  error?: JsonScanError;
  /** Offset of the value at each wanted JSON pointer that was found. */
  offsets: Map<string, number>;
  /** Members whose key the object already had (JSON readers keep the last): pointer, and offset of the repeated key. */
  duplicates: { pointer: string; offset: number }[];
}

interface Frame {
  isArray: boolean;
  /** Current member key (object) or element index (array), as a pointer segment. */
  segment: string;
  index: number;
  /** Keys seen so far in this object, when duplicates are looked for. */
  keys?: Set<string>;
}

type State = 'value' | 'key' | 'after';

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);

/**
 * Scans `text` as one JSON document. Returns the first syntax error, if any, and the offsets of the
 * values at the `wanted` JSON pointers (RFC 6901; `''` is the root).
 */
export function scanJson(text: string, wanted: ReadonlySet<string> = new Set(), findDuplicates = false): JsonScanResult {
  const offsets = new Map<string, number>();
  const duplicates: { pointer: string; offset: number }[] = [];
  const stack: Frame[] = [];
  const len = text.length;
  let pos = 0;
  let state: State = 'value';

  const fail = (offset: number, message: string): JsonScanResult => ({ error: { offset, message }, offsets, duplicates });
  const skipWs = (): void => {
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const pointer = (): string => stack.map((f) => '/' + f.segment).join('');
  // A pointer names a value at one depth (its segment count): building the pointer only at those
  // depths keeps a scan of a deeply nested file linear instead of quadratic.
  const depths = new Set([...wanted].map((p) => (p.match(/\//g) ?? []).length));

  for (;;) {
    skipWs();
    if (state === 'value') {
      if (pos >= len) return fail(len, 'unexpected end of file');
      if (depths.has(stack.length)) {
        const p = pointer();
        if (wanted.has(p)) offsets.set(p, pos);
      }
      const c = text[pos];
      if (c === '{' || c === '[') {
        pos++;
        skipWs();
        const close = c === '{' ? '}' : ']';
        if (text[pos] === close) {
          pos++;
          state = 'after';
        } else if (c === '{') {
          stack.push({ isArray: false, segment: '', index: 0, ...(findDuplicates ? { keys: new Set<string>() } : {}) });
          state = 'key';
        } else {
          stack.push({ isArray: true, segment: '0', index: 0 });
          state = 'value';
        }
      } else if (c === '"') {
        const end = scanString(text, pos);
        if (typeof end !== 'number') return fail(end.offset, end.message);
        pos = end;
        state = 'after';
      } else if (c === '-' || (c >= '0' && c <= '9')) {
        const end = scanNumber(text, pos);
        if (end < 0) return fail(pos, 'invalid number');
        pos = end;
        state = 'after';
      } else if (c === 't' || c === 'f' || c === 'n') {
        const literal = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (text.startsWith(literal, pos)) pos += literal.length;
        else return fail(pos, `invalid literal: expected '${literal}'`);
        state = 'after';
      } else if (c === ']' || c === '}') {
        return fail(pos, `unexpected '${c}': expected a value (trailing comma?)`);
      } else {
        return fail(pos, `unexpected character ${describeChar(text, pos)}: expected a value`);
      }
    } else if (state === 'key') {
      if (pos >= len) return fail(len, 'unexpected end of file');
      if (text[pos] !== '"') {
        return fail(pos, `expected property name in double quotes, found ${describeChar(text, pos)}`);
      }
      const end = scanString(text, pos);
      if (typeof end !== 'number') return fail(end.offset, end.message);
      const key = JSON.parse(text.slice(pos, end)) as string;
      const keys = stack[stack.length - 1].keys;
      if (keys !== undefined) {
        if (keys.has(key)) duplicates.push({ pointer: `${pointer().slice(0, -stack[stack.length - 1].segment.length - 1)}/${pointerSegment(key)}`, offset: pos });
        keys.add(key);
      }
      pos = end;
      skipWs();
      if (pos >= len) return fail(len, 'unexpected end of file');
      if (text[pos] !== ':') return fail(pos, "expected ':' after property name");
      pos++;
      stack[stack.length - 1].segment = pointerSegment(key);
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (pos < len) return fail(pos, 'unexpected content after the JSON value');
        return { offsets, duplicates };
      }
      if (pos >= len) return fail(len, 'unexpected end of file');
      const c = text[pos];
      if (c === ',') {
        pos++;
        if (top.isArray) {
          top.index++;
          top.segment = String(top.index);
          state = 'value';
        } else {
          state = 'key';
        }
      } else if (c === (top.isArray ? ']' : '}')) {
        pos++;
        stack.pop();
      } else {
        return fail(pos, top.isArray ? "expected ',' or ']' after array element" : "expected ',' or '}' after property value");
      }
    }
  }
}

/** End offset (after the closing quote) of the string starting at `start`, or the error. */
function scanString(text: string, start: number): number | JsonScanError {
  let pos = start + 1;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 0x22) return pos + 1;
    if (c < 0x20) return { offset: pos, message: 'control character in string (unescaped newline or tab?)' };
    if (c === 0x5c) {
      const e = text[pos + 1];
      if (e === undefined) break;
      if (!ESCAPES.has(e)) return { offset: pos, message: 'invalid escape sequence in string' };
      if (e === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        return { offset: pos, message: 'invalid \\u escape in string' };
      }
      pos += e === 'u' ? 6 : 2;
    } else {
      pos++;
    }
  }
  return { offset: start, message: 'unterminated string: unexpected end of file' };
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** End offset of the number at `start`, or -1 when it is malformed. */
function scanNumber(text: string, start: number): number {
  NUMBER.lastIndex = start;
  if (!NUMBER.test(text)) return -1;
  const end = NUMBER.lastIndex;
  // `01`, `1.`, `1e` and the like: the regex stops early and a digit, dot or letter follows.
  return /[0-9.eE+\-a-zA-Z]/.test(text[end] ?? '') ? -1 : end;
}

function describeChar(text: string, pos: number): string {
  const c = text.codePointAt(pos) ?? 0;
  return c > 0x20 && c < 0x7f ? `'${String.fromCodePoint(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Members of `text` whose key their object already has, given `value`, what `JSON.parse` made of
 * it. A cheap check runs first: every key of the text is one own key of the parsed value unless a
 * key repeats, so counting both costs a fraction of the parse; only when they differ does the
 * scanner look for the repeats.
 */
export function duplicateKeys(text: string, value: unknown): { pointer: string; offset: number }[] {
  if (keysInText(text) === keysInValue(value)) return [];
  return scanJson(text, new Set(), true).duplicates;
}

/**
 * At least the number of object keys in valid JSON text, in one pass over its colons: a colon
 * whose last non-blank character before it is an unescaped quote ends a key, or is the first
 * character (after blanks) of a string. Every key's colon is counted, so the count is exactly the
 * keys when no string starts with a colon, and higher otherwise (the caller then looks closer).
 */
function keysInText(text: string): number {
  let keys = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    let quote = colon - 1;
    let c = text.charCodeAt(quote);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(--quote);
    if (c !== 0x22) continue;
    // Escaped by an odd run of backslashes, the quote is inside a string.
    let k = quote;
    while (text.charCodeAt(k - 1) === 0x5c) k--;
    if ((quote - k) % 2 === 0) keys++;
  }
  return keys;
}

/** Own keys of every object in a parsed JSON value (`JSON.parse` objects inherit no enumerable key). */
function keysInValue(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'object' && e !== null) stack.push(e);
      }
      continue;
    }
    for (const k in v) {
      keys++;
      const e = (v as Record<string, unknown>)[k];
      if (typeof e === 'object' && e !== null) stack.push(e);
    }
  }
  return keys;
}
