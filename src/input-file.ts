/**
 * The one reader for files posture-lint did not write: exports, the snapshot manifest, the config,
 * rule files and their docs and test cases, waivers and baselines. They may come from a pull request
 * or a failed download, so before a byte is read the file is opened without following a link
 * (O_NOFOLLOW) and without waiting for a writer (O_NONBLOCK: a FIFO cannot hang the open), and the
 * open descriptor, not the name, is checked: a regular file, within the size its kind may have. A
 * file swapped for a link, a pipe or a device between listing and reading is refused the same way.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type InputKind = 'export' | 'manifest' | 'config' | 'rule' | 'rule-doc' | 'rule-case' | 'waivers' | 'baseline' | 'report';

/**
 * Bytes a file of each kind may hold when read whole. YAML is parsed at about 1.5 s and 35 MB of
 * heap per MB, so YAML files are small; an export larger than the in-memory threshold is streamed
 * (src/snapshot/stream.ts) and never read whole, so its cap only guards that path.
 */
export const MAX_INPUT_BYTES: Readonly<Record<InputKind, number>> = Object.freeze({
  export: 512 * 1024 * 1024,
  manifest: 2_000_000,
  config: 1_000_000,
  rule: 1_000_000,
  'rule-doc': 1_000_000,
  'rule-case': 1_000_000,
  waivers: 2_000_000,
  baseline: 256 * 1024 * 1024,
  // Reports read back by `trend` (src/trend/read.ts): one JavaScript string holds at most ~512 Mi characters.
  report: 500 * 1024 * 1024,
});

