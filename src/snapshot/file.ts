/**
 * One export file through the pipeline: read, unwrap the envelope, recognise the kind, validate each
 * record as exported, normalise it. Every problem becomes a diagnostic; nothing here throws, and one
 * file's problems never stop another's.
 */
import { isObject } from './json-util';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { classify, type Classified } from './detect';
import type { RawRecord, Unwrapped } from './envelope';
import { EXPORT_KINDS, exportKind, type ExportKind } from './kinds';
import { jsonExportOf, type DuplicateKey, type ExportRead, type Locate } from './read';
import { formatOf, STREAM_THRESHOLD, streamExport } from './stream';
import type { Projection } from './projection';
import { LoadedRecord, type JsonObject, type LoadedFile, type SnapshotRecord } from './types';
import { packageSchema, validateRecord } from './validate';
import type { ProgressSink } from '../progress';
import { openInput, readOpened, type InputRead, type ReadBuffers } from '../input-file';
import { plural } from '../words';

/** Per file, at most this many `invalid-record` diagnostics, then one summary. */
const MAX_RECORD_DIAGNOSTICS = 20;

/** An error that leaves records of the file out: the kinds they belong to, or undefined when that cannot be told. */
export interface FileGap {
  code: string;
  kinds?: string[];
}

export interface FileResult {
  loaded: LoadedFile;
  /** Normalised records per kind id; a kind told by the envelope is present even when empty. */
  records: Map<string, SnapshotRecord[]>;
  diagnostics: Diagnostic[];
  /** What the file's errors leave out; the loader marks those collections incomplete. */
  gaps: FileGap[];
}

export interface FileOptions {
  /** The kind the manifest maps the file to. */
  forced?: ExportKind;
  /** JSON files larger than this many bytes are streamed (default `STREAM_THRESHOLD`). */
  streamThreshold?: number;
  /** What to keep of each record, per kind (default: whole records). */
  projection?: Projection;
  /** Told the bytes read, and the file with its records once it is loaded. */
  progress?: ProgressSink;
  /** The file's read, when the caller started it ahead (`fetchExport` with the same threshold). */
  fetched?: Promise<FetchedExport>;
  /** The buffers `fetched` read into: its bytes go back once decoded. */
  buffers?: ReadBuffers;
}

