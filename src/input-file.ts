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

/** What the file is, when it is not a regular file; named in the message, never its content. */
function typeName(st: { isFIFO(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
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
 * The bytes of an input `openInput` opened and checked, read from that descriptor (so what was
 * checked is what is read), as `readInput` reads them; closes the handle.
 */
export async function readOpened(opened: { handle: FileHandle; size: number }, kind: InputKind, limit = MAX_INPUT_BYTES[kind]): Promise<InputRead> {
  const { handle, size } = opened;
  try {
    if (size > limit) return { problem: tooLarge(kind, limit) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(Math.max(size - total, 64 * 1024), limit + 1 - total);
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) return { problem: tooLarge(kind, limit) };
    }
    return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } catch (e) {
    return { problem: { code: 'unreadable', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` } };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