/** What a path is, for messages ("<the path> is a FIFO (named pipe), not …"); never its content. */
export function typeName(st: { isFile(): boolean; isFIFO(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why an input cannot be read; `message` is a predicate: "<the file> is a FIFO (named pipe), ...". */
export interface InputProblem {
  code: 'missing' | 'link' | 'not-regular' | 'too-large' | 'unreadable';
  message: string;
}

export interface OpenOptions {
  /** Follow a link at the name itself: only for a path the user named on the command line. */
  followLinks?: boolean;
}

/** Opens an input and checks the descriptor; the caller closes the handle. */
export async function openInput(abs: string, options: OpenOptions = {}): Promise<{ handle: FileHandle; size: number } | { problem: InputProblem }> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLinks ? 0 : constants.O_NOFOLLOW);
  let handle: FileHandle;
  try {
    handle = await open(abs, flags);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { problem: { code: 'missing', message: 'does not exist' } };
    if (err.code === 'ELOOP') return { problem: { code: 'link', message: 'is a symbolic link, which posture-lint does not follow' } };
    return { problem: { code: 'unreadable', message: `cannot be opened (${err.code ?? err.message})` } };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      return { problem: { code: 'not-regular', message: `is ${typeName(st)}, not a regular file; only regular files are read` } };
    }
    return { handle, size: st.size };
  } catch (e) {
    await handle.close().catch(() => undefined);
    return { problem: { code: 'unreadable', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` } };
  }
}

/** The problem of a file over its cap. */
export function tooLarge(kind: InputKind, limit = MAX_INPUT_BYTES[kind]): InputProblem {
  return { code: 'too-large', message: `is larger than the ${limit.toLocaleString('en-US')} bytes a ${kind.replace('-', ' ')} file may have` };
}

/**
 * A whole input file's bytes, at most `limit` (its kind's cap): the descriptor is checked first, and
 * reading stops one byte past the cap, so neither a file that grows nor one whose size the system
 * does not report (`/proc`) can be read without end.
 */
export async function readInput(abs: string, kind: InputKind, options: OpenOptions & { limit?: number } = {}): Promise<InputRead> {
  const opened = await openInput(abs, options);
  if ('problem' in opened) return opened;
  return readOpened(opened, kind, options.limit);
}

/** A whole input's bytes, or why they could not be read. */
export type InputRead = { bytes: Buffer } | { problem: InputProblem };

/**
 * Memory reused by the whole-file reads of one snapshot. Each read's bytes live outside V8's heap,
 * and V8 starts a full collection whenever such memory grows by 64 MB: a snapshot of a million
 * devices (4.9 GB of exports) took 71 full collections while it loaded, each marking every record
 * kept so far. Reads into buffers handed back once their bytes are decoded keep that memory flat
 * (8 full collections). One per load, never shared: a buffer must not be handed
 * back while anything still reads it.
 */
export class ReadBuffers {
  private readonly free: Buffer<ArrayBuffer>[] = [];
  /** The memory of the buffers handed out and not yet back: only those are taken back, once each. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  /**
   * @param keep free buffers kept for the next reads, and `keepBytes` the bytes they may hold
   * together: beyond either, free buffers are let go, the smallest first
   */
  constructor(
    private readonly keep = 4,
    private readonly keepBytes = 160 * 1024 * 1024,
  ) {}

  /** A buffer of at least `size` bytes: the smallest free one that fits, or a new one with room to spare. */
  acquire(size: number): Buffer<ArrayBuffer> {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= size && (best < 0 || this.free[i].length < this.free[best].length)) best = i;
    }
    // Pages of one export differ by a few percent: a quarter more lets the next, larger one fit.
    const buffer = best >= 0 ? this.free.splice(best, 1)[0] : Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / BUFFER_STEP) * BUFFER_STEP);
    this.lent.add(buffer.buffer);
    return buffer;
  }

  /** Takes back the buffer behind bytes read into one this pool handed out; anything else is ignored. */
  release(bytes: Uint8Array): void {
    const memory = bytes.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.lent.has(memory)) return;
    this.lent.delete(memory);
    this.free.push(Buffer.from(memory));
    this.free.sort((a, b) => b.length - a.length);
    let held = 0;
    let kept = 0;
    // The largest first: they fit every read the smaller ones would; one is kept whatever its size.
    while (kept < Math.min(this.free.length, this.keep) && (kept === 0 || held + this.free[kept].length <= this.keepBytes)) held += this.free[kept++].length;
    this.free.length = kept;
  }
}

/** Buffers are made in whole mebibytes. */
const BUFFER_STEP = 1024 * 1024;

/**
 * The bytes of an input `openInput` opened and checked, read from that descriptor (so what was
 * checked is what is read), as `readInput` reads them; closes the handle. With `buffers`, the bytes
 * are read into one of its buffers, to be handed back with `buffers.release` once they are used.
 */
export async function readOpened(opened: { handle: FileHandle; size: number }, kind: InputKind, limit = MAX_INPUT_BYTES[kind], buffers?: ReadBuffers): Promise<InputRead> {
  const { handle, size } = opened;
  let buffer: Buffer = EMPTY;
  try {
    if (size > limit) return { problem: tooLarge(kind, limit) };
    // One byte more than the size told, so the read that finds the end needs no other buffer.
    buffer = buffers?.acquire(size + 1) ?? Buffer.allocUnsafe(size + 1);
    let total = 0;
    for (;;) {
      // A file that grew since it was checked: a larger buffer, up to one byte past the cap.
      if (total === buffer.length) buffer = grown(buffer, Math.min(Math.max(buffer.length * 2, 64 * 1024), limit + 1), buffers);
      const { bytesRead } = await handle.read(buffer, total, Math.min(buffer.length, limit + 1) - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) return { problem: tooLarge(kind, limit) };
    }
    const bytes = buffer.subarray(0, total);
    buffer = EMPTY;
    return { bytes };
  } catch (e) {
    return { problem: { code: 'unreadable', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` } };
  } finally {
    buffers?.release(buffer);
    await handle.close().catch(() => undefined);
  }
}

const EMPTY = Buffer.alloc(0);

/** `buffer`'s bytes in a buffer of `size`; the old one goes back to the pool. */
function grown(buffer: Buffer, size: number, buffers?: ReadBuffers): Buffer {
  const larger = buffers?.acquire(size) ?? Buffer.allocUnsafe(size);
  buffer.copy(larger);
  buffers?.release(buffer);
  return larger;
}
