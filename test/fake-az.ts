/**
 * Running scripts/export-snapshot.sh (the repository's, or an installed package's copy) against the
 * fake `az` of test/fixtures/fake-az, which answers each command from a route table of canned
 * responses. PATH holds only the fake az, node and the few POSIX tools the script uses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Route } from './export-snapshot-canned';

const FAKE_AZ = path.resolve('test/fixtures/fake-az');
const TOOLS = ['bash', 'node', 'cat', 'date', 'dirname', 'ls', 'mkdir', 'mktemp', 'rm', 'sed'];

export interface ExportRun {
  code: number | null;
  stderr: string;
  /** Every az call, as its argument list, in order. */
  calls: string[][];
  /** The snapshot folder. */
  out: string;
}

/** `<scratch>/bin`: only the tools the script needs, linked from where the test's own PATH finds them. */
export function makeToolsDir(scratchRoot: string): void {
  const dir = path.join(scratchRoot, 'bin');
  mkdirSync(dir);
  for (const tool of TOOLS) {
    const found = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (found === undefined) throw new Error(`${tool} is not on PATH`);
    symlinkSync(found, path.join(dir, tool));
  }
}

/** Runs `script` in `cwd` with the fake az answering `routes` (makeToolsDir(scratchRoot) first). */
export function runWithFakeAz(script: string, routes: readonly Route[], args: string[], scratchRoot: string, cwd: string): ExportRun {
  const fake = mkdtempSync(path.join(scratchRoot, 'fake-az-'));
  const table = routes.map((route, id) => {
    if (route.response.stdout !== undefined) writeFileSync(path.join(fake, `${id}.stdout`), route.response.stdout);
    if (route.response.stderr !== undefined) writeFileSync(path.join(fake, `${id}.stderr`), route.response.stderr);
    return `${id}\t${route.response.exit ?? 0}\t${route.argv.join('\x1f')}\n`;
  });
  writeFileSync(path.join(fake, 'routes.tsv'), table.join(''));
  const log = path.join(fake, 'calls.log');
  writeFileSync(log, '');
  const r = spawnSync(script, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: `${FAKE_AZ}${path.delimiter}${path.join(scratchRoot, 'bin')}`, TMPDIR: scratchRoot, FAKE_AZ_DIR: fake, FAKE_AZ_LOG: log },
  });
  const calls = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\x1f'));
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(cwd, args[outIndex + 1]) : path.join(cwd, readdirSync(cwd).filter((f) => f.startsWith('snapshot-'))[0] ?? '');
  return { code: r.status, stderr: r.stderr, calls, out };
}
