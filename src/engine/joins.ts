/**
 * Hash indexes for joins, built once per (collection, filter, key) and shared by every rule and
 * record that asks for them, so a join costs one lookup per key instead of a scan.
 * Keys compare case-insensitively (ARM ids, GUIDs and MDE ids are all case-insensitive); a
 * `scope` key indexes a record under every ancestor scope of its ARM id; a `within` key looks a
 * record up under every ancestor scope of the local id.
 */
import type { Collection, SnapshotRecord } from '../snapshot/types';
import { Bound, elements, resolvePath, type ParsedPath } from '../rules/path';
import { scopeKey, scopesOf } from '../rules/values';
import type { CompiledJoin, EvalContext, JoinKeyPair } from '../rules/types';

const EMPTY: ReadonlyMap<string, unknown> = new Map();

/** Index key of a scalar, or undefined for values that cannot be join keys. */
export function joinKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v.toLowerCase();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

class KeyIndex {
  private readonly map = new Map<string, number[]>();

  add(key: string, position: number): void {
    const list = this.map.get(key);
    if (!list) this.map.set(key, [position]);
    else if (list[list.length - 1] !== position) list.push(position);
  }

  get(key: string): readonly number[] | undefined {
    return this.map.get(key);
  }
}

export class JoinIndexes {
  private readonly indexes = new Map<string, KeyIndex>();
  /** Records of each filtered collection, by CompiledJoin.indexKey. */
  private readonly filtered = new Map<string, SnapshotRecord[]>();
  /** Joins without keys: every record, bound once and shared by every subject. */
  private readonly everything = new Map<CompiledJoin, unknown[]>();
  /** Nested-join bindings of a joined record, computed once per join and record. */
  private readonly nested = new Map<CompiledJoin, Map<number, Bound>>();

  constructor(
    private readonly collections: ReadonlyMap<string, Collection>,
    private readonly ctx: EvalContext,
  ) {}

  private records(join: CompiledJoin): SnapshotRecord[] {
    let recs = this.filtered.get(join.indexKey);
    if (!recs) {
      const all = this.collections.get(join.from)?.records ?? [];
      const where = join.where;
      recs = where ? all.filter((r) => where(new Bound(r.data, EMPTY), this.ctx)) : all;
      this.filtered.set(join.indexKey, recs);
    }
    return recs;
  }

  private index(join: CompiledJoin, pair: JoinKeyPair): KeyIndex {
    const id = `${join.indexKey}\u0000${pair.foreign.text}\u0000${pair.match}`;
    let idx = this.indexes.get(id);
    if (!idx) {
      idx = new KeyIndex();
      const recs = this.records(join);
      for (let i = 0; i < recs.length; i++) {
        for (const v of elements(resolvePath(pair.foreign, recs[i].data))) {
          if (pair.match === 'scope') {
            if (typeof v === 'string') for (const s of scopesOf(v)) idx.add(s, i);
          } else if (pair.match === 'within') {
            if (typeof v === 'string') idx.add(scopeKey(v), i);
          } else {
            const k = joinKey(v);
            if (k !== undefined) idx.add(k, i);
          }
        }
      }
      this.indexes.set(id, idx);
    }
    return idx;
  }

  private localKeys(path: ParsedPath, scope: Bound, match: JoinKeyPair['match']): string[] {
    const out: string[] = [];
    for (const v of elements(resolvePath(path, scope))) {
      if (match === 'scope') {
        if (typeof v === 'string') out.push(scopeKey(v));
      } else if (match === 'within') {
        if (typeof v === 'string') for (const s of scopesOf(v)) out.push(s);
      } else {
        const k = joinKey(v);
        if (k !== undefined) out.push(k);
      }
    }
    return out;
  }

  /** The join's value for a record: a list (many) or the first match (or undefined). */
  lookup(join: CompiledJoin, scope: Bound, ctx: EvalContext): unknown {
    const recs = this.records(join);
    if (join.on.length === 0) {
      ctx.budget.spend(recs.length);
      let all = this.everything.get(join);
      if (!all) {
        all = recs.map((r, p) => this.bind(join, r, p, ctx));
        this.everything.set(join, all);
      }
      return all;
    }
    const positions = new Set<number>();
    for (const pair of join.on) {
      const idx = this.index(join, pair);
      for (const k of this.localKeys(pair.local, scope, pair.match)) {
        const hits = idx.get(k);
        if (hits) for (const h of hits) positions.add(h);
      }
    }
    ctx.budget.spend(positions.size);
    const sorted = [...positions].sort((a, b) => a - b);
    const values = (join.many ? sorted : sorted.slice(0, 1)).map((p) => this.bind(join, recs[p], p, ctx));
    return join.many ? values : values[0];
  }

  private bind(join: CompiledJoin, rec: SnapshotRecord, position: number, ctx: EvalContext): unknown {
    if (join.joins.length === 0) return rec.data;
    let cache = this.nested.get(join);
    if (!cache) {
      cache = new Map();
      this.nested.set(join, cache);
    }
    let bound = cache.get(position);
    if (!bound) {
      bound = this.attach(join.joins, new Bound(rec.data, new Map()), ctx);
      cache.set(position, bound);
    }
    return bound;
  }

  /** Evaluate joins in order into the scope's bindings (later joins may read earlier ones). */
  attach(joins: readonly CompiledJoin[], scope: Bound, ctx: EvalContext): Bound {
    const names = scope.names as Map<string, unknown>;
    for (const j of joins) names.set(j.name, this.lookup(j, scope, ctx));
    return scope;
  }
}
