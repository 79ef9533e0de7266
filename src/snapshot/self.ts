/**
 * Collections in which the snapshot describes itself, so rules can check that the exports belong
 * together (export-set-consistent) with the same language as everything else:
 * - `snapshot.exports`: one record per loaded collection: its files, record count, whether its
 *   paging is complete, `asOf` (the newest timestamp its records carry) and `hoursBehindNewest`
 *   (how far that lies behind the newest `asOf` of any export), so skew is one comparison;
 * - `snapshot.facts`: one record per snapshot fact (value, declared, conflicting values).
 */
import { cmp } from '../diagnostics';
import { incompletePaging } from './paging';
import { toTime } from '../time';
import type { Collection, JsonObject, LoadedFile, Snapshot, SnapshotRecord } from './types';
import { getPath } from './json-util';

export const SELF_COLLECTIONS = ['snapshot.exports', 'snapshot.facts'] as const;

/**
 * Which field dates each export: the newest value is the export's `asOf`. Only kinds whose newest
 * record tracks the moment of export are listed: devices report in continuously and the AV health
 * report is refreshed for all devices at once. Event exports (alerts, incidents) are not: their
 * newest record can be a week old on a quiet week, which says nothing about when they were taken.
 */
export const AS_OF_FIELDS: Readonly<Record<string, string>> = {
  'mde.machines': 'lastSeen',
  'mde.avHealth': 'dataRefreshTimestamp',
};

/** Newest timestamp (epoch ms) among a collection's records, in the field that dates its kind. */
function newest(collection: Collection, field: string | undefined): number | undefined {
  if (!field) return undefined;
  let max: number | undefined;
  for (const r of collection.records) {
    const t = toTime(getPath(r.data, field));
    if (t !== undefined && (max === undefined || t > max)) max = t;
  }
  return max;
}

/** The file name of records the snapshot makes about itself: they are in no export file. */
export const SELF_FILE = 'snapshot';

function record(collection: string, data: JsonObject, key: string): SnapshotRecord {
  return { collection, data, origin: { file: SELF_FILE, pointer: `/${collection}/${key}` } };
}

/** Adds the self-describing collections to a loaded snapshot. */
export function describeSnapshot(snapshot: Snapshot): void {
  const files = new Map<string, LoadedFile>(snapshot.files.map((f) => [f.file, f]));
  const asOf = new Map<string, number>();
  for (const c of snapshot.collections.values()) {
    const t = newest(c, AS_OF_FIELDS[c.name]);
    if (t !== undefined) asOf.set(c.name, t);
  }
  const latest = Math.max(...asOf.values());
  const exportRecords: SnapshotRecord[] = [];
  for (const c of snapshot.collections.values()) {
    const t = asOf.get(c.name);
    exportRecords.push(
      record('snapshot.exports', {
        kind: c.name,
        files: [...c.files],
        records: c.records.length,
        pagingComplete: incompletePaging(c.files, files) === undefined,
        ...(t !== undefined ? { asOf: new Date(t).toISOString(), hoursBehindNewest: Math.round(((latest - t) / 3_600_000) * 10) / 10 } : {}),
      }, c.name),
    );
  }
  const facts = [...snapshot.facts.values()]
    .sort((a, b) => cmp(a.name, b.name))
    .map((f) =>
      record('snapshot.facts', {
        name: f.name,
        value: f.value ?? null,
        declared: f.declared,
        conflicting: f.conflicting ?? [],
        evidence: f.evidence.length,
      }, f.name),
    );
  snapshot.collections.set('snapshot.exports', { name: 'snapshot.exports', records: exportRecords, files: [] });
  snapshot.collections.set('snapshot.facts', { name: 'snapshot.facts', records: facts, files: [] });
}

/** Identity of a self-describing record for findings. */
export function selfIdentity(collection: string, data: JsonObject): { id: string; name?: string } | undefined {
  if (collection === 'snapshot.exports') return { id: String(data.kind) };
  if (collection === 'snapshot.facts') return { id: String(data.name) };
  return undefined;
}
