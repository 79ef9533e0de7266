/**
 * The lint as it runs on a CI agent with less memory than this machine: the job the CLI makes for
 * `lint <snapshot> --format json --output <file> --ruleset all` with no configuration file, through
 * the same lint-job code, in a worker whose heap limit is the one posture-lint gives itself
 * on an agent of `<agent GB>` (3/4 of its memory, src/cli/lint-job.ts). Writes the JSON report in
 * that worker, as the CLI does; exit codes as the CLI's, 2 when the worker runs out of memory.
 *
 *   node agent.js <package-root> <agent GB> <snapshot> <report.json>
 *
 * Transpiled and run with plain node by bench/run.ts (`--agent`, `--agent-sizes`); requires dist/
 * at run time (the import below is of types only).
 */
import { join, resolve } from 'path';
import type { JobOutput, SnapshotJob, WrittenResult } from '../src/cli/lint-job';

interface LintJob {
  jobFor(snapshot: string, values: { ruleset?: string }, cwd: string): SnapshotJob;
  lintAndWrite(jobs: (SnapshotJob & { outputs: JobOutput[] })[], options: { heapMb: number }): Promise<WrittenResult[]>;
}

async function main(args: string[]): Promise<number> {
  const [packageRoot, agentGb, snapshot, output] = args;
  const heapMb = Math.floor(Number(agentGb) * 1024 * 0.75);
  if (!packageRoot || !(heapMb >= 1) || !snapshot || !output) {
    process.stderr.write('usage: node agent.js <package-root> <agent GB> <snapshot> <report.json>\n');
    return 2;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const jobs = require(join(packageRoot, 'dist', 'src', 'cli', 'lint-job.js')) as LintJob;
  // The report is written in the worker that made it, as the CLI writes it (lintAndWrite): it never crosses to this thread.
  const outputs: JobOutput[] = [{ format: 'json', file: resolve(output), context: { color: false } }];
  const [{ exitCode }] = await jobs.lintAndWrite([{ ...jobs.jobFor(snapshot, { ruleset: 'all' }, process.cwd()), outputs }], { heapMb });
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
