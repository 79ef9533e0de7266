/**
 * Field paths: how a rule names a value inside a record, a joined record, or a bound element.
 *
 * Syntax: dotted names (`properties.vmId`), bracketed quoted names for keys that hold dots or
 * spaces (`['@odata.type']`), and array indexes (`ipAddresses[0]`). Passing a name through an
 * array maps over its elements and flattens, so `vms.properties.vmId` is every joined VM's id.
 * A path that starts with `$` is JSONPath, run by jsonpath-plus with script evaluation off.
 *
 * Paths are parsed once when a rule loads; evaluation only walks the parsed segments and reads own
 * properties, so a record's `__proto__` or `constructor` key is data, never the prototype.
 */
import { JSONPath } from 'jsonpath-plus';
import type { StepBudget } from './types';

/** `anyCase`: the key is matched case-insensitively when no key has its exact spelling (tag names). */
export type Segment = { name: string; anyCase?: true } | { index: number };

/**
 * Fields whose keys ARM treats case-insensitively: a tag is one tag whatever the case it was
 * written in (`tags.env` reads `Env`), so a rule must not miss it for the spelling.
 */
const CASE_INSENSITIVE_KEYS_OF = new Set(['tags']);

export interface ParsedPath {
  text: string;
  segments: Segment[];
  /** The segments as evaluation walks them, all of one shape (see Step). */
  steps: Step[];
  /** Set for JSONPath expressions (`$...`). */
  jsonPath?: string;
  /** The JSONPath descends (`..`): its reads are charged per value below (see chargeDescent). */
  descends?: boolean;
}

/**
 * A segment in one shape for every kind, so the walk reads fields rather than testing which
 * kind each segment is, millions of times: `index` is -1 for a name; for an index, `name` is
 * the key it reads on an object.
 */
interface Step {
  name: string;
  index: number;
  /** The name is matched in any case when no key has its exact spelling (tag names). */
  anyCase: boolean;
  /**
   * Every object inherits a property of this name (`constructor`, `__proto__`, `toString`): a value
   * read by it is the record's only if it is its own. Other names are read in one lookup.
   */
  inherited: boolean;
}

function stepsOf(segments: readonly Segment[]): Step[] {
  return segments.map((s) => {
    const name = 'name' in s ? s.name : String(s.index);
    return { name, index: 'name' in s ? -1 : s.index, anyCase: 'name' in s && s.anyCase === true, inherited: name in Object.prototype };
  });
}

/** What Bound.find returns for a name bound nowhere in the chain. */
const UNBOUND: unique symbol = Symbol('unbound');
/** A name bound by `bindDeferred` whose value is not worked out yet. */
const DEFERRED: unique symbol = Symbol('deferred');

/** Works out the value of the name at `position` of a scope's names, in that scope (see Bound.bindDeferred). */
export type DeferredValue = (scope: Bound, position: number) => unknown;

/**
 * What a path walks through: a record (or element) together with the names bound next to it
 * (joins, `let` lists, quantifier variables). Bound names shadow the record's own fields.
 * A record's joins and lets are bound one after another, in the order the rule declares them, each
 * seeing only those before it: their names are the rule's, given once, and their values a list
 * the size of it, not a Map per record (a million devices, each checked by several rules). A
 * quantifier binds one name per element, millions of times on a large snapshot, so that single
 * binding is held in two fields.
 *
 * A scope is reused rather than made again where nothing keeps it once its check is done: one per
 * rule for the records it checks (`reuse`), one per quantifier or selection for its elements
 * (`rebind`). Values read from a scope are its data's and its bindings', never the scope itself, and
 * a failed record's scope is rendered into its finding before the next record is checked.
 */
export class Bound {
  /** Values of the first `size` of `names`, the ones bound so far. */
  private readonly values: unknown[] | undefined;
  private size = 0;
  /** What works out the names bound by bindDeferred. */
  private deferred: DeferredValue | undefined;

  constructor(
    /** The record (or an element's enclosing record) the scope's paths start from; `reuse` changes it. */
    public data: unknown,
    /** The names this scope will bind, in order (see bindNext). */
    private readonly names: readonly string[] | undefined,
    readonly parent?: Bound,
    private readonly name?: string,
    private value?: unknown,
  ) {
    this.values = names !== undefined && names.length > 0 ? new Array<unknown>(names.length) : undefined;
  }

  /** `name` bound to `value` inside `scope`, which stays visible. */
  static element(scope: Bound, name: string, value: unknown): Bound {
    return new Bound(scope.data, undefined, scope, name, value);
  }

  /** This element scope with its name bound to the next element. */
  rebind(value: unknown): this {
    this.value = value;
    return this;
  }

  /** This scope for another record, nothing bound yet. */
  reuse(record: unknown): this {
    this.data = record;
    this.size = 0;
    return this;
  }

