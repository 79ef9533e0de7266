/**
 * The byte-level scanner behind the streaming reader. It cuts a JSON document into the values worth
 * parsing one at a time: each element of a records array (a top-level array, or a `value` / `data`
 * array member of the top-level object) and every other top-level member, whole. It tracks only
 * nesting and strings, over Buffers; `JSON.parse` checks each value, and when something is wrong
 * `scanJson` words the problem, so the streamed and in-memory paths report the same message at the
 * same place.
 */
import { scanJson } from './json-scan';

/** Where the scanner is in the document's top level; also the context a failing value is reported in. */
export type Mode =
  | 'root' | 'key-or-end' | 'key' | 'colon' | 'member' | 'after-member'
  | 'element-or-end' | 'element' | 'after-element' | 'done';

/** Members of a top-level object whose array value is read element by element (the envelopes' record arrays). */
const RECORD_ARRAYS = new Set(['value', 'data']);

/** One value found by the scanner. */
export interface ValueAt {
  /** Top-level member the value is (index < 0) or is an element of; undefined under a top-level array. */
  key: string | undefined;
  /** Element index in its array; -1 for a member's value or the top-level value itself. */
  index: number;
  /** Byte offset of its first byte. */
  start: number;
  /** The mode the value started in (the context for reporting a malformed number or literal). */
  mode: Mode;
  /** A number or literal: only its context can tell where it goes wrong (`truex` is `true` then junk). */
  scalar: boolean;
}

/** Why a document cannot be read: a message and, when known, the byte offset it is about. */
export interface ScanFailure {
  code: 'json-syntax' | 'empty-file' | 'encoding' | 'read-error';
  message: string;
  offset?: number;
}

export interface ScanSink {
  /** The top-level container opens (key undefined), or a member's records array does. */
  open(kind: 'object' | 'array', key: string | undefined, start: number): void;
  /** A value, as its bytes (valid only during the call); a failure stops the scan. */
  value(at: ValueAt, bytes: Buffer): ScanFailure | undefined;
  /** A top-level key the document already had, at byte offset `start`. */
  duplicateKey?(key: string, start: number): void;
}

/** One value larger than this is refused rather than let it exhaust the heap or V8's string limit. */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Bytes that continue a number or literal (and the junk glued to one, which the context check then names). */
function isScalarByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2e || b === 0x2b || b === 0x2d;
}

/** Text that puts `scanJson` in a mode, so it judges what follows as it would in the whole document. */
const REPLAY_PREFIX: Readonly<Record<Mode, string>> = {
  root: '',
  'key-or-end': '{',
  key: '{"":0,',
  colon: '{""',
  member: '{"":',
  'after-member': '{"":0',
  'element-or-end': '[',
  element: '[0,',
  'after-element': '[0',
  done: '0',
};

/**
 * The failure for `text` (starting at byte `start`) that `JSON.parse` rejected: `scanJson`'s words
 * and place, judged standalone or, for a number, literal or structural character, in `mode`.
 */
