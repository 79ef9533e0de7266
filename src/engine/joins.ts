/**
 * Hash indexes for joins, built once per (collection, filter, key) and shared by every rule and
 * record that asks for them, so a join costs one lookup per key instead of a scan.
 * Keys compare case-insensitively (ARM ids, GUIDs and MDE ids are all case-insensitive). A
 * `scope` join finds the records whose ARM id lies in the local scope in a sorted list of ids,
 * where a scope's contents are a contiguous range; a `within` join looks the local id's ancestor
 * scopes up among the records' scopes.
 */
import type { SnapshotRecord } from '../snapshot/types';
import { lowerCase } from '../snapshot/json-util';
import type { Resources } from './resources';
import { Bound, elements, resolvePath } from '../rules/path';
import { scopeKey } from '../rules/values';
import { cmp } from '../diagnostics';
import type { CompiledJoin, EvalContext, JoinKeyPair } from '../rules/types';

/** Index key of a scalar, or undefined for values that cannot be join keys. */
export function joinKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : lowerCase(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Lower-cased keys by their spelling, for the indexes of one run: an index keeps a key for each
 * record it holds, and the same ARM id keys several (a VM's id keys the VMs' scope index, and as
 * its device's serverId two more), so each is kept once. Lookups fold without it: their keys die young.
 */
class Folds {
  private readonly folded = new Map<string, string>();

  /** joinKey, with one copy per distinct spelling. */
  key(v: unknown): string | undefined {
    if (typeof v !== 'string' || v === '') return joinKey(v);
    let f = this.folded.get(v);
    if (f === undefined) {
      f = lowerCase(v);
      // A key already in lower case is its own copy.
      if (f !== v) this.folded.set(v, f);
    }
    return f;
  }

  /** scopeKey, with one copy per distinct spelling. */
  scope(v: string): string {
    return v === '' ? scopeKey(v) : scopeKey(v, this.key(v));
  }
}

/**
 * Positions of the records one key matches: one position (most keys: a device's id, a VM's vmId)
 * or an ascending list; a number per key instead of a list saves an array per key, a million of
 * them per index on a million devices.
 */
type KeyHits = number | readonly number[];

/**
 * Hit lists of one lookup, each list kept once however many local values led to it (thousands of
 * devices of one device group give one list). Most lookups find one list, which is used as it is.
 */
class Hits {
  private first: KeyHits | undefined;
  private more: KeyHits[] | undefined;
  private seen: Set<KeyHits> | undefined;

  /** Empty again, for the next lookup. */
  clear(): this {
    this.first = undefined;
    this.more = undefined;
    this.seen = undefined;
    return this;
  }

  add(hits: KeyHits | undefined): void {
    if (hits === undefined || hits === this.first) return;
    if (this.first === undefined) {
      this.first = hits;
      return;
    }
    this.more ??= [];
    // A short list of lists is searched; a long one gets a set, so many distinct keys stay linear.
    if (this.seen === undefined && this.more.length >= 8) this.seen = new Set(this.more);
    if (this.seen ? this.seen.has(hits) : this.more.includes(hits)) return;
    this.seen?.add(hits);
    this.more.push(hits);
  }

  /** Positions of every list, ascending and distinct. */
  positions(): readonly number[] {
    if (this.more === undefined) return this.first === undefined ? [] : typeof this.first === 'number' ? [this.first] : this.first;
    const lists = [this.first!, ...this.more];
    let n = 0;
    for (const l of lists) n += typeof l === 'number' ? 1 : l.length;
    const all = new Uint32Array(n);
    n = 0;
    for (const l of lists) {
      if (typeof l === 'number') {
        all[n++] = l;
      } else {
        all.set(l, n);
        n += l.length;
      }
    }
    return ascendingDistinct(all);
  }
}

/** Typed arrays sort numerically in native code, far faster than Array#sort with a comparator. */
function ascendingDistinct(positions: Uint32Array): number[] {
  positions.sort();
  const out: number[] = [];
  for (let i = 0; i < positions.length; i++) if (i === 0 || positions[i - 1] !== positions[i]) out.push(positions[i]);
  return out;
}

/** A join index: finds, for one value of the local side, the positions of the matching records. */
interface PositionIndex {
  /** Adds the positions (ascending, distinct) of the records `local` matches. */
  match(local: unknown, into: Hits): void;
}

/** Records by join key: `equals`, and `within` (records keyed by their own scope). */
class KeyIndex {
  private readonly map = new Map<string, number | number[]>();

  /** Positions are added in ascending order. */
  add(key: string, position: number): void {
    const hits = this.map.get(key);
    if (hits === undefined) this.map.set(key, position);
    else if (typeof hits === 'number') {
      if (hits !== position) this.map.set(key, [hits, position]);
    } else if (hits[hits.length - 1] !== position) hits.push(position);
  }

  get(key: string): KeyHits | undefined {
    return this.map.get(key);
  }
}

class EqualsIndex implements PositionIndex {
  readonly keys = new KeyIndex();

  match(local: unknown, into: Hits): void {
    const k = joinKey(local);
    if (k !== undefined) into.add(this.keys.get(k));
  }
}

/**
 * Records (role assignments, subscriptions) by the scope they hold; a local ARM id matches every
 * record whose scope is one of the id's ancestors. Only ancestors as deep as some indexed scope
 * are looked up, so a VM id costs one lookup against subscription scopes, not nine.
 */
class WithinIndex implements PositionIndex {
  readonly keys = new KeyIndex();
  /** Segment counts of the indexed scopes (0 for the root `/`). */
  private readonly depths = new Set<number>();

  add(scope: string, position: number): void {
    const key = scopeKey(scope);
    this.keys.add(key, position);
    this.depths.add(key === '/' ? 0 : key.split('/').length - 1);
  }

  match(local: unknown, into: Hits): void {
    if (typeof local !== 'string') return;
    const id = scopeKey(local);
    if (this.depths.has(0)) into.add(this.keys.get('/'));
    if (id === '/') return;
    let depth = 0;
    for (let i = 1; i <= id.length; i++) {
      if (i < id.length && id.charCodeAt(i) !== 0x2f) continue;
      depth++;
      if (this.depths.has(depth)) into.add(this.keys.get(id.slice(0, i)));
    }
  }
}

/** Does `a` sort before `b`, or (with `next` a character code) before `b` followed by that character? */
function below(a: string, b: string, next: number): boolean {
  if (next < 0) return a < b;
  // Past `b`, only the character after it decides; otherwise (`a` a prefix of `b`, or the two
  // differing within `b`) `b` alone does.
  if (a.length > b.length && a.startsWith(b)) return a.charCodeAt(b.length) < next;
  return a <= b;
}

/**
 * Records by ARM id, sorted, so the records in a local scope are found with binary searches
 * instead of filing every record under each of its ancestors (nine or more keys per VM id).
 */
class ScopeIndex implements PositionIndex {
  private readonly ids: string[];
  private readonly at: Uint32Array;

  constructor(entries: readonly { id: string; position: number }[]) {
    const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.position - b.position));
    this.ids = sorted.map((e) => e.id);
    this.at = Uint32Array.from(sorted, (e) => e.position);
  }

  /**
   * First index whose id is not below `id`, or, with `next`, not below `id` followed by that
   * character: the bounds of a scope's range, found without building the strings.
   */
  private lowerBound(id: string, next = -1): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(this.ids[mid], id, next)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  match(local: unknown, into: Hits): void {
    if (typeof local !== 'string') return;
    const scope = scopeKey(local);
    // The scope itself, then everything below it: ids starting with `scope/` sort before `scope0`.
    const ranges = scope === '/'
      ? [0, this.ids.length]
      : [this.lowerBound(scope), this.lowerBound(scope, 0), this.lowerBound(scope, 0x2f), this.lowerBound(scope, 0x30)];
    let n = 0;
    for (let r = 0; r < ranges.length; r += 2) n += ranges[r + 1] - ranges[r];
    if (n === 0) return;
    const found = new Uint32Array(n);
    n = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      found.set(this.at.subarray(ranges[r], ranges[r + 1]), n);
      n += ranges[r + 1] - ranges[r];
    }
    into.add(ascendingDistinct(found));
  }
}