export async function loadFile(absolutePath: string, file: string, options: FileOptions = {}): Promise<FileResult> {
  const result: FileResult = { loaded: { file, kinds: [], records: 0 }, records: new Map(), diagnostics: [], gaps: [] };
  const streamThreshold = options.streamThreshold ?? STREAM_THRESHOLD;
  const read = await readExport(absolutePath, file, options.fetched ?? fetchExport(absolutePath, file, streamThreshold), options.progress, options.buffers);
  if (!read.ok) {
    options.progress?.({ files: 1 });
    result.diagnostics.push(read.diagnostic);
    const told = options.forced !== undefined ? [options.forced.id] : read.partial === undefined ? [] : kindsTold(classify(read.partial));
    result.loaded.kinds = told;
    result.gaps.push({ code: read.diagnostic.code, ...(told.length > 0 ? { kinds: told } : {}) });
    return result;
  }
  const envelope = read.unwrapped;
  result.loaded.present = envelope.records.length;
  if (envelope.nextLink !== undefined) result.loaded.nextLink = envelope.nextLink;
  // A truncated result is reported as such; its total would only say the same again.
  if (envelope.total !== undefined && envelope.truncated !== true) result.loaded.total = envelope.total;

  const classified = classify(envelope, options.forced);
  reportDuplicates(file, envelope, read.duplicates, kindsTold(classified), result);
  if (envelope.truncated === true) {
    result.diagnostics.push(
      diagnostic('error', 'truncated-result', 'Resource Graph truncated this result (resultTruncated: true): project the id column so the query can be paged, and export every page', { file }),
    );
    result.gaps.push({ code: 'truncated-result', kinds: kindsTold(classified) });
  }
  reportUnrecognised(file, envelope.odataContext, classified, envelope.records.length, result.diagnostics, result.gaps);
  if (envelope.count !== undefined && envelope.count !== envelope.records.length) {
    result.diagnostics.push(
      diagnostic('error', 'record-count', `the page says it holds ${envelope.count} rows (count) but holds ${envelope.records.length}: the file was cut or changed; export it again`, { file }),
    );
    result.gaps.push({ code: 'record-count', kinds: kindsTold(classified) });
  }

  const invalid: { pointer: string; message: string }[] = [];
  // A record that feeds several kinds (a Resource Graph row) counts once; only then are pointers compared.
  const loadedPointers = classified.byKind.size > 1 ? new Set<string>() : undefined;
  let loadedCount = 0;
  for (const [kindId, raws] of classified.byKind) {
    const kind = exportKind(kindId) as ExportKind;
    const records: SnapshotRecord[] = [];
    for (const raw of raws) {
      const problem = validateRecord(kind, raw.value);
      if (problem !== undefined) {
        result.gaps.push({ code: 'invalid-record', kinds: [kind.id] });
        invalid.push({ pointer: raw.pointer + problem.instancePath, message: `${kind.id} record: ${problem.message}` });
        continue;
      }
      const data = raw.value as JsonObject;
      records.push(new LoadedRecord(kind.id, kind.normalize === undefined ? data : kind.normalize(data), file, raw));
      loadedCount++;
      loadedPointers?.add(raw.pointer);
    }
    result.records.set(kind.id, records);
  }
  // Cut only once every kind is normalised: a Resource Graph row feeds two kinds, normalised in place.
  for (const [kindId, records] of result.records) {
    const project = options.projection?.get(kindId);
    if (project !== undefined) for (const r of records) r.data = project(r.data);
  }
  result.loaded.kinds = [...classified.byKind.keys()].sort();
  result.loaded.records = loadedPointers?.size ?? loadedCount;
  options.progress?.({ files: 1, records: result.loaded.records });
  result.diagnostics.push(...(await invalidRecordDiagnostics(file, read.locate, invalid)));
  return result;
}

/** NDJSON is always streamed; JSON above the threshold too, since one string cannot hold it. */
export function isStreamed(file: string, size: number, streamThreshold: number): boolean {
  return formatOf(file) === 'ndjson' || size > streamThreshold;
}

/** What reading an export takes from the disk: its bytes (or why not), or nothing when it is streamed. */
export type FetchedExport = { streamed: true } | { streamed: false; read: InputRead; size: number };

/**
 * The I/O of a file read whole: opened and checked once, its bytes read from that descriptor. It
 * does not touch the heap, so the loader starts it for the next files while this one is parsed.
 * Never rejects (a read started ahead may be awaited only later).
 */
export async function fetchExport(absolutePath: string, file: string, streamThreshold: number, buffers?: ReadBuffers): Promise<FetchedExport> {
  const opened = await openInput(absolutePath);
  // A file that cannot be opened: the in-memory path says why (the streaming one, for NDJSON).
  if ('problem' in opened) return isStreamed(file, 0, streamThreshold) ? { streamed: true } : { streamed: false, read: opened, size: 0 };
  if (isStreamed(file, opened.size, streamThreshold)) {
    await opened.handle.close().catch(() => undefined);
    return { streamed: true };
  }
  return { streamed: false, read: await readOpened(opened, 'export', undefined, buffers), size: opened.size };
}

/**
 * Both paths give the same envelope and records, so the rest of the pipeline cannot tell them apart.
 */
