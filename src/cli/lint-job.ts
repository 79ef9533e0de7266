/** One snapshot's lint, described by plain data so it can run in this thread or in a worker. */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../config';
import { lint } from '../lint';
import type { Report, RuleMeta } from '../report/model';

export interface SnapshotJob {
  snapshot: string;
  ruleset?: string;
  rules?: string[];
  manifest?: string;
  now?: string;
  configFile?: string;
  waivers?: string;
  baseline?: string;
  cwd: string;
}

export interface SnapshotResult {
  report: Report;
  rules: RuleMeta[];
}

/** A job from parsed command-line values (lint and baseline create share their options). */
export function jobFor(
  snapshot: string,
  values: { ruleset?: string; rules?: string[]; manifest?: string; now?: string; config?: string; waivers?: string; baseline?: string },
  cwd: string,
): SnapshotJob {
  const { ruleset, rules, manifest, now, config, waivers, baseline } = values;
  return { snapshot, ruleset, rules, manifest, now, configFile: config, waivers, baseline, cwd };
}

/** The configuration was checked before any job started, so a problem here is a bug. */
export async function lintWithConfig(job: SnapshotJob): Promise<SnapshotResult> {
  const { config, diagnostics } = await loadConfig(job.configFile, job.cwd);
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`configuration became invalid during the run: ${diagnostics[0].message}`);
  const { report, rules } = await lint({
    snapshot: job.snapshot,
    ruleset: job.ruleset,
    rules: job.rules,
    manifest: job.manifest,
    now: job.now ? new Date(job.now) : undefined,
    config,
    waivers: job.waivers ?? config?.waivers,
    baseline: job.baseline ?? config?.baseline,
    cwd: job.cwd,
  });
  return { report, rules: [...rules.values()] };
}

function inWorker(job: SnapshotJob): Promise<SnapshotResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'lint-worker.js'), { workerData: job });
    worker.once('message', (m: { ok: boolean; result?: SnapshotResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    worker.once('error', reject);
  });
}

/**
 * Lints every snapshot, up to one worker per core, results in the order given. A single snapshot
 * runs in this thread (no worker start-up cost); so does everything under ts-node, where the
 * compiled worker script does not exist.
 */
export async function lintAll(jobs: SnapshotJob[]): Promise<SnapshotResult[]> {
  const compiled = __filename.endsWith('.js');
  if (jobs.length === 1 || !compiled) {
    const out: SnapshotResult[] = [];
    for (const j of jobs) out.push(await lintWithConfig(j));
    return out;
  }
  const results: SnapshotResult[] = new Array(jobs.length);
  let next = 0;
  const lanes = Math.min(availableParallelism(), jobs.length);
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < jobs.length; i = next++) results[i] = await inWorker(jobs[i]);
    }),
  );
  return results;
}
