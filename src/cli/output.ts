/**
 * Writing reports: whole or not at all, so an upload step never reads a half-written report; never
 * onto what the run reads, so a report cannot replace an export, a rule or a gate setting; and a
 * signal that stops the run leaves no temporary file behind.
 */
import { closeSync, openSync, readSync, rmSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, realpath, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import * as path from 'node:path';
import { findRuleFiles } from '../rules/load';
import { UsageError } from './io';

/** Temporary files of writes in progress, removed if a signal ends the process first. */
const pending = new Set<string>();

/**
 * Writes a report: its text, or its pieces in order (a report too large for one string, see
 * src/report/formatters/pieces.ts), each written as it comes.
 */
export async function writeFileAtomic(file: string, text: string | Iterable<string>): Promise<void> {
  if (await writtenInPlace(file)) {
    await writeText(file, text);
    return;
  }
  const tmp = temporaryFileOf(file);
  pending.add(tmp);
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeText(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/**
 * Outputs written to as they are, never replaced by a rename: a device or pipe (/dev/null, a FIFO),
 * and a symbolic link, whose rename would replace the link itself. `/dev/stdout` is a link: with
 * stdout redirected to a file, a rename would have put a regular file in place of `/dev/stdout`.
 */
export async function writtenInPlace(file: string): Promise<boolean> {
  if ((await lstat(file).catch(() => undefined))?.isSymbolicLink()) return true;
  const existing = await stat(file).catch(() => undefined);
  return existing !== undefined && !existing.isFile();
}

/** Where writeFileAtomic writes `file` before the rename: the same in a worker, which shares the process id. */
function temporaryFileOf(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
}

/**
 * Reports a worker writes: a signal reaches this thread only, and the worker's writes in progress
 * are not in its list, so their temporary files are named here for removeTemporaryFiles until
 * `done` is called.
 */
export function removedOnSignal(files: readonly string[]): { done: () => void } {
  const tmps = files.map(temporaryFileOf).filter((tmp) => !pending.has(tmp));
  for (const tmp of tmps) pending.add(tmp);
  return { done: () => tmps.forEach((tmp) => pending.delete(tmp)) };
}

async function writeText(file: string, text: string | Iterable<string>): Promise<void> {
  if (typeof text === 'string') {
    await writeFile(file, text);
    return;
  }
  const handle = await open(file, 'w');
  try {
    // writeFile, not write: write makes one system call, and a disk that fills or a file-size limit
    // takes part of a block without an error; writeFile writes the rest, or fails saying why.
    for (const block of lineBlocks(text)) await handle.writeFile(block);
  } finally {
    await handle.close();
  }
}

/** What lineBlocks gathers before it writes: few writes, and little held at once. */
const BLOCK_CHARS = 1024 * 1024;

/**
 * Pieces gathered into blocks of about BLOCK_CHARS that end at a line break (the last block
 * excepted), however the pieces are cut. Whole lines let the one terminal sanitiser see each block
 * as it would the whole text: what it escapes (a line that starts a runner command, a `##vso[`, a
 * surrogate pair) never spans a line break.
 */
export function* lineBlocks(pieces: Iterable<string>): Generator<string> {
  let held = '';
  for (const piece of pieces) {
    // Only the new piece is searched for a line break, so a long line costs no rescans.
    const end = held.length + piece.length < BLOCK_CHARS ? -1 : piece.lastIndexOf('\n');
    if (end < 0) {
      held += piece;
      continue;
    }
    yield held + piece.slice(0, end + 1);
    held = piece.slice(end + 1);
  }
  if (held !== '') yield held;
}

/** Scratch folders in use, removed with what they hold if a signal ends the process first. */
const scratchFolders = new Set<string>();

/** A scratch folder for the run, and how to remove it. */
export async function scratchFolder(): Promise<{ folder: string; remove: () => void }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'posture-lint-'));
  scratchFolders.add(folder);
  return {
    folder,
    remove: () => {
      rmSync(folder, { recursive: true, force: true });
      scratchFolders.delete(folder);
    },
  };
}