/**
 * Which record each ambiguous join binds while one subject is checked. A join that binds one record
 * (not `many`) whose key matches several (a device's records that disagree, two records sharing its
 * id) is a choice point; the subject is checked once per combination of choices, met in the order
 * the joins run, each choice point taking its records in the order of their content, not of the
 * files. One key met twice in one check binds the same record both times.
 */
export class JoinChoices {
  /** The record picked at each choice point met so far, and how many each has. */
  private readonly picks: number[] = [];
  private readonly counts: number[] = [];
  /** Choice points met in this check, by join index and hit list. */
  private readonly met = new Map<string, number>();
  private picked = 0;

  /** Picks made so far: a binding made without one is the same in every combination, so it may be cached. */
  get consulted(): number {
    return this.picked;
  }

  /** The alternative (0 to count - 1) that the choice point `key` binds in this combination. */
  pick(key: string, count: number): number {
    this.picked++;
    let at = this.met.get(key);
    if (at === undefined) {
      at = this.met.size;
      this.met.set(key, at);
      if (at === this.picks.length) {
        this.picks.push(0);
        this.counts.push(count);
      }
    }
    return this.picks[at];
  }

  /**
   * Forgets every choice point: the next check is a new subject's first combination. Most subjects
   * meet none, and clearing a Map gives it a new table, so an empty one is left as it is.
   */
  reset(): void {
    if (this.met.size > 0) this.met.clear();
    if (this.picks.length > 0) {
      this.picks.length = 0;
      this.counts.length = 0;
    }
  }