export function locateFailure(text: string, start: number, err: unknown, mode?: Mode): ScanFailure {
  const prefix = mode === undefined ? '' : REPLAY_PREFIX[mode];
  const found = scanJson(prefix + text).error;
  if (found === undefined) {
    // The scanner accepts what JSON.parse rejected: report JSON.parse's own words, without a position.
    return { code: 'json-syntax', message: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const at = Math.min(Math.max(found.offset - prefix.length, 0), text.length);
  return { code: 'json-syntax', message: `invalid JSON: ${found.message}`, offset: start + Buffer.byteLength(text.slice(0, at)) };
}

/** Parses one value the scanner found, or says where it is malformed. */
export function parseValue(at: ValueAt, bytes: Buffer): { value: unknown; text: string } | ScanFailure {
  const text = bytes.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch (err) {
    return locateFailure(text, at.start, err, at.scalar ? at.mode : undefined);
  }
}

/** The bytes of a value that spans chunks, kept until its last chunk arrives. */
export class PendingBytes {
  private parts: Buffer[] = [];
  private length = 0;

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** Keeps `bytes`; false once the value has grown past `MAX_VALUE_BYTES`. */
  add(bytes: Buffer): boolean {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this.length <= MAX_VALUE_BYTES;
  }

  /** The whole value: the kept bytes, then `last`; the buffer is empty again. */
  take(last: Buffer): Buffer {
    if (this.parts.length === 0) return last;
    const bytes = Buffer.concat([...this.parts, last]);
    this.parts = [];
    this.length = 0;
    return bytes;
  }
}

type Piece = 'value' | 'scalar' | 'key';

export class JsonScanner {
  private mode: Mode = 'root';
  /** The array modes belong to a member's records array (else to the top-level array). */
  private inMemberArray = false;
  private key: string | undefined;
  private index = -1;
  /** Top-level keys seen: a repeat is reported, since readers keep only the last. */
  private readonly keys = new Set<string>();

  // The value being cut out, possibly over several chunks.
  private piece: Piece | undefined;
  private pieceMode: Mode = 'root';
  private pieceStart = 0;
  private readonly pending = new PendingBytes();
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly sink: ScanSink) {}

  /** Scans the next chunk; `base` is the byte offset of its first byte. */
  push(chunk: Buffer, base: number): ScanFailure | undefined {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.piece !== undefined) {
        const from = i;
        const end = this.piece === 'scalar' ? this.scanScalar(chunk, i) : this.scanValue(chunk, i);
        if (end < 0) return this.pending.add(chunk.subarray(from)) ? undefined : this.tooLarge();
        const failure = this.complete(this.pending.take(chunk.subarray(from, end)));
        if (failure !== undefined) return failure;
        i = end;
        continue;
      }
      const b = chunk[i];
      if (isWhitespace(b)) {
        i++;
        continue;
      }
      const step = this.structure(b, base + i);
      if (step === 'error') return this.unexpected(chunk, i, base);
      if (step === 'consumed') i++;
    }
    return undefined;
  }

  /** End of input at byte offset `length`. */
  end(length: number): ScanFailure | undefined {
    if (this.piece !== undefined) {
      // A number ends at the end of the file; anything else left open is reported by the parse.
      const failure = this.complete(this.pending.take(Buffer.alloc(0)));
      if (failure !== undefined) return failure;
    }
    if (this.mode === 'done') return undefined;
    if (this.mode === 'root') return { code: 'empty-file', message: 'file is empty' };
    return locateFailure('', length, undefined, this.mode);
  }

  /** Handles a structural byte: consumed, the start of a value left to `push`, or an error. */
  private structure(b: number, offset: number): 'consumed' | 'value' | 'error' {
    switch (this.mode) {
      case 'root':
        if (b === LBRACE) return this.openRoot('object', 'key-or-end', offset);
        if (b === LBRACKET) return this.openRoot('array', 'element-or-end', offset);
        return this.startValue(b, offset);
      case 'key-or-end':
        if (b === RBRACE) return this.to('done');
        return b === QUOTE ? this.startPiece('key', offset) : 'error';
      case 'key':
        return b === QUOTE ? this.startPiece('key', offset) : 'error';
      case 'colon':
        return b === 0x3a ? this.to('member') : 'error';
      case 'member':
        if (b === LBRACKET && RECORD_ARRAYS.has(this.key as string)) {
          this.sink.open('array', this.key, offset);
          this.inMemberArray = true;
          this.index = -1;
          return this.to('element-or-end');
        }
        return this.startValue(b, offset);
      case 'after-member':
        if (b === 0x2c) return this.to('key');
        return b === RBRACE ? this.to('done') : 'error';
      case 'element-or-end':
        if (b === RBRACKET) return this.closeArray();
        return this.startElement(b, offset);
      case 'element':
        return this.startElement(b, offset);
      case 'after-element':
        if (b === 0x2c) return this.to('element');
        return b === RBRACKET ? this.closeArray() : 'error';
      case 'done':
        return 'error';
    }
  }

  private to(mode: Mode): 'consumed' {
    this.mode = mode;
    return 'consumed';
  }

  private openRoot(kind: 'object' | 'array', mode: Mode, offset: number): 'consumed' {
    this.sink.open(kind, undefined, offset);
    this.key = undefined;
    return this.to(mode);
  }

  private closeArray(): 'consumed' {
    const mode = this.inMemberArray ? 'after-member' : 'done';
    this.inMemberArray = false;
    this.index = -1;
    return this.to(mode);
  }

  private startElement(b: number, offset: number): 'value' | 'error' {
    const step = this.startValue(b, offset);
    if (step === 'value') this.index++;
    return step;
  }

  private startValue(b: number, offset: number): 'value' | 'error' {
    if (b === LBRACE || b === LBRACKET || b === QUOTE) return this.startPiece('value', offset);
    if (b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e) return this.startPiece('scalar', offset);
    return 'error';
  }

  private startPiece(piece: Piece, offset: number): 'value' {
    this.piece = piece;
    this.pieceMode = this.mode;
    this.pieceStart = offset;
    this.depth = 0;
    this.inString = false;
    return 'value';
  }

  /** Index just past the container or string starting (or continuing) at `i`, or -1 when the chunk ends first. */
  private scanValue(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    if (this.escaped) {
      // The previous chunk ended on a backslash: this byte is escaped.
      this.escaped = false;
      i++;
    }
    for (;;) {
      if (inString) {
        // Jump from quote to quote (memchr); a quote after an odd run of backslashes is escaped.
        for (;;) {
          const q = i < n ? chunk.indexOf(QUOTE, i) : -1;
          if (q < 0) {
            let k = n;
            while (k > i && chunk[k - 1] === BACKSLASH) k--;
            this.escaped = (n - k) % 2 === 1;
            this.depth = depth;
            this.inString = true;
            return -1;
          }
          let k = q;
          while (k > i && chunk[k - 1] === BACKSLASH) k--;
          i = q + 1;
          if ((q - k) % 2 === 0) break;
        }
        inString = false;
        if (depth === 0) return i;
      }
      if (i >= n) {
        this.depth = depth;
        this.inString = false;
        return -1;
      }
      const b = chunk[i++];
      if (b === QUOTE) inString = true;
      else if (b === LBRACE || b === LBRACKET) depth++;
      else if ((b === RBRACE || b === RBRACKET) && --depth === 0) return i;
    }
  }

  private scanScalar(chunk: Buffer, i: number): number {
    const n = chunk.length;
    while (i < n && isScalarByte(chunk[i])) i++;
    return i < n ? i : -1;
  }

  /** A piece is complete: parse a key, hand a value to the sink, and move on. */
  private complete(bytes: Buffer): ScanFailure | undefined {
    const piece = this.piece;
    this.piece = undefined;
    if (piece === 'key') {
      const parsed = parseValue({ key: undefined, index: -1, start: this.pieceStart, mode: this.pieceMode, scalar: false }, bytes);
      if (!('value' in parsed)) return parsed;
      this.key = parsed.value as string;
      if (this.keys.has(this.key)) this.sink.duplicateKey?.(this.key, this.pieceStart);
      this.keys.add(this.key);
      this.mode = 'colon';
      return undefined;
    }
    const inArray = this.pieceMode === 'element' || this.pieceMode === 'element-or-end';
    const at: ValueAt = {
      key: this.key,
      index: inArray ? this.index : -1,
      start: this.pieceStart,
      mode: this.pieceMode,
      scalar: piece === 'scalar',
    };
    const failure = this.sink.value(at, bytes);
    this.mode = inArray ? 'after-element' : this.pieceMode === 'member' ? 'after-member' : 'done';
    return failure;
  }

  /** A byte that cannot come here: `scanJson`, put in the same mode, words it. */
  private unexpected(chunk: Buffer, i: number, base: number): ScanFailure {
    // Chunks end on character boundaries, so the offending character is whole in this one.
    const window = chunk.toString('utf8', i, Math.min(chunk.length, i + 8));
    return locateFailure(window, base + i, undefined, this.mode);
  }

  private tooLarge(): ScanFailure {
    return {
      code: 'read-error',
      message: `a single value of this file is larger than ${MAX_VALUE_BYTES / 1024 / 1024} MiB and cannot be read`,
      offset: this.pieceStart,
    };
  }
}
