/**
 * The records of a collection that describe one resource: exports repeat resources (overlapping
 * pages, the same subscription in two forms, a root role assignment in every subscription's list).
 * Found once, by the loader, and handed on with the collection to the evaluator
 * (src/engine/resources.ts), so a million records are keyed once, not once per stage.
 */
import { exportKind, resourceKey } from './kinds';
import { selfIdentity } from './self';
import type { SnapshotRecord } from './types';

/** Indices of the records of each resource held more than once, ascending; the first is the resource's first record. */
export function findRepeats(collection: string, records: readonly SnapshotRecord[]): number[][] {
  const kind = exportKind(collection);
  /** The first record of each resource key, by index. */
  const firstOf = new Map<string, number>();
  /** Resources seen more than once, by the index of their first record. */
  const groups = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const key = resourceKey(kind ? kind.identify.idOf(r.data, r.origin) : selfIdentity(collection, r.data)?.id);
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
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}