  /** Moves on to the next combination; false once every one has been checked (and ready for the next subject). */
  advance(): boolean {
    if (this.met.size > 0) this.met.clear();
    while (this.picks.length > 0) {
      const last = this.picks.length - 1;
      if (++this.picks[last] < this.counts[last]) return true;
      this.picks.pop();
      this.counts.pop();
    }
    return false;
  }
}

const joinNames = new WeakMap<readonly CompiledJoin[], readonly string[]>();

/** The names a list of joins binds, in order, worked out once per list. */
export function namesOf(joins: readonly CompiledJoin[]): readonly string[] {
  let names = joinNames.get(joins);
  if (names === undefined) {
    names = joins.map((j) => j.name);
    joinNames.set(joins, names);
  }
  return names;
}

export class JoinIndexes {
  private readonly indexes = new Map<string, PositionIndex>();
  /** The same, by key pair: looked up once per joined record, so without building a string key. */
  private readonly byPair = new Map<JoinKeyPair, PositionIndex>();
  /** Records of each filtered collection, by CompiledJoin.indexKey. */
  private readonly filtered = new Map<string, SnapshotRecord[]>();
  /** Records of each collection before any filter. */
  private readonly unfiltered = new Map<string, SnapshotRecord[]>();
  /** Joins without keys: every record, bound once and shared by every subject. */
  private readonly everything = new Map<CompiledJoin, unknown[]>();
  /** Nested-join bindings of a joined record, computed once per join and record (by position). */
  private readonly nested = new Map<CompiledJoin, (Bound | undefined)[]>();
  /** Text of records that an ambiguous join matched, to order its alternatives by content. */
  private readonly contentOf = new WeakMap<SnapshotRecord, string>();
  private readonly folds = new Folds();
  private readonly hits = new Hits();

  constructor(
    private readonly resources: Resources,
    private readonly ctx: EvalContext,
  ) {}

  /** The collection's records that pass the join's filter: one per resource, each disagreeing record of one too. */
  private records(join: CompiledJoin): SnapshotRecord[] {
    let recs = this.filtered.get(join.indexKey);
    if (!recs) {
      const all = this.everyRecord(join.from);
      const where = join.where;
      recs = where ? all.filter((r) => where(new Bound(r.data, undefined), this.ctx)) : all;
      this.filtered.set(join.indexKey, recs);
    }
    return recs;
  }

  /** Every record joins may bind of a collection, listed once however many filters and keys index it. */
  private everyRecord(collection: string): SnapshotRecord[] {
    let all = this.unfiltered.get(collection);
    if (!all) {
      all = [];
      const { first, repeated } = this.resources.of(collection);
      for (let i = 0; i < first.length; i++) {
        const repeats = repeated.size > 0 ? repeated.get(i) : undefined;
        if (repeats === undefined) all.push(first[i]);
        else for (const record of repeats.records) all.push(record);
      }
      this.unfiltered.set(collection, all);
    }
    return all;
  }

  private index(join: CompiledJoin, pair: JoinKeyPair): PositionIndex {
    let idx = this.byPair.get(pair);
    if (idx) return idx;
    const id = `${join.indexKey}\u0000${pair.foreign.text}\u0000${pair.match}`;
    idx = this.indexes.get(id);
    if (!idx) {
      idx = this.build(this.records(join), pair);
      this.indexes.set(id, idx);
    }
    this.byPair.set(pair, idx);
    return idx;
  }

