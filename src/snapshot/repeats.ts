/**
 * The records of a collection that describe one resource: exports repeat resources (overlapping
 * pages, the same subscription in two forms, a root role assignment in every subscription's list).
 * Found once, by the loader, and handed on with the collection to the evaluator
 * (src/engine/resources.ts), so a million records are keyed once, not once per stage.
 */
import { exportKind, resourceKey } from './kinds';
import { selfIdentity } from './self';
import type { SnapshotRecord } from './types';

/** A collection keyed by resource: the index of each resource's first record, and the resources held more than once. */
export interface ResourceIndex {
  /** By resource key (resourceKey: the id, case-folded). */
  firstOf: ReadonlyMap<string, number>;
  /** Indices of the records of each resource held more than once, ascending; the first is the resource's first record. */
  repeats: number[][];
}

export function indexResources(collection: string, records: readonly SnapshotRecord[]): ResourceIndex {
  const kind = exportKind(collection);
  /** The first record of each resource key, by index. */
  const firstOf = new Map<string, number>();
  /** Resources seen more than once, by the index of their first record. */
  const groups = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const key = resourceKey(kind ? kind.identify.idOf(r.data, r) : selfIdentity(collection, r.data)?.id);
    if (key === undefined) continue;
    const first = firstOf.get(key);
    if (first === undefined) {
      firstOf.set(key, i);
      continue;
    }
    const group = groups.get(first);
    if (group === undefined) groups.set(first, [first, i]);
    else group.push(i);
  }
  return { firstOf, repeats: [...groups.values()].sort((a, b) => a[0] - b[0]) };
}

/** Indices of the records of each resource held more than once (ResourceIndex.repeats). */
export function findRepeats(collection: string, records: readonly SnapshotRecord[]): number[][] {
  return indexResources(collection, records).repeats;
}
