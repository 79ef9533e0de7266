/**
 * Every listing of a folder's files goes through here. fast-glob (3.x) reads a backslash in its
 * `cwd` as an escape on POSIX and lists nothing below it, so a folder of exports, rules or test
 * cases whose path holds one would look empty, and a gate pass on what it never read. Such a
 * folder is refused instead, as an I/O error (exit 2, named, no stack).
 */
import fg from 'fast-glob';
import { sep } from 'node:path';

/** Why the files below `folder` cannot be listed, if they cannot. */
export function whyUnlistable(folder: string): string | undefined {
  if (sep !== '/' || !folder.includes('\\')) return undefined;
  return `cannot list the files in ${folder}: a backslash in the folder's path stops the file listing; rename the folder, or give it through a link whose path has none`;
}

function refuseUnlistable(folder: string): void {
  const why = whyUnlistable(folder);
  if (why !== undefined) throw Object.assign(new Error(why), { code: 'EUNLISTABLE', syscall: 'scandir', path: folder });
}

/** The paths below `options.cwd` that match `patterns`, relative to it. */
export function glob(patterns: string | string[], options: fg.Options & { cwd: string }): Promise<string[]> {
  refuseUnlistable(options.cwd);
  return fg(patterns, options);
}

/** glob, with each entry's stats. */
export function globEntries(patterns: string | string[], options: fg.Options & { cwd: string }): Promise<fg.Entry[]> {
  refuseUnlistable(options.cwd);
  return fg(patterns, { ...options, stats: true });
}
