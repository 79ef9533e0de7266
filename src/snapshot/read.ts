import { readFile } from 'node:fs/promises';
import { diagnostic, positionAt, type Diagnostic, type Position } from '../diagnostics';
import { unwrap, type Unwrapped } from './envelope';
import { scanJson } from './json-scan';

/** A file read and parsed, or the diagnostic that says why it could not be. */
export type ReadResult = { ok: true; text: string; value: unknown } | { ok: false; diagnostic: Diagnostic };

/** Line:column of the values at the given JSON pointers (those found), for diagnostics about records. */
export type Locate = (pointers: readonly string[]) => Promise<Map<string, Position>>;

/** An export's records with its envelope, however it was read, or why it could not be. */
export type ExportRead = { ok: true; unwrapped: Unwrapped; locate: Locate } | { ok: false; diagnostic: Diagnostic };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

/** The `encoding` message for a file that does not decode; `head` is its first bytes. */
export function encodingProblem(head: Uint8Array): string {
  const utf16Hint = head.length > 1 && (head[0] === 0 || head[1] === 0) ? ' (UTF-16 without a byte order mark?)' : '';
  return `file is not valid UTF-8 or UTF-16 with a byte order mark${utf16Hint}`;
}

/**
 * Decodes an export's bytes: UTF-8 (BOM stripped) or, with a byte order mark, UTF-16 LE/BE (what
 * Windows PowerShell 5 `>` writes). Invalid byte sequences are an error, never silently replaced.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { error: string } {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: utf16le.decode(bytes.subarray(2)) };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16be.decode(bytes.subarray(2)) };
    const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { text: utf8.decode(hasBom ? bytes.subarray(3) : bytes) };
  } catch {
    return { error: encodingProblem(bytes.subarray(0, 2)) };
  }
}

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

/** Reads, decodes and parses one export file. Never throws. */
export async function readJsonFile(absolutePath: string, file: string): Promise<ReadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(absolutePath);
  } catch (err) {
    return { ok: false, diagnostic: diagnostic('error', 'read-error', `cannot read file: ${(err as Error).message}`, { file }) };
  }
  let decoded: ReturnType<typeof decodeText>;
  try {
    decoded = decodeText(bytes);
  } catch (err) {
    // V8 cannot hold one string over ~512 Mi characters (the streaming reader has no such limit).
    return { ok: false, diagnostic: diagnostic('error', 'read-error', `cannot read file: ${(err as Error).message}`, { file }) };
  }
  if ('error' in decoded) return { ok: false, diagnostic: diagnostic('error', 'encoding', decoded.error, { file }) };
  return parseJsonText(decoded.text, file);
}

/** The in-memory path: the whole file as one string, one `JSON.parse`; fastest for files that fit. */
export async function readJsonExport(absolutePath: string, file: string): Promise<ExportRead> {
  const read = await readJsonFile(absolutePath, file);
  if (!read.ok) return read;
  const text = read.text;
  const locate: Locate = async (pointers) => {
    const offsets = scanJson(text, new Set(pointers)).offsets;
    return new Map([...offsets].map(([pointer, offset]) => [pointer, positionAt(text, offset)]));
  };
  return { ok: true, unwrapped: unwrap(read.value), locate };
}
