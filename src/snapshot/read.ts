import { diagnostic, positionAt, type Diagnostic, type Position } from '../diagnostics';
import { unwrap, type Unwrapped } from './envelope';
import { duplicateKeys, scanJson } from './json-scan';
import { decodeText } from '../decode';
import { readInput, type InputKind, type InputRead, type ReadBuffers } from '../input-file';

/** A file read and parsed, or the diagnostic that says why it could not be. */
export type ReadResult = { ok: true; text: string; value: unknown } | { ok: false; diagnostic: Diagnostic };

/** Line:column of the values at the given JSON pointers (those found), for diagnostics about records. */
export type Locate = (pointers: readonly string[]) => Promise<Map<string, Position>>;

/**
 * An export's records with its envelope, however it was read, or why it could not be. A failed
 * read keeps what could be read before the problem (`partial`), only to tell the file's kind.
 */
export type ExportRead = { ok: true; unwrapped: Unwrapped; locate: Locate; duplicates: DuplicateKey[] } | { ok: false; diagnostic: Diagnostic; partial?: Unwrapped };

/** A member whose key its object already had: JSON readers keep only the last value. */
export interface DuplicateKey {
  /** JSON pointer of the repeated member. */
  pointer: string;
  /** Where the repeated key is (given for the first `MAX_DUPLICATES_LOCATED` in the file). */
  position?: Position;
}

/** Repeated keys of a file located (each costs a pass over the text or the file). */
export const MAX_DUPLICATES_LOCATED = 20;

/** Parses JSON text; on failure, locates the error with the syntax scanner. */
export function parseJsonText(text: string, file: string): ReadResult {
  if (text.trim() === '') return { ok: false, diagnostic: diagnostic('error', 'empty-file', 'file is empty', { file }) };
  try {
    return { ok: true, text, value: JSON.parse(text) as unknown };
  } catch (err) {
    const found = scanJson(text).error;
    if (found === undefined) {
      // The scanner accepts what JSON.parse rejected: report JSON.parse's own words, without a position.
      return { ok: false, diagnostic: diagnostic('error', 'json-syntax', `invalid JSON: ${(err as Error).message}`, { file }) };
    }
    const position = positionAt(text, found.offset);
    return {
      ok: false,
      diagnostic: diagnostic('error', 'json-syntax', `invalid JSON: ${found.message}`, { file, position }),
    };
  }
}

/** Reads (by the one reader for untrusted files), decodes and parses one JSON file. Never throws. */
export async function readJsonFile(absolutePath: string, file: string, kind: InputKind = 'export', options: { followLinks?: boolean } = {}): Promise<ReadResult> {
  return parseJsonBytes(await readInput(absolutePath, kind, options), file);
}

/** Decodes and parses a file's bytes, or says why they could not be read; bytes read into `buffers` go back once decoded. */
export function parseJsonBytes(read: InputRead, file: string, buffers?: ReadBuffers): ReadResult {
  if ('problem' in read) return { ok: false, diagnostic: diagnostic('error', 'read-error', `the file ${read.problem.message}`, { file }) };
  const bytes = read.bytes;
  let decoded: ReturnType<typeof decodeText>;
  try {
    decoded = decodeText(bytes);
  } catch (err) {
    // V8 cannot hold one string over ~512 Mi characters (the streaming reader has no such limit).
    return { ok: false, diagnostic: diagnostic('error', 'read-error', `cannot read file: ${(err as Error).message}`, { file }) };
  } finally {
    buffers?.release(bytes);
  }
  if ('error' in decoded) return { ok: false, diagnostic: diagnostic('error', 'encoding', decoded.error, { file }) };
  return parseJsonText(decoded.text, file);
}

/**
 * The in-memory path, from an export's bytes once they are read (the loader reads them ahead): the
 * whole file as one string, one `JSON.parse`; fastest for files that fit.
 */
export function jsonExportOf(bytes: InputRead, file: string, buffers?: ReadBuffers): ExportRead {
  const read = parseJsonBytes(bytes, file, buffers);
  if (!read.ok) return read;
  const text = read.text;
  const locate: Locate = async (pointers) => {
    const offsets = scanJson(text, new Set(pointers)).offsets;
    return new Map([...offsets].map(([pointer, offset]) => [pointer, positionAt(text, offset)]));
  };
  const duplicates = duplicateKeys(text, read.value).map((d, i): DuplicateKey =>
    i < MAX_DUPLICATES_LOCATED ? { pointer: d.pointer, position: positionAt(text, d.offset) } : { pointer: d.pointer },
  );
  return { ok: true, unwrapped: unwrap(read.value), locate, duplicates };
}