  private build(recs: readonly SnapshotRecord[], pair: JoinKeyPair): PositionIndex {
    const values = (i: number) => elements(resolvePath(pair.foreign, recs[i].data));
    if (pair.match === 'scope') {
      const entries: { id: string; position: number }[] = [];
      for (let i = 0; i < recs.length; i++) for (const v of values(i)) if (typeof v === 'string') entries.push({ id: this.folds.scope(v), position: i });
      return new ScopeIndex(entries);
    }
    if (pair.match === 'within') {
      const idx = new WithinIndex();
      for (let i = 0; i < recs.length; i++) for (const v of values(i)) if (typeof v === 'string') idx.add(v, i);
      return idx;
    }
    const idx = new EqualsIndex();
    for (let i = 0; i < recs.length; i++) {
      for (const v of values(i)) {
        const k = this.folds.key(v);
        if (k !== undefined) idx.keys.add(k, i);
      }
    }
    return idx;
  }

  /** Positions of the records that match, ascending and distinct. */
  private positions(join: CompiledJoin, scope: Bound): readonly number[] {
    // One for every lookup: what positions() gives does not refer to it.
    const hits = this.hits.clear();
    for (const pair of join.on) {
      const idx = this.index(join, pair);
      for (const v of elements(resolvePath(pair.local, scope))) idx.match(v, hits);
    }
    return hits.positions();
  }

  /**
   * The join's value for a record: a list (many), or its one match (or undefined). A key that
   * matches several records binds the one `choices` picks (see JoinChoices).
   */
  lookup(join: CompiledJoin, scope: Bound, ctx: EvalContext, choices = new JoinChoices()): unknown {
    const recs = this.records(join);
    if (join.on.length === 0) {
      ctx.budget.spend(recs.length);
      const cached = this.everything.get(join);
      if (cached) return cached;
      const before = choices.consulted;
      const all = recs.map((r, p) => this.bind(join, r, p, ctx, choices));
      if (choices.consulted === before) this.everything.set(join, all);
      return all;
    }
    const positions = this.positions(join, scope);
    ctx.budget.spend(positions.length);
    if (join.many) return positions.map((p) => this.bind(join, recs[p], p, ctx, choices));
    if (positions.length === 0) return undefined;
    if (positions.length === 1) return this.bind(join, recs[positions[0]], positions[0], ctx, choices);
    // A presentation join's key that matches records that disagree (a principal exported twice
    // under two names) names nothing: the first match would be whichever file sorts first.
    if (join.presentation) return undefined;
    const ordered = this.byContent(recs, positions);
    const p = ordered[choices.pick(`${join.indexKey}\u0000${positions.join(',')}`, ordered.length)];
    return this.bind(join, recs[p], p, ctx, choices);
  }

  /** Positions ordered by their records' content (then position), so no alternative's order depends on the files'. */
  private byContent(recs: readonly SnapshotRecord[], positions: readonly number[]): number[] {
    const text = (p: number) => {
      let t = this.contentOf.get(recs[p]);
      if (t === undefined) {
        t = JSON.stringify(recs[p].data);
        this.contentOf.set(recs[p], t);
      }
      return t;
    };
    return [...positions].sort((a, b) => cmp(text(a), text(b)) || a - b);
  }

  private bind(join: CompiledJoin, rec: SnapshotRecord, position: number, ctx: EvalContext, choices: JoinChoices): unknown {
    if (join.joins.length === 0) return rec.data;
    let cache = this.nested.get(join);
    if (!cache) {
      cache = new Array<Bound | undefined>(this.records(join).length);
      this.nested.set(join, cache);
    }
    let bound = cache[position];
    if (!bound) {
      const before = choices.consulted;
      bound = this.attach(join.joins, new Bound(rec.data, namesOf(join.joins)), ctx, choices);
      // Bindings that took a choice differ between combinations.
      if (choices.consulted === before) cache[position] = bound;
    }
    return bound;
  }

  /**
   * Drops the bindings of one rule's joins once the rule is done: no other rule shares its join
   * objects, and on a million devices they hold a binding per device. Indexes stay for other rules.
   */
  releaseBindings(): void {
    this.everything.clear();
    this.nested.clear();
  }

  /**
   * Evaluate joins in order into the scope's bindings (later joins may read earlier ones); the
   * scope's names start with the joins' (namesOf).
   */
  attach(joins: readonly CompiledJoin[], scope: Bound, ctx: EvalContext, choices = new JoinChoices()): Bound {
    for (const j of joins) scope.bindNext(this.lookup(j, scope, ctx, choices));
    return scope;
  }
}
