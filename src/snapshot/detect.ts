/**
 * Recognises a file's export kind from its content: the manifest's mapping, else the envelope
 * (Resource Graph), else the `@odata.context`, else each record's ARM `type`, else record field
 * signatures. Everything is read from the kinds table; nothing here knows a particular kind.
 */
import type { RawRecord, Unwrapped } from './envelope';
import { EXPORT_KINDS, exportKind, type ExportKind, type Signature } from './kinds';
import type { JsonObject } from './types';
import { getOwn, isObject } from './json-util';

export interface Classified {
  /** Records per kind id, in file order; a kind told by the envelope is present even with no records. */
  byKind: Map<string, RawRecord[]>;
  /** Records that match no kind. */
  unmatched: RawRecord[];
  /** Records that match several kinds equally well, with those kinds (sorted). */
  ambiguous: { record: RawRecord; kinds: string[] }[];
}

const BY_ARM_TYPE = new Map<string, ExportKind>(EXPORT_KINDS.flatMap((k) => (k.detect.armTypes ?? []).map((t) => [t, k] as const)));
const WITH_SIGNATURES = EXPORT_KINDS.filter((k) => (k.detect.signatures ?? []).length > 0);
const WITH_ID_PATTERN = EXPORT_KINDS.filter((k) => k.detect.armIdPattern !== undefined);
const RESOURCE_GRAPH = EXPORT_KINDS.find((k) => k.detect.resourceGraphEnvelope === true);

/** The kind an `@odata.context` names, if any. */
export function kindOfContext(context: string | undefined): ExportKind | undefined {
  if (context === undefined) return undefined;
  return EXPORT_KINDS.find((k) => k.detect.odataContext?.test(context) === true);
}

/** Classifies a file's records; `forced` is the kind the manifest maps the file to. */
export function classify(file: Unwrapped, forced?: ExportKind): Classified {
  const result: Classified = { byKind: new Map(), unmatched: [], ambiguous: [] };
  const fileKind =
    forced ?? (file.shape === 'resource-graph' ? RESOURCE_GRAPH : undefined) ?? kindOfContext(file.odataContext);
  if (fileKind !== undefined) result.byKind.set(fileKind.id, []);

  for (const record of file.records) {
    let kind = fileKind;
    if (kind === undefined) {
      const candidates = recordKinds(record.value);
      if (candidates.length > 1) {
        result.ambiguous.push({ record, kinds: candidates.map((k) => k.id) });
        continue;
      }
      kind = candidates[0];
    }
    if (kind === undefined) {
      result.unmatched.push(record);
      continue;
    }
    add(result.byKind, kind.id, record);
    // A row whose id names its kind (a scale-set instance typed as a VM) feeds that kind only.
    const byId = kindById(record.value);
    for (const feed of kind.alsoFeeds ?? []) {
      const fed = byId === undefined ? feed.armTypes.includes(armTypeOf(record.value) ?? '') : byId.id === feed.kind;
      if (fed && exportKind(feed.kind) !== undefined) add(result.byKind, feed.kind, record);
    }
  }
  return result;
}

/** Kinds one record could be, by ARM id pattern first, then ARM type, then field signatures. */
function recordKinds(value: unknown): ExportKind[] {
  if (!isObject(value)) return [];
  const byId = kindById(value);
  if (byId !== undefined) return [byId];
  const byType = BY_ARM_TYPE.get(armTypeOf(value) ?? '');
  if (byType !== undefined) return [byType];
  return WITH_SIGNATURES.filter((k) => (k.detect.signatures ?? []).some((s) => matches(value, s)));
}

/** The kind an ARM record's id names (only records with a `type` are ARM records). */
function kindById(value: unknown): ExportKind | undefined {
  if (!isObject(value) || armTypeOf(value) === undefined) return undefined;
  const id = getOwn(value, 'id');
  return typeof id === 'string' ? WITH_ID_PATTERN.find((k) => k.detect.armIdPattern?.test(id)) : undefined;
}

function matches(record: JsonObject, signature: Signature): boolean {
  if (!signature.has.every((f) => Object.hasOwn(record, f))) return false;
  const equals = signature.equals ?? {};
  return Object.keys(equals).every((f) => getOwn(record, f) === equals[f]);
}

function armTypeOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const type = getOwn(value, 'type');
  return typeof type === 'string' ? type.toLowerCase() : undefined;
}

function add(map: Map<string, RawRecord[]>, kind: string, record: RawRecord): void {
  const list = map.get(kind);
  if (list === undefined) map.set(kind, [record]);
  else list.push(record);
}
