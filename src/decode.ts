/**
 * The one decoder for files posture-lint reads as text: exports, and every YAML or JSON file users
 * write (rules, the manifest, the config, waivers, baselines). UTF-8 with or without a byte order
 * mark, and UTF-16 LE/BE with one (what Windows PowerShell 5 `>` and `Out-File` write). Invalid
 * bytes are an error, never replaced: a U+FFFD in a rule's value silently matches nothing.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

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