  /** Binds the next of this scope's names to `value`; the names bound before it are visible to what computes it. */
  bindNext(value: unknown): void {
    this.values![this.size++] = value;
  }

  /** How names bound by bindDeferred get their values: set once, for every record the scope is reused for. */
  deferWith(compute: DeferredValue): this {
    this.deferred = compute;
    return this;
  }

  /**
   * Binds the next name to a value worked out when a path first reads it (a let that only a
   * message reads is worked out only for the records that fail), seeing only the names bound
   * before it, as if bound then. Nothing it reads changes while a record is checked.
   */
  bindDeferred(): void {
    this.values![this.size++] = DEFERRED;
  }

  /** The value bound to `name` here or in an enclosing scope, or UNBOUND. */
  find(name: string): unknown {
    for (let b: Bound | undefined = this; b; b = b.parent) {
      if (b.name === name) return b.value;
      for (let k = b.size - 1; k >= 0; k--) {
        if (b.names![k] !== name) continue;
        const v = b.values![k];
        return v === DEFERRED ? b.settle(k) : v;
      }
    }
    return UNBOUND;
  }

  /** Works out the deferred value at `position`, with the names after it hidden meanwhile. */
  private settle(position: number): unknown {
    const size = this.size;
    this.size = position;
    let v: unknown;
    try {
      v = this.deferred!(this, position);
    } finally {
      this.size = size;
    }
    this.values![position] = v;
    return v;
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Parse a path; returns an error message instead of throwing. */
export function parsePath(text: string): ParsedPath | string {
  if (typeof text !== 'string' || text.length === 0) return 'a field path must be a non-empty string';
  if (text.length > 500) return 'a field path may be at most 500 characters';
  if (text.startsWith('$')) return parseJsonPath(text);
  const segments: Segment[] = [];
  let i = 0;
  let expectName = true;
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) return `unclosed '[' at character ${i + 1} of '${text}'`;
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) segments.push(nameSegment(inner.slice(1, -1), segments));
      else return `'[${inner}]' in '${text}' must be an index like [0] or a quoted name like ['@odata.type']`;
      i = close + 1;
      expectName = false;
      continue;
    }
    if (c === '.') {
      if (expectName) return `empty name at character ${i + 1} of '${text}'`;
      i++;
      expectName = true;
      continue;
    }
    if (!expectName) return `expected '.' or '[' at character ${i + 1} of '${text}'`;
    let end = i;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
    const name = text.slice(i, end);
    segments.push(/^\d+$/.test(name) ? { index: Number(name) } : nameSegment(name, segments));
    i = end;
    expectName = false;
  }
  if (expectName) return `'${text}' ends with '.'`;
  return { text, segments, steps: stepsOf(segments) };
}

/** A name segment, matched in any case when it names a key of `tags`. */
function nameSegment(name: string, before: readonly Segment[]): Segment {
  const previous = before[before.length - 1];
  return previous !== undefined && 'name' in previous && CASE_INSENSITIVE_KEYS_OF.has(previous.name) ? { name, anyCase: true } : { name };
}

