/**
 * An export's bytes as UTF-8, chunk by chunk, for the streaming reader: the byte order mark is
 * dropped, UTF-16 with a byte order mark (what Windows PowerShell 5 `>` writes) is transcoded, and
 * every chunk is valid UTF-8 that ends on a character boundary. So any run of bytes between two
 * characters decodes on its own, and byte offsets into this stream are the reader's coordinates.
 */
import { isUtf8 } from 'node:buffer';
import type { Position } from '../diagnostics';
import { encodingProblem } from '../decode';
import { openInput } from '../input-file';

/** Bytes read per chunk: large enough that per-chunk work is noise, small next to any heap. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/** The file does not decode, as in memory it would not either (message from `encodingProblem`). */
export class EncodingError extends Error {}

interface Decoder {
  push(bytes: Buffer): Buffer;
  end(): Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Yields the file's content as UTF-8 chunks; throws `EncodingError` at the first undecodable byte, or the read error. */
export async function* utf8Chunks(path: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<Buffer> {
  // The byte order mark needs the first three bytes, which tiny chunks may deliver one by one.
  let head: Buffer | undefined = EMPTY;
  let decoder: Decoder | undefined;
  // The one reader's checks, on every pass: a file swapped for a link or a FIFO since it was listed is refused.
  const opened = await openInput(path);
  if ('problem' in opened) throw new Error(`the file ${opened.problem.message}`);
  for await (const raw of opened.handle.createReadStream({ highWaterMark: chunkSize }) as AsyncIterable<Buffer>) {
    let bytes = raw;
    if (head !== undefined) {
      head = Buffer.concat([head, raw]);
      if (head.length < 3) continue;
      [decoder, bytes] = decoderFor(head);
      head = undefined;
    }
    const out = (decoder as Decoder).push(bytes);
    if (out.length > 0) yield out;
  }
  if (head !== undefined) {
    const [last, bytes] = decoderFor(head);
    decoder = last;
    const out = decoder.push(bytes);
    if (out.length > 0) yield out;
  }
  const rest = (decoder as Decoder).end();
  if (rest.length > 0) yield rest;
}

/** The decoder the byte order mark asks for (the same choice as `decodeText`), and the bytes after the mark. */
function decoderFor(head: Buffer): [Decoder, Buffer] {
  const problem = encodingProblem(head.subarray(0, 2));
  if (head[0] === 0xff && head[1] === 0xfe) return [utf16Decoder('utf-16le', problem), head.subarray(2)];
  if (head[0] === 0xfe && head[1] === 0xff) return [utf16Decoder('utf-16be', problem), head.subarray(2)];
  const hasBom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return [utf8Decoder(problem), hasBom ? head.subarray(3) : head];
}

/** Checks UTF-8 chunk by chunk, carrying a character cut at a chunk's end over to the next chunk. */
function utf8Decoder(problem: string): Decoder {
  let carry = EMPTY;
  return {
    push(bytes) {
      const all = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
      const cut = completeLength(all);
      const out = all.subarray(0, cut);
      // A copy, so the carried bytes do not pin the whole chunk.
      carry = Buffer.from(all.subarray(cut));
      if (!isUtf8(out)) throw new EncodingError(problem);
      return out;
    },
    end() {
      if (carry.length > 0) throw new EncodingError(problem);
      return EMPTY;
    },
  };
}

function utf16Decoder(encoding: 'utf-16le' | 'utf-16be', problem: string): Decoder {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  const transcode = (decode: () => string): Buffer => {
    try {
      return Buffer.from(decode(), 'utf8');
    } catch {
      throw new EncodingError(problem);
    }
  };
  return {
    push: (bytes) => transcode(() => decoder.decode(bytes, { stream: true })),
    end: () => transcode(() => decoder.decode()),
  };
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 character. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let k = n - 1; k >= 0 && k >= n - 3; k--) {
    const b = bytes[k];
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return k + size > n ? k : n;
    }
  }
  return n;
}

/**
 * 1-based line:column (columns in UTF-16 code units, as `positionAt` counts them in the decoded
 * text) of byte offsets into the stream `utf8Chunks` yields. One more pass over the file, up to the
 * last offset: the streaming reader tracks no positions while it reads, since it rarely needs one.
 */
export async function positionsAt(path: string, offsets: readonly number[], chunkSize = DEFAULT_CHUNK_SIZE): Promise<Position[]> {
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
  const positions: Position[] = new Array<Position>(offsets.length);
  let line = 1;
  let column = 0; // code units between the last line start and the chunk position `pos`
  let next = 0;
  let base = 0;
  for await (const chunk of utf8Chunks(path, chunkSize)) {
    let pos = 0;
    const advance = (to: number): void => {
      for (let nl = chunk.indexOf(0x0a, pos); nl >= 0 && nl < to; nl = chunk.indexOf(0x0a, pos)) {
        line++;
        column = 0;
        pos = nl + 1;
      }
      column += chunk.toString('utf8', pos, to).length;
      pos = to;
    };
    while (next < order.length && offsets[order[next]] < base + chunk.length) {
      advance(Math.max(offsets[order[next]] - base, pos));
      positions[order[next++]] = { line, column: column + 1 };
    }
    if (next === order.length) break;
    advance(chunk.length);
    base += chunk.length;
  }
  for (; next < order.length; next++) positions[order[next]] = { line, column: column + 1 };
  return positions;
}
