/** One snapshot's lint, described by plain data so it can run in this thread or in a worker. */
import { stat } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import fg from 'fast-glob';
import { loadConfig } from '../config';
import { lint, type GateOptions } from '../lint';
import { EXPORT_FILES } from '../snapshot/load';
import type { Report, RuleMeta } from '../report/model';
import { toTime } from '../time';
import { UsageError } from './io';

export interface SnapshotJob {
  snapshot: string;
  ruleset?: string;
  rules?: string[];
  manifest?: string;
  now?: string;
  configFile?: string;
  waivers?: string;
  baseline?: string;
  /** Gate settings from the command line (they win over the configuration file's). */
  gate?: GateOptions;
  /** Frameworks to report compliance with (`--framework`). */
  frameworks?: string[];
  cwd: string;
}

export interface SnapshotResult {
  report: Report;
  rules: RuleMeta[];
}

/** A job from parsed command-line values (lint and baseline create share their options). */
export function jobFor(
  snapshot: string,
  values: { ruleset?: string; rules?: string[]; manifest?: string; now?: string; config?: string; waivers?: string; baseline?: string; framework?: string[] },
  cwd: string,
  gate?: GateOptions,
): SnapshotJob {
  const { ruleset, rules, manifest, config, waivers, baseline, framework } = values;
  const now = values.now === undefined ? undefined : evaluationTime(values.now);
  return { snapshot, ruleset, rules, manifest, now, configFile: config, waivers, baseline, cwd, ...(gate ? { gate } : {}), ...(framework ? { frameworks: framework } : {}) };
}

/**
 * --now read as the exports' timestamps are (src/time.ts): a time without a zone is UTC, not the
 * machine's local time, so a report does not depend on where the pipeline runs; and `new Date`'s
 * guesses (`1` is the year 2001) are refused.
 */
function evaluationTime(text: string): string {
  const t = toTime(text);
  if (t === undefined) throw new UsageError(`--now must be an ISO 8601 time such as 2026-11-27T02:00:00Z, not '${text}'`);
  return new Date(t).toISOString();
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
    gate: job.gate,
    frameworks: job.frameworks,
  });
  return { report, rules: [...rules.values()] };
}

/** A lint that needed more memory than its worker may use: exit 2 with what to do, not a stack. */
export class OutOfMemory extends Error {
  constructor(snapshot: string, limitMb: number) {
    super(
      `linting ${snapshot} needed more than ${limitMb} MB of memory and was stopped; run on a machine with more memory, or raise the limit with NODE_OPTIONS=--max-old-space-size=<MB>`,
    );
  }
}

const MB = 1024 * 1024;

/**
 * Heap each worker may grow to: three quarters of the machine's memory, shared by the workers that
 * run at once, and never less than the heap this process was given. Node's default heap (about
 * 4 GB) is too small for a million-device snapshot on a machine that has the memory for it.
 */
export function workerHeapMb(lanes: number): number {
  const share = Math.floor((totalmem() * 0.75) / lanes / MB);
  return Math.max(share, Math.floor(getHeapStatistics().heap_size_limit / MB));
}

function inWorker(job: SnapshotJob, heapMb: number): Promise<SnapshotResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'lint-worker.js'), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    worker.once('message', (m: { ok: boolean; result?: SnapshotResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    worker.once('error', (e: Error & { code?: string }) => reject(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new OutOfMemory(job.snapshot, heapMb) : e));
  });
}

/** Memory a loaded snapshot takes per byte of its export files (2.3 measured at 100k devices), with room to spare. */
const MEMORY_PER_BYTE = 3;

async function exportBytes(job: SnapshotJob): Promise<number> {
  const root = path.resolve(job.cwd, job.snapshot);
  const files = await fg(EXPORT_FILES, { cwd: root, absolute: true, followSymbolicLinks: false, onlyFiles: true, dot: false });
  let total = 0;
  for (const f of files) total += await stat(f).then((s) => s.size, () => 0);
  return total;
}

/**
 * A snapshot that needs under half this thread's heap is linted here (a worker would load every
 * module again); a larger one goes to a worker, where running out of memory is a clear error and
 * not a V8 abort.
 */
async function fitsInThisThread(job: SnapshotJob): Promise<boolean> {
  return (await exportBytes(job)) * MEMORY_PER_BYTE < getHeapStatistics().heap_size_limit / 2;
}

/**
 * Lints every snapshot, results in the order given: several snapshots in worker threads, up to one
 * per core; a single one in this thread when it fits node's heap, else in a worker whose heap
 * limit is set to fit the machine (`heapMb` sets it, and always uses a worker). Under ts-node,
 * where the compiled worker script does not exist, everything runs in this thread.
 */
export async function lintAll(jobs: SnapshotJob[], options: { heapMb?: number } = {}): Promise<SnapshotResult[]> {
  const compiled = __filename.endsWith('.js');
  const single = jobs.length === 1 && options.heapMb === undefined && (await fitsInThisThread(jobs[0]));
  if (!compiled || single) {
    const out: SnapshotResult[] = [];
    for (const j of jobs) out.push(await lintWithConfig(j));
    return out;
  }
  const results: SnapshotResult[] = new Array(jobs.length);
  let next = 0;
  const lanes = Math.min(availableParallelism(), jobs.length);
  const heapMb = options.heapMb ?? workerHeapMb(lanes);
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < jobs.length; i = next++) results[i] = await inWorker(jobs[i], heapMb);
    }),
  );
  return results;
}