function parseJsonPath(text: string): ParsedPath | string {
  // Filter and script expressions are code in jsonpath-plus; rules are data, so refuse them at load.
  if (/\?\s*\(|\(\s*@|\(\s*\$|@\.|`/.test(text) || /[()]/.test(text)) {
    return `JSONPath '${text}' uses a filter or script expression; rules may only use plain JSONPath selectors ($, ., .., *, [n], ['name'])`;
  }
  let names: string[];
  try {
    names = JSONPath.toPathArray(text);
  } catch (e) {
    return `JSONPath '${text}' does not parse: ${(e as Error).message}`;
  }
  if (names.some((n) => n.startsWith('?'))) return `JSONPath '${text}' uses a filter expression; rules may only use plain JSONPath selectors ($, ., .., *, [n], ['name'])`;
  // jsonpath-plus reads a name starting with @ as a type selector (@string, @path, …) and throws
  // on records that lack it, so the run would crash; a field path reads such keys as names.
  const typed = names.find((n) => n.startsWith('@'));
  if (typed !== undefined) {
    return `JSONPath '${text}': '${typed}' is a JSONPath type selector, not a name; read the key with a field path such as ['${typed}']`;
  }
  return { text, segments: [], steps: [], jsonPath: text, descends: text.includes('..') };
}

/** The first name of a path, which may refer to a bound name (join, let, quantifier variable). */
export function headName(path: ParsedPath): string | undefined {
  const first = path.segments[0];
  return first && 'name' in first ? first.name : undefined;
}

function step(value: unknown, seg: Step): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (value instanceof Bound) {
    if (seg.index < 0) {
      const bound = value.find(seg.name);
      if (bound !== UNBOUND) return bound;
    }
    return step(value.data, seg);
  }
  if (Array.isArray(value)) {
    if (seg.index >= 0) return value[seg.index];
    const out: unknown[] = [];
    for (const el of value) {
      const v = step(el, seg);
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) out.push(x);
      else out.push(v);
    }
    return out;
  }
  const found = (value as Record<string, unknown>)[seg.name];
  if (found !== undefined && (!seg.inherited || hasOwn(value, seg.name))) return found;
  return seg.anyCase ? anyCaseKey(value as Record<string, unknown>, seg.name) : undefined;
}

/** The value of the one key equal to `key` but for case (the first in code-point order if there were several). */
function anyCaseKey(value: Record<string, unknown>, key: string): unknown {
  const lower = key.toLowerCase();
  let found: string | undefined;
  for (const k of Object.keys(value)) if (k.toLowerCase() === lower && (found === undefined || k < found)) found = k;
  return found === undefined ? undefined : value[found];
}

/** Lists at least this long keep their plain form (see plainLists). */
const PLAIN_CACHED_FROM = 16;
/**
 * The plain form of long lists, made once: a let or a join's list read as an operand (`in`,
 * `withinScope`) for every record a rule checks would otherwise be searched for bindings each time.
 * Lists are never changed once built.
 */
const plainLists = new WeakMap<readonly unknown[], unknown[]>();

/** Strip binding wrappers so operators and templates see plain JSON values. */
export function plain(value: unknown): unknown {
  if (value instanceof Bound) return plain(value.data);
  if (!Array.isArray(value)) return value;
  if (value.length < PLAIN_CACHED_FROM) return holdsBindings(value) ? value.map(plain) : value;
  let out = plainLists.get(value);
  if (out === undefined) {
    out = holdsBindings(value) ? value.map(plain) : value;
    plainLists.set(value, out);
  }
  return out;
}

function holdsBindings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] instanceof Bound) return true;
  return false;
}

/** Values counted before their steps are charged at once, so a budget that runs out stops the count early. */
const CHARGE_EVERY = 4096;
/**
 * Steps per value a `..` descent visits, and per match a JSONPath returns: jsonpath-plus takes
 * about 3 µs per value it descends through and as much again per match it builds, where a step
 * (an element a quantifier visits) takes well under 0.1 µs.
 */
export const DESCENT_STEPS_PER_VALUE = 25;
export const JSONPATH_STEPS_PER_MATCH = 25;

/**
 * Charges the values below `json` before a `..` descent visits them: inside a
 * quantifier over a whole collection (`$..*` in an aggregate rule) that is every record once per
 * element, which the budget must stop. Iterative, so deep data costs no stack here.
 */
function chargeDescent(json: object, budget: StepBudget): void {
  const stack: unknown[] = [json];
  let steps = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (++steps === CHARGE_EVERY) {
      budget.spend(steps * DESCENT_STEPS_PER_VALUE);
      steps = 0;
    }
    if (Array.isArray(value)) for (const v of value) stack.push(v);
    else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) stack.push((value as Record<string, unknown>)[k]);
  }
  budget.spend(steps * DESCENT_STEPS_PER_VALUE);
}

/**
 * Resolve a parsed path against a value. Absent values are `undefined`. With a budget (during a
 * rule's evaluation), a JSONPath is charged per match, and a `..` descent per value below.
 */
export function resolvePath(path: ParsedPath, root: unknown, budget?: StepBudget): unknown {
  if (path.jsonPath !== undefined) {
    const json = plain(root);
    if (json === null || typeof json !== 'object') return undefined;
    if (budget !== undefined && path.descends === true) chargeDescent(json, budget);
    const matches = JSONPath({ path: path.jsonPath, json: json as object, eval: false, wrap: true }) as unknown[];
    budget?.spend(matches.length * JSONPATH_STEPS_PER_MATCH);
    // Nothing matched is an absent value, as for a field path: `exists: true` must not pass on it.
    return matches.length === 0 ? undefined : matches;
  }
  return plain(walk(path.steps, root));
}

/** Like resolvePath, but keeps bindings so nested joins stay reachable (for quantifiers and lets). */
export function resolveBound(path: ParsedPath, root: unknown, budget?: StepBudget): unknown {
  if (path.jsonPath !== undefined) return resolvePath(path, root, budget);
  return walk(path.steps, root);
}

/** A field path's steps from `root`, bindings kept; undefined as soon as one finds nothing. */
function walk(steps: readonly Step[], root: unknown): unknown {
  let v: unknown = root;
  for (let i = 0; i < steps.length; i++) {
    v = step(v, steps[i]);
    if (v === undefined) return undefined;
  }
  return v;
}

/** A value as a list of elements: arrays as they are, absent as empty, anything else as one element. */
export function elements(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
