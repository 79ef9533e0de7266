/**
 * The streaming reader: reads an export in chunks and parses it record by record, for files too
 * large to hold as one string (V8's limit is ~512 Mi characters; 1M MDE devices are ~1.2 GB of JSON)
 * and for NDJSON / JSON Lines. Memory holds the parsed values, never the file's text.
 *
 * A JSON export is rebuilt value by value into what `JSON.parse` would have returned: each record of
 * the `value` / `data` array (or of a top-level array) parsed on its own, every other top-level
 * member (`@odata.context`, `@odata.nextLink` before or after the records, `totalRecords`...) whole.
 * `unwrap` and detection then see exactly what they see in memory. Like the in-memory path, a file
 * with a syntax error yields no record at all, only the error with its line:column.
 */
import { diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { unwrap, type RawRecord, type Unwrapped } from './envelope';
import { duplicateKeys, scanJson } from './json-scan';
import { JsonScanner, parseValue, type ScanFailure, type ScanSink, type ValueAt } from './json-stream';
import { pointerSegment, setOwn } from './json-util';
import { LineScanner } from './ndjson-scan';
import { MAX_DUPLICATES_LOCATED, type DuplicateKey, type ExportRead, type Locate } from './read';
import type { JsonObject } from './types';
import { DEFAULT_CHUNK_SIZE, EncodingError, positionsAt, utf8Chunks } from './utf8-chunks';

/** JSON files larger than this many bytes are streamed by default; smaller ones are parsed in one piece (faster). */
export const STREAM_THRESHOLD = 64 * 1024 * 1024;

/** `json`: one JSON document; `ndjson`: one JSON value per line (`*.ndjson`, `*.jsonl`). */
export type StreamFormat = 'json' | 'ndjson';

export interface StreamOptions {
  format: StreamFormat;
  /** Bytes read at a time (default 4 MiB); tests make it tiny to split values everywhere. */
  chunkSize?: number;
  /** Told the bytes of each chunk as it is read: progress through a file that takes minutes. */
  onBytes?: (bytes: number) => void;
}

/** The format a file's name announces. */
export function formatOf(file: string): StreamFormat {
  return /\.(?:ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'json';
}

/** Reads one export by streaming. Never throws: problems are diagnostics, as on the in-memory path. */
export async function streamExport(absolutePath: string, file: string, options: StreamOptions): Promise<ExportRead> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const sink = options.format === 'json' ? new DocumentBuilder() : new LineCollector();
  const failure = await scanFile(absolutePath, options.format, sink, chunkSize, options.onBytes);
  const unwrapped: Unwrapped | undefined = sink instanceof DocumentBuilder ? (sink.root === undefined ? undefined : unwrap(sink.root)) : { shape: 'array', records: sink.records };
  if (failure !== undefined) {
    const diagnostic = await toDiagnostic(absolutePath, file, failure, chunkSize);
    return unwrapped === undefined ? { ok: false, diagnostic } : { ok: false, diagnostic, partial: unwrapped };
  }
  if (unwrapped === undefined) return { ok: false, diagnostic: diagnostic('error', 'empty-file', 'file is empty', { file }) };
  const locate: Locate = (pointers) => locateInFile(absolutePath, options.format, pointers, chunkSize);
  const found = sink.duplicates.sort((a, b) => a.offset - b.offset);
  const located = found.slice(0, MAX_DUPLICATES_LOCATED);
  const positions = located.length === 0 ? [] : await positionsAt(absolutePath, located.map((d) => d.offset), chunkSize).catch(() => []);
  const duplicates = found.map((d, i): DuplicateKey => (positions[i] === undefined ? { pointer: d.pointer } : { pointer: d.pointer, position: positions[i] }));
  return { ok: true, unwrapped, locate, duplicates };
}

/** Repeated keys inside one value the scanner cut out, by pointer and byte offset in the file. */
function duplicatesIn(at: ValueAt, text: string, value: unknown, out: { pointer: string; offset: number }[]): void {
  for (const d of duplicateKeys(text, value)) {
    out.push({ pointer: valuePointer(at) + d.pointer, offset: at.start + Buffer.byteLength(text.slice(0, d.offset)) });
  }
}

/** Builds the document `JSON.parse` would return, one value at a time. */
class DocumentBuilder implements ScanSink {
  root: unknown;
  readonly duplicates: { pointer: string; offset: number }[] = [];
  /** The records array being filled. */
  private array: unknown[] = [];

  duplicateKey(key: string, start: number): void {
    this.duplicates.push({ pointer: `/${pointerSegment(key)}`, offset: start });
  }

  open(kind: 'object' | 'array', key: string | undefined): void {
    const container = kind === 'object' ? {} : [];
    if (key === undefined) this.root = container;
    else setOwn(this.root as JsonObject, key, container);
    if (Array.isArray(container)) this.array = container;
  }

  value(at: ValueAt, bytes: Buffer): ScanFailure | undefined {
    const parsed = parseValue(at, bytes);
    if (!('value' in parsed)) return parsed;
    duplicatesIn(at, parsed.text, parsed.value, this.duplicates);
    if (at.index >= 0) this.array.push(parsed.value);
    else if (at.key === undefined) this.root = parsed.value;
    else setOwn(this.root as JsonObject, at.key, parsed.value);
    return undefined;
  }
}

/** NDJSON: every non-blank line is a record, at pointer `/<line index>` (0-based). */
class LineCollector implements ScanSink {
  readonly records: RawRecord[] = [];
  readonly duplicates: { pointer: string; offset: number }[] = [];

  open(): void {
    // Lines have no containers.
  }

  value(at: ValueAt, bytes: Buffer): ScanFailure | undefined {
    const parsed = parseValue(at, bytes);
    if (!('value' in parsed)) return parsed;
    duplicatesIn(at, parsed.text, parsed.value, this.duplicates);
    this.records.push({ value: parsed.value, pointer: valuePointer(at) });
    return undefined;
  }
}

/** Runs the scanner for `format` over the file; the first failure, if any. */
async function scanFile(path: string, format: StreamFormat, sink: ScanSink, chunkSize: number, onBytes?: (bytes: number) => void): Promise<ScanFailure | undefined> {
  const scanner = format === 'json' ? new JsonScanner(sink) : new LineScanner(sink);
  let failure: ScanFailure | undefined;
  let length = 0;
  try {
    for await (const chunk of utf8Chunks(path, chunkSize)) {
      // After a failure the rest is still read: bytes that do not decode are what gets reported, as in memory.
      if (failure === undefined) failure = scanner.push(chunk, length);
      length += chunk.length;
      onBytes?.(chunk.length);
    }
  } catch (err) {
    if (err instanceof EncodingError) return { code: 'encoding', message: err.message };
    return { code: 'read-error', message: `cannot read file: ${(err as Error).message}` };
  }
  return failure ?? scanner.end(length);
}

async function toDiagnostic(path: string, file: string, failure: ScanFailure, chunkSize: number): Promise<Diagnostic> {
  const positions = failure.offset === undefined ? [] : await positionsAt(path, [failure.offset], chunkSize).catch(() => []);
  const position = positions[0];
  return diagnostic('error', failure.code, failure.message, position === undefined ? { file } : { file, position });
}

/** JSON pointer of a value the scanner found. */
function valuePointer(at: ValueAt): string {
  const member = at.key === undefined ? '' : `/${pointerSegment(at.key)}`;
  return at.index >= 0 ? `${member}/${at.index}` : member;
}

/**
 * Line:column of values inside records, for diagnostics about records. Runs the scanner again,
 * keeping the text of only the values that hold a wanted pointer; it is used for a handful of
 * invalid records, so the cost of a second pass beats remembering every record's place.
 */
async function locateInFile(path: string, format: StreamFormat, pointers: readonly string[], chunkSize: number): Promise<Map<string, Position>> {
  // The scanner's values sit at most two segments deep (`/value/12`); a wanted pointer lies in one of them.
  const containing = (pointer: string): string[] => {
    const segments = pointer.split('/');
    return [3, 2, 1].filter((n) => n <= segments.length).map((n) => segments.slice(0, n).join('/'));
  };
  const wanted = new Set(pointers.flatMap(containing));
  const found = new Map<string, { start: number; text?: string }>();
  const sink: ScanSink = {
    open(_kind, key, start) {
      const pointer = key === undefined ? '' : `/${pointerSegment(key)}`;
      if (wanted.has(pointer)) found.set(pointer, { start });
    },
    value(at, bytes) {
      const pointer = valuePointer(at);
      if (wanted.has(pointer)) found.set(pointer, { start: at.start, text: bytes.toString('utf8') });
      return undefined;
    },
  };
  // The file read cleanly a moment ago; if it changed since, fewer values are found and fewer positions given.
  await scanFile(path, format, sink, chunkSize);

  const offsets: [string, number][] = [];
  for (const pointer of pointers) {
    for (const outer of containing(pointer)) {
      const value = found.get(outer);
      if (value === undefined) continue;
      const inner = pointer.slice(outer.length);
      const offset = value.text === undefined ? (inner === '' ? 0 : undefined) : scanJson(value.text, new Set([inner])).offsets.get(inner);
      if (offset !== undefined) offsets.push([pointer, value.start + Buffer.byteLength((value.text ?? '').slice(0, offset))]);
      break;
    }
  }
  const positions = await positionsAt(path, offsets.map(([, offset]) => offset), chunkSize).catch(() => []);
  return new Map(offsets.flatMap(([pointer], i) => (positions[i] === undefined ? [] : [[pointer, positions[i]] as const])));
}
