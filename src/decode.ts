/**
 * The one decoder for files posture-lint reads as text: exports, and every YAML or JSON file users
 * write (rules, the manifest, the config, waivers, baselines). UTF-8 with or without a byte order
 * mark, and UTF-16 LE/BE with one (what Windows PowerShell 5 `>` and `Out-File` write). Invalid
 * bytes are an error, never replaced: a U+FFFD in a rule's value silently matches nothing.
 */

import type { Position } from './diagnostics';

// ignoreBOM: the mark is taken off here, once; a second one is content, as the streaming reader
// (src/snapshot/utf8-chunks.ts) sees it, so both readers give a file with two marks the same error.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });

/** The `encoding` message for a file that does not decode; `head` is its first bytes. */
export function encodingProblem(head: Uint8Array): string {
  const utf16Hint = head.length > 1 && (head[0] === 0 || head[1] === 0) ? ' (UTF-16 without a byte order mark?)' : '';
  return `file is not valid UTF-8 or UTF-16 with a byte order mark${utf16Hint}`;
}

/**
 * Decodes a file's bytes: UTF-8 (BOM stripped) or, with a byte order mark, UTF-16 LE/BE. Invalid
 * byte sequences are an error, never silently replaced.
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

/** Bytes a UTF-8 sequence starting with `lead` takes, with the range of its second byte; 0 if `lead` starts none. */
function utf8Sequence(lead: number): [length: number, low: number, high: number] {
  if (lead < 0x80) return [1, 0, 0];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f]; // no UTF-16 surrogates
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

/** Offset of the first byte of the first invalid UTF-8 sequence from `start`, or -1. */
function invalidUtf8(bytes: Uint8Array, start: number): number {
  for (let i = start; i < bytes.length; ) {
    const [length, low, high] = utf8Sequence(bytes[i]);
    if (length === 0 || i + length > bytes.length) return i;
    if (length > 1 && (bytes[i + 1] < low || bytes[i + 1] > high)) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

/**
 * Where a file that `decodeText` rejects stops decoding: the 1-based line and column (in
 * characters) of the first invalid UTF-8 sequence, or of the lone surrogate or odd last byte of
 * UTF-16. Undefined when the file decodes.
 */
export function encodingErrorPosition(bytes: Uint8Array): Position | undefined {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (le || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const unit = (i: number) => (le ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1]);
    let line = 1;
    let column = 1;
    for (let i = 2; i < bytes.length; i += 2) {
      if (i + 1 >= bytes.length) return { line, column };
      const u = unit(i);
      if (u >= 0xdc00 && u <= 0xdfff) return { line, column };
      if (u >= 0xd800 && u <= 0xdbff) {
        const next = i + 3 < bytes.length ? unit(i + 2) : -1;
        if (next < 0xdc00 || next > 0xdfff) return { line, column };
        i += 2;
        column += 2;
        continue;
      }
      if (u === 0x0a) {
        line++;
        column = 1;
      } else column++;
    }
    return undefined;
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bad = invalidUtf8(bytes, start);
  if (bad < 0) return undefined;
  let lineStart = start;
  let line = 1;
  for (let i = start; i < bad; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // What precedes the bad byte on its line is valid, so it decodes; columns count characters.
  return { line, column: utf8.decode(bytes.subarray(lineStart, bad)).length + 1 };
}
