/**
 * Where a snapshot folder sits in the repository. GitHub resolves SARIF locations and annotation
 * files from the repository root ("SARIF support for code scanning": relative URIs are relative to
 * the root of the repository analysed), wherever the job's working directory is.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from './io';

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file in a worktree). */
async function gitRoot(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (await stat(path.join(current, '.git')).catch(() => undefined)) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** Where the snapshot folder and the working directory sit in the repository, `/`-separated. */
export interface RepositoryPlace {
  /** The snapshot folder's path from the repository root (`''` when it is the root). */
  snapshot: string;
  /** The working directory's, which names rule, waiver and baseline files; undefined when it lies outside. */
  workingDirectory?: string;
}

/**
 * The snapshot folder's place in the repository: from `--repo-root` when given, else from the git
 * checkout holding the folder. Undefined when the folder is in no checkout: formatters then name
 * files through the folder as given.
 */
export async function placeInRepository(snapshot: string, repoRoot: string | undefined, cwd: string): Promise<RepositoryPlace | undefined> {
  const folder = path.resolve(cwd, snapshot);
  const root = repoRoot !== undefined ? path.resolve(cwd, repoRoot) : await gitRoot(folder);
  if (root === undefined) return undefined;
  const inside = (dir: string) => {
    const relative = path.relative(root, dir);
    return relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
  };
  const place = inside(folder);
  if (place === undefined) throw new UsageError(`snapshot folder ${snapshot} is not inside --repo-root ${repoRoot}`);
  const workingDirectory = inside(path.resolve(cwd));
  return { snapshot: place, ...(workingDirectory !== undefined ? { workingDirectory } : {}) };
}
