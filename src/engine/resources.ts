/**
 * One entry per resource of a collection. Exports repeat resources: pages that overlap, the same
 * subscription in `az account list` and REST form, and every subscription's `az role assignment
 * list` repeating the assignments inherited from the root scope (500 copies of one assignment in
 * a 500-subscription tenant). Repeats that agree are one record, with every origin kept for the
 * finding. Repeats that disagree (a device Active on one page and Inactive on the next, a
 * subscription with two tenant ids) are ambiguous: each distinct record is kept, rules check all
 * of them and fail the resource if any fails, and the conflict is reported naming both places.
 */
import { diagnostic, type Diagnostic } from '../diagnostics';
import type { Location, ResourceRef } from '../report/model';
import { exportKind } from '../snapshot/kinds';
import { findRepeats } from '../snapshot/repeats';
import { pointerSegment } from '../snapshot/json-util';
import { selfIdentity } from '../snapshot/self';
import type { Collection, SnapshotRecord } from '../snapshot/types';

/**
 * The resources of one collection, compactly: a million devices are a million resources, and an
 * object per resource cost more memory than the records' fields. Each resource is its first record
 * (`first[i]`); the few exported more than once also list every distinct record and every origin.
 */
export interface CollectionResources {
  collection: string;
  /** Each resource's first record, in the order the resources first appear. */
  first: SnapshotRecord[];
  /** Resources with more than one record, by index in `first`. */
  repeated: Map<number, Repeats>;
}

export interface Repeats {
  /** Its distinct records: the first, then each that disagrees with every one before it. */
  records: SnapshotRecord[];
  /** Where each of its records is. */
  origins: Location[];
}

/** The identity of the resource whose first record is `record`, for findings. */
export function identityOf(collection: string, record: SnapshotRecord): ResourceRef {
  const kind = exportKind(collection);
  const id = kind ? kind.identify(record.data, record) : selfIdentity(collection, record.data);
  return { kind: collection, id: id?.id || `${record.origin.file}#${record.origin.pointer}`, ...(id?.name ? { name: id.name } : {}) };
}

/**
 * The first field (JSON pointer, relative to the record) that both values have and that differ.
 * Fields only one has do not disagree: `az` and REST forms of one subscription carry different
 * fields. Nor do strings that differ only in case: ARM ids change case between sources, and rules
 * compare strings case-insensitively. Arrays compare whole.
 */
function disagreement(a: unknown, b: unknown, at = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase() ? undefined : at;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return at;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return at;
    for (let i = 0; i < a.length; i++) if (disagreement(a[i], other[i], at) !== undefined) return at;
    return undefined;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key of Object.keys(x)) {
    if (!Object.hasOwn(y, key)) continue;
    const found = disagreement(x[key], y[key], `${at}/${pointerSegment(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function resourcesOf(coll: Collection, conflicts: Diagnostic[]): CollectionResources {
  /** For each later record of a repeated resource, the index of the resource's first record. */
  const firstOf = new Map<number, number>();
  /** Index in `first` of each repeated resource, by the index of its first record. */
  const firstAt = new Map<number, number>();
  for (const group of coll.repeats ?? findRepeats(coll.name, coll.records)) {
    firstAt.set(group[0], -1);
    for (let k = 1; k < group.length; k++) firstOf.set(group[k], group[0]);
  }
  const out: CollectionResources = { collection: coll.name, first: [], repeated: new Map() };
  const records = coll.records;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const firstIndex = firstOf.get(i);
    if (firstIndex === undefined) {
      if (firstAt.has(i)) firstAt.set(i, out.first.length);
      out.first.push(r);
      continue;
    }
    const at = firstAt.get(firstIndex) as number;
    const firstRecord = out.first[at];
    let repeats = out.repeated.get(at);
    if (repeats === undefined) {
      repeats = { records: [firstRecord], origins: [firstRecord.origin] };
      out.repeated.set(at, repeats);
    }
    repeats.origins.push(r.origin);
    const differs = repeats.records.map((known) => disagreement(known.whole ?? known.data, r.whole ?? r.data));
    if (differs.some((d) => d === undefined)) continue;
    repeats.records.push(r);
    const field = differs[0] as string;
    const where = (o: { file: string; pointer: string }) => `${o.file}#${o.pointer}${field}`;
    conflicts.push(
      diagnostic('warning', 'conflicting-records', `${coll.name} ${identityOf(coll.name, firstRecord).id} is exported twice with different values: ${where(firstRecord.origin)} and ${where(r.origin)}; rules check both records and fail the resource if either fails`, {
        file: r.origin.file,
        pointer: r.origin.pointer + field,
      }),
    );
  }
  return out;
}

/** Resources per collection, worked out once per run and shared by rules and joins. */
export class Resources {
  private readonly byCollection = new Map<string, CollectionResources>();
  /** `conflicting-records` warnings of the collections worked out so far. */
  readonly conflicts: Diagnostic[] = [];

  constructor(private readonly collections: ReadonlyMap<string, Collection>) {}

  of(name: string): CollectionResources {
    let list = this.byCollection.get(name);
    if (!list) {
      const coll = this.collections.get(name);
      list = coll ? resourcesOf(coll, this.conflicts) : { collection: name, first: [], repeated: new Map() };
      this.byCollection.set(name, list);
    }
    return list;
  }
}
