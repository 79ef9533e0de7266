/**
 * Every listing of a folder's files goes through here. fast-glob (3.x) reads a backslash in its
 * `cwd` as an escape on POSIX and lists nothing below it, so a folder of exports, rules or test
 * cases whose path holds one would look empty, and a gate would pass on what it never read. Such
 * a folder is refused instead, as an I/O error (exit 2, named, no stack). So is a listing that
 * fails on the way (a folder below that this user may not read, a pipe where a folder should be):
 * it fails the run, in words, never with node's ("EACCES: permission denied, scandir '…'").
 */
import fg from 'fast-glob';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { typeName } from './input-file';

/** Why the files below `folder` cannot be listed, if they cannot. */
export function whyUnlistable(folder: string): string | undefined {
  if (sep !== '/' || !folder.includes('\\')) return undefined;
  return `cannot list the files in ${folder}: a backslash in the folder's path stops the file listing; rename the folder, or give it through a link whose path has none`;
}

/** `folder` made absolute (a relative one is read from the working directory, whose path counts too), unless it cannot be listed. */
function listable(folder: string): string {
  const absolute = resolve(folder);
  const why = whyUnlistable(absolute);
  if (why !== undefined) throw Object.assign(new Error(why), { code: 'EUNLISTABLE', syscall: 'scandir', path: absolute });
  return absolute;
}

/** The paths below `options.cwd` that match `patterns`, relative to it. */
export function glob(patterns: string | string[], options: fg.Options & { cwd: string }): Promise<string[]> {
  return listed(options.cwd, (cwd) => fg(patterns, { ...options, cwd }));
}

/** glob, with each entry's stats. */
export function globEntries(patterns: string | string[], options: fg.Options & { cwd: string }): Promise<fg.Entry[]> {
  return listed(options.cwd, (cwd) => fg(patterns, { ...options, cwd, stats: true }));
}

/** `list` run on `folder` made absolute; a failure of the file system is told in words. */
async function listed<T>(folder: string, list: (cwd: string) => Promise<T>): Promise<T> {
  const cwd = listable(folder);
  try {
    return await list(cwd);
  } catch (e) {
    throw await unlisted(cwd, e);
  }
}

/**
 * The error for a listing of `root` that failed: the folder itself when it is none (a FIFO, a
 * device, a file: ENOTDIR) or cannot be read, else the entry below it that could not be read, named
 * relative to it as the files found are. fast-glob gives up on the first such entry, so no listing
 * comes back without it. Anything but a file-system error is a bug, and keeps its stack.
 */
async function unlisted(root: string, e: unknown): Promise<unknown> {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.syscall !== 'string' || typeof err.path !== 'string') return e;
  const below = relative(root, err.path).split(sep).join('/');
  let why: string;
  if (below === '' && err.code === 'ENOTDIR') {
    const found = await stat(root).catch(() => undefined);
    why = found === undefined ? `${root} is not a folder` : `${root} is ${typeName(found)}, not a folder`;
  } else if (below === '') {
    why = `cannot list the files in ${root}: ${systemReason(err)}`;
  } else {
    why = `cannot list the files in ${root}: ${err.syscall === 'scandir' ? 'the folder ' : ''}${below} cannot be read (${systemReason(err)})`;
  }
  return Object.assign(new Error(why), { code: err.code, syscall: err.syscall, path: err.path });
}

/** Whether a system error says this user may not read or enter the path. */
export function isDenied(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EACCES' || err.code === 'EPERM';
}

/** A system error's reason in words where there are plain ones, else its code. */
export function systemReason(err: NodeJS.ErrnoException): string {
  return isDenied(err) ? 'permission denied' : (err.code ?? err.message);
}