async function readExport(absolutePath: string, file: string, fetched: Promise<FetchedExport>, progress?: ProgressSink, buffers?: ReadBuffers): Promise<ExportRead> {
  const format = formatOf(file);
  const got = await fetched;
  if (got.streamed) return streamExport(absolutePath, file, { format, ...(progress ? { onBytes: (bytes) => progress({ bytes }) } : {}) });
  const read = jsonExportOf(got.read, file, buffers);
  progress?.({ bytes: got.size });
  if (read.ok || read.diagnostic.code === 'read-error' || read.diagnostic.code === 'empty-file') return read;
  // What precedes the problem tells the kind; the streaming reader keeps it, so both paths agree.
  const again = await streamExport(absolutePath, file, { format });
  return again.ok || again.partial === undefined ? read : { ...read, partial: again.partial };
}

/**
 * Repeated keys: JSON readers keep the last, so a repeat in the envelope (`"value"` twice, a
 * `"@odata.nextLink": null` after the real one) makes what the file holds ambiguous: an error, and
 * the file's kinds incomplete. In a record's fields too: `"avMode":"Passive","avMode":"Active"` reads
 * as Active to JSON.parse but as Passive to a reviewer, so no verdict may rest on it.
 */
function reportDuplicates(file: string, envelope: Unwrapped, duplicates: readonly DuplicateKey[], kinds: string[], result: FileResult): void {
  if (duplicates.length === 0) return;
  const records = new Set(envelope.records.map((r) => r.pointer));
  const inRecord = (pointer: string): boolean => {
    for (let cut = pointer.lastIndexOf('/'); cut >= 0; cut = pointer.lastIndexOf('/', cut - 1)) {
      if (records.has(pointer.slice(0, cut))) return true;
      if (cut === 0) break;
    }
    return false;
  };
  const keyOf = (pointer: string): string => pointer.slice(pointer.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
  let envelopeRepeats = 0;
  let recordRepeats = 0;
  for (const d of duplicates) {
    const where = { file, pointer: d.pointer, ...(d.position === undefined ? {} : { position: d.position }) };
    if (!inRecord(d.pointer)) {
      if (envelopeRepeats++ < MAX_RECORD_DIAGNOSTICS) {
        result.diagnostics.push(diagnostic('error', 'duplicate-key', `the envelope has the key "${keyOf(d.pointer)}" more than once: JSON readers keep only the last, so what the file holds is ambiguous; export it again`, where));
      }
    } else if (recordRepeats++ < MAX_RECORD_DIAGNOSTICS) {
      result.diagnostics.push(diagnostic('error', 'duplicate-key', `the record has the field "${keyOf(d.pointer)}" more than once: JSON readers keep only the last, so the record is ambiguous; export it again`, where));
    }
  }
  if (envelopeRepeats > 0 || recordRepeats > 0) result.gaps.push({ code: 'duplicate-key', kinds });
  const more = recordRepeats - MAX_RECORD_DIAGNOSTICS;
  if (more > 0) result.diagnostics.push(diagnostic('error', 'duplicate-key', `${more} more fields of records of this file repeat a key`, { file }));
}

/** Kinds a file is told to hold, by its envelope or its records, including those a record could be. */
function kindsTold(classified: Classified): string[] {
  return [...new Set([...classified.byKind.keys(), ...classified.ambiguous.flatMap((a) => a.kinds)])].sort();
}

/**
 * Records that match no kind, or several, are left out: an error, and a gap in the kinds they could
 * be. A record that matches no kind could be of any: every collection may lack it.
 */
function reportUnrecognised(
  file: string,
  context: string | undefined,
  classified: Classified,
  recordCount: number,
  out: Diagnostic[],
  gaps: FileGap[],
): void {
  const contextNote = context === undefined ? '' : ` (@odata.context "${context}")`;
  if (classified.byKind.size === 0 && recordCount === 0) {
    out.push(
      diagnostic('warning', 'empty-export', `file holds no records and nothing tells its export kind${contextNote}; if an empty export is expected, map the file to its kind in snapshot.yaml`, { file }),
    );
    return;
  }
  const first = classified.unmatched[0];
  if (first !== undefined && classified.byKind.size === 0 && classified.ambiguous.length === 0) {
    out.push(
      diagnostic(
        'error',
        'unknown-export',
        `records match no known export kind${contextNote}; ${nearestKinds(first.value)}. A file of a kind posture-lint reads can be mapped to it in snapshot.yaml; a file that is no export can be left out with ignore: in snapshot.yaml or posture-lint.yaml (docs/exports.md lists every kind)`,
        { file },
      ),
    );
    gaps.push({ code: 'unknown-export' });
  } else if (first !== undefined) {
    gaps.push({ code: 'unknown-record' });
    out.push(
      diagnostic('error', 'unknown-record', `${countOf(classified.unmatched)} match no known export kind and were skipped (first at ${first.pointer || 'the root'})`, { file, pointer: first.pointer }),
    );
  }
  const ambiguous = classified.ambiguous[0];
  if (ambiguous !== undefined) {
    out.push(
      diagnostic('error', 'ambiguous-export', `${countOf(classified.ambiguous.map((a) => a.record))} could be any of ${ambiguous.kinds.join(', ')} (no @odata.context says which); map the file to its kind in snapshot.yaml`, { file, pointer: ambiguous.record.pointer }),
    );
    gaps.push({ code: 'ambiguous-export', kinds: [...new Set(classified.ambiguous.flatMap((a) => a.kinds))].sort() });
  }
}

/** The top-level fields each kind's records can have, from its schema (both shapes it accepts). */
let kindFields: Map<string, Set<string>> | undefined;
function fieldsOfKinds(): Map<string, Set<string>> {
  kindFields ??= new Map(
    EXPORT_KINDS.map((k) => {
      const schema = packageSchema(k.schemaFile) as { properties?: object; definitions?: { fields?: { properties?: object } } };
      return [k.id, new Set([...Object.keys(schema.properties ?? {}), ...Object.keys(schema.definitions?.fields?.properties ?? {})])];
    }),
  );
  return kindFields;
}

/** Fields every ARM resource has: sharing them says nothing about which kind a record is. */
const COMMON = new Set(['id', 'name', 'type', 'location', 'tags', 'etag', 'kind', 'resourceGroup', 'systemData', 'properties']);

/** The kinds whose records share the most fields with this one (at most three), or why there are none. */
function nearestKinds(value: unknown): string {
  const type = isObject(value) && typeof value.type === 'string' ? ` (ARM type ${value.type} is not one posture-lint reads)` : '';
  const keys = isObject(value) ? Object.keys(value).filter((k) => !COMMON.has(k)) : [];
  const scored = [...fieldsOfKinds()]
    .map(([id, fields]) => ({ id, shared: keys.filter((k) => fields.has(k)) }))
    .filter((s) => s.shared.length > 0)
    .sort((a, b) => b.shared.length - a.shared.length || cmp(a.id, b.id))
    .slice(0, 3);
  if (scored.length === 0) return `no kind has fields like its first record's${type}`;
  return `closest kinds by their fields: ${scored.map((s) => `${s.id} (shares ${s.shared.slice(0, 3).join(', ')})`).join(', ')}${type}`;
}

function countOf(records: readonly RawRecord[]): string {
  return plural(records.length, 'record');
}

/** Diagnostics for records that failed their schema, with line:column found by one more scan of the file. */
async function invalidRecordDiagnostics(file: string, locate: Locate, invalid: readonly { pointer: string; message: string }[]): Promise<Diagnostic[]> {
  if (invalid.length === 0) return [];
  const shown = invalid.slice(0, MAX_RECORD_DIAGNOSTICS);
  const positions = await locate(shown.map((i) => i.pointer));
  const out = shown.map((i) => {
    const position = positions.get(i.pointer);
    return diagnostic('error', 'invalid-record', i.message, { file, pointer: i.pointer, ...(position === undefined ? {} : { position }) });
  });
  if (invalid.length > shown.length) {
    out.push(diagnostic('error', 'invalid-record', `${invalid.length - shown.length} more records of this file fail validation and were excluded`, { file }));
  }
  return out;
}