/** A file's text in pieces of about 4 MB, read as it is needed (a report written to a scratch file, printed). */
export function* fileText(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(4 * 1024 * 1024);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) yield decoder.write(buffer.subarray(0, n));
    yield decoder.end();
  } finally {
    closeSync(fd);
  }
}

/** Removes the temporary files of writes in progress (synchronously: a signal handler runs last). */
export function removeTemporaryFiles(): void {
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
    } catch {
      // Not created yet, or already renamed.
    }
  }
  pending.clear();
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
  scratchFolders.clear();
}

/**
 * A handler for `signal` that removes temporary files, then lets the signal end the process as it
 * would have without the handler (bin.ts installs it for SIGINT and SIGTERM).
 */
export function removeTemporaryFilesOn(signal: NodeJS.Signals): () => void {
  return () => {
    removeTemporaryFiles();
    process.kill(process.pid, signal);
  };
}

/** What a run reads: snapshot folders, and files (config, manifest, waivers, baseline) and rule paths. */
export interface RunInputs {
  folders: readonly string[];
  files: readonly (string | undefined)[];
  rules: readonly string[];
}

/** The same file whatever the spelling: device and inode when it exists, else its real folder and name. */
async function identity(file: string): Promise<string> {
  const st = await stat(file).catch(() => undefined);
  if (st) return `${st.dev}:${st.ino}`;
  return path.join(await realFolder(path.dirname(file)), path.basename(file));
}

/** The real path of a folder, or of its nearest existing ancestor with the rest appended. */
async function realFolder(folder: string): Promise<string> {
  const real = await realpath(folder).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = path.dirname(folder);
  return parent === folder ? folder : path.join(await realFolder(parent), path.basename(folder));
}

/**
 * Refuses, as a usage error, reports that would lose data: two reports to one file (the first would
 * be lost), a report onto a file the run reads (an export, the config, the manifest, waivers, a
 * baseline, a rule) or into a snapshot folder (the next run would read it as an export). Devices and
 * pipes (`/dev/null`, `/dev/stdout`) are written to, never replaced, and are not checked.
 */
export async function refuseUnsafeOutputs(outputs: readonly string[], inputs: RunInputs, cwd: string): Promise<void> {
  const resolved = outputs.map((o) => path.resolve(cwd, o));
  const regular: { output: string; abs: string; id: string }[] = [];
  for (const [i, abs] of resolved.entries()) {
    const st = await stat(abs).catch(() => undefined);
    if (st && !st.isFile()) continue;
    regular.push({ output: outputs[i], abs, id: await identity(abs) });
  }
  for (const [i, o] of regular.entries()) {
    const twin = regular.findIndex((other, j) => j !== i && other.id === o.id);
    if (twin >= 0 && twin < i) throw new UsageError(`--output ${regular[twin].output} and --output ${o.output} are the same file: the first report would be lost; give each --format its own file`);
  }
  const ruleFiles = (await findRuleFiles(inputs.rules.map((r) => path.resolve(cwd, r)))).files.map((f) => f.abs);
  const files = new Map<string, string>();
  for (const f of [...inputs.files, ...ruleFiles]) {
    if (f === undefined) continue;
    const abs = path.resolve(cwd, f);
    if (await stat(abs).catch(() => undefined)) files.set(await identity(abs), f);
  }
  const folders = await Promise.all(inputs.folders.map(async (f) => ({ folder: f, real: await realFolder(path.resolve(cwd, f)) })));
  for (const o of regular) {
    const input = files.get(o.id);
    if (input !== undefined) throw new UsageError(`--output ${o.output} is ${input}, which this run reads; write the report elsewhere`);
    const real = await realFolder(path.dirname(o.abs));
    const inside = folders.find((f) => real === f.real || real.startsWith(`${f.real}${path.sep}`));
    if (inside) throw new UsageError(`--output ${o.output} is inside the snapshot folder ${inside.folder}, which the next run would read; write the report elsewhere`);
  }
}
