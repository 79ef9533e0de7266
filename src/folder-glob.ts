/**
 * Every listing of a folder's files goes through here. fast-glob (3.x) reads a backslash in its
 * `cwd` as an escape on POSIX and lists nothing below it, so a folder of exports, rules or test
 * cases whose path holds one would look empty, and a gate would pass on what it never read. Such
 * a folder is refused instead, as an I/O error (exit 2, named, no stack).
 */
import fg from 'fast-glob';
import { resolve, sep } from 'node:path';

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
  return fg(patterns, { ...options, cwd: listable(options.cwd) });
}

/** glob, with each entry's stats. */
export function globEntries(patterns: string | string[], options: fg.Options & { cwd: string }): Promise<fg.Entry[]> {
  return fg(patterns, { ...options, cwd: listable(options.cwd), stats: true });
}
