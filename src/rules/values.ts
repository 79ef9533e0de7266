/**
 * How operators compare values from exports that disagree on spelling. Strings compare
 * case-insensitively unless a condition asks otherwise: the sources spell the same enum
 * `Active`, `active` and `ACTIVE`, and ARM ids are case-insensitive by definition.
 */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A `{ $param: name }` reference to a parameter (a rule's, or a named condition's inside its body). */
export function isParamRef(v: unknown): v is { $param: string } {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.$param === 'string' && Object.hasOwn(v, '$param');
}

export function foldCase(s: string, caseSensitive: boolean): string {
  return caseSensitive ? s : s.toLowerCase();
}

/**
 * The one character whose lower case is longer than itself (İ, U+0130, to i̇), so strings of
 * different lengths can be equal lower-cased only if one holds it (test/operators.test.ts checks
 * every code point against this).
 */
const LENGTHENS_IN_LOWER_CASE = '\u0130';

/**
 * `a.toLowerCase() === b.toLowerCase()`, without making either copy when both are ASCII (enum
 * values, ids): a condition compares strings millions of times per run. Other strings are
 * lower-cased. Strings of different lengths (most pairs an `in` list compares) are told apart
 * without reading them, unless case mapping could change a length.
 */
export function sameIgnoringCase(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return (a.includes(LENGTHENS_IN_LOWER_CASE) || b.includes(LENGTHENS_IN_LOWER_CASE)) && a.toLowerCase() === b.toLowerCase();
  return asciiSameIgnoringCase(a, b, a.length) ?? a.toLowerCase() === b.toLowerCase();
}

/**
 * Are the first `length` characters of `a` and `b` the same, ASCII letters compared in either case?
 * Undefined once a character beyond ASCII is met: its case mapping is Unicode's, not this one.
 */
function asciiSameIgnoringCase(a: string, b: string, length: number): boolean | undefined {
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if ((x | y) >= 0x80) return undefined;
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** Equality of JSON values; strings case-insensitive unless `caseSensitive`. */
export function valuesEqual(a: unknown, b: unknown, caseSensitive: boolean): boolean {
  if (typeof a === 'string' && typeof b === 'string') return caseSensitive ? a === b : sameIgnoringCase(a, b);
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return a.trim() !== '' && Number(a) === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i], caseSensitive));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return valuesEqual(ka, kb, true) && ka.every((k) => valuesEqual(a[k], b[k], caseSensitive));
  }
  return false;
}

export { toTime } from '../time';

/** A number from a number or a numeric string; otherwise undefined. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * An ARM id or scope as an index key: lower-cased (ARM ids are case-insensitive), empty segments
 * and trailing slashes dropped, `/` for the root scope. `lower` is the id lower-cased, when the
 * caller has it.
 */
export function scopeKey(id: string, lower = id.toLowerCase()): string {
  // Exports almost always hold ids in this form already; only odd spellings are rebuilt.
  if (lower.startsWith('/') && !lower.endsWith('/') && !lower.includes('//')) return lower;
  return `/${lower.split('/').filter((p) => p !== '').join('/')}`;
}

/**
 * Is `id` the ARM scope `scope` or inside it? Compared by whole path segments, case-insensitively,
 * so `/subscriptions/a/resourceGroups/rg1` is not inside `/subscriptions/a/resourceGroups/rg`.
 * Everything is inside the root scope `/`.
 */
export function withinScope(id: string, scope: string): boolean {
  // Ids in the form exports write them are compared where they are: a group's members are
  // checked against its scope one by one, and two lower-cased copies per member are garbage.
  if (isPlainScope(scope) && isPlainScope(id)) {
    return scope === '/' || ((id.length === scope.length || (id.length > scope.length && id.charCodeAt(scope.length) === 0x2f)) && asciiSameIgnoringCase(id, scope, scope.length) === true);
  }
  const s = scopeKey(scope);
  const i = scopeKey(id);
  return s === '/' || i === s || i.startsWith(`${s}/`);
}

/** An ASCII ARM id that scopeKey would only lower-case: `/`, or a leading `/`, no empty segment, no trailing `/`. */
function isPlainScope(id: string): boolean {
  if (id === '/') return true;
  if (id.length < 2 || id.charCodeAt(0) !== 0x2f || id.charCodeAt(id.length - 1) === 0x2f) return false;
  for (let k = 1; k < id.length; k++) {
    const c = id.charCodeAt(k);
    if (c >= 0x80 || (c === 0x2f && id.charCodeAt(k - 1) === 0x2f)) return false;
  }
  return true;
}

/** Lists shorter than this are searched scope by scope; longer ones get a set of their scopes. */
const SCOPE_SET_FROM = 8;

/**
 * The scopes of a list as a set, built once per list. A let or a join's value is one list for
 * every record a rule checks (a principal's role scopes against each of a million devices), so an
 * id costs one lookup per ancestor, not a pass over the list. Lists are never changed once built.
 */
const scopeSets = new WeakMap<readonly unknown[], ReadonlySet<string>>();

/** Is `id` one of `scopes` or inside one of them (see withinScope)? Elements that are not strings are no scope. */
export function withinAnyScope(id: string, scopes: readonly unknown[]): boolean {
  if (scopes.length < SCOPE_SET_FROM) return scopes.some((s) => typeof s === 'string' && withinScope(id, s));
  let keys = scopeSets.get(scopes);
  if (keys === undefined) {
    const set = new Set<string>();
    for (const s of scopes) if (typeof s === 'string') set.add(scopeKey(s));
    scopeSets.set(scopes, set);
    keys = set;
  }
  if (keys.has('/')) return true;
  // The id's ancestors and itself are its prefixes that end at a segment boundary.
  const i = scopeKey(id);
  for (let end = 1; end <= i.length; end++) {
    if ((end === i.length || i.charCodeAt(end) === 0x2f) && keys.has(i.slice(0, end))) return true;
  }
  return false;
}

/** Short text of a value for messages. */
export function display(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(display).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
