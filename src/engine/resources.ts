/**
 * One entry per resource of a collection. Exports repeat resources: pages that overlap, the same
 * subscription in `az account list` and REST form, and every subscription's `az role assignment
 * list` repeating the assignments inherited from the root scope (500 copies of one assignment in
 * a 500-subscription tenant). Rules check each resource once and joins return it once, at its
 * first record, with every record's origin kept for the finding.
 */
import type { Location, ResourceRef } from '../report/model';
import { exportKind } from '../snapshot/kinds';
import { selfIdentity } from '../snapshot/self';
import type { Collection, SnapshotRecord } from '../snapshot/types';

export interface Resource {
  /** The resource's first record. */
  record: SnapshotRecord;
  /** Where each of its records is. */
  origins: Location[];
  identity: ResourceRef;
}

function resourcesOf(coll: Collection): Resource[] {
  const kind = exportKind(coll.name);
  const seen = new Map<string, Resource>();
  const out: Resource[] = [];
  for (const r of coll.records) {
    const id = kind ? kind.identify(r.data, r.origin) : selfIdentity(coll.name, r.data);
    const key = id?.id ? id.id.toLowerCase() : undefined;
    const first = key === undefined ? undefined : seen.get(key);
    if (first) {
      first.origins.push(r.origin);
      continue;
    }
    const resource: Resource = {
      record: r,
      origins: [r.origin],
      identity: { kind: coll.name, id: id?.id || `${r.origin.file}#${r.origin.pointer}`, ...(id?.name ? { name: id.name } : {}) },
    };
    if (key !== undefined) seen.set(key, resource);
    out.push(resource);
  }
  return out;
}

/** Resources per collection, worked out once per run and shared by rules and joins. */
export class Resources {
  private readonly byCollection = new Map<string, Resource[]>();

  constructor(private readonly collections: ReadonlyMap<string, Collection>) {}

  of(name: string): Resource[] {
    let list = this.byCollection.get(name);
    if (!list) {
      const coll = this.collections.get(name);
      list = coll ? resourcesOf(coll) : [];
      this.byCollection.set(name, list);
    }
    return list;
  }
}
