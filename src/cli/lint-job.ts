/**
 * One snapshot's lint, described by plain data so it can run in this thread or in a worker: the
 * configuration as the main thread read it, and the snapshot's files as the main thread listed
 * them (their sizes decide where the lint runs), so neither is read twice.
 */
import { opendir, readlink, stat } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import { exitCode, lint, type GateOptions } from '../lint';
import { getFormatter } from '../report/formatters';
import { piecesOf } from '../report/formatters/pieces';
import { writeFileAtomic } from './output';
import { listExportFiles, type ExportFile } from '../snapshot/load';
import { isDenied, systemReason, whyUnlistable } from '../folder-glob';
import { typeName } from '../input-file';
import type { FormatContext, Report, RuleMeta } from '../report/model';
import { toTime } from '../time';
import { UsageError } from './io';
import { BrokenPackage } from '../snapshot/validate';
import { addProgress, noProgress, type ProgressCounts, type ProgressSink } from '../progress';

/** What a worker is given: the job, and whether to post its progress. */
export interface WorkerJob {
  job: SnapshotJob;
  progress: boolean;
}

export interface SnapshotJob {
  snapshot: string;
  ruleset?: string;
  rules?: string[];
  manifest?: string;
  now?: string;
  /** The configuration file's settings, read (and checked) once before any job starts. */
  config?: Config;
  waivers?: string;
  baseline?: string;
  /** Gate settings from the command line (they win over the configuration file's). */
  gate?: GateOptions;
  /** Frameworks to report compliance with (`--framework`). */
  frameworks?: string[];
  cwd: string;
  /** The snapshot's export files, listed once by lintAll. */
  files?: ExportFile[];
  /** Reports to write where the report is made (lintAndWrite). */
  outputs?: JobOutput[];
}

/**
 * A report a job writes in the thread that made it, so the report never crosses to the main
 * thread: a million findings are 0.9 GB there, and writing them in their worker took 66 s and
 * 3.47 GB instead of 77 s and 4.11 GB (docs/performance.md). What goes to stdout is written to a
 * scratch file that the caller prints.
 */
export interface JobOutput {
  format: string;
  file: string;
  context: Omit<FormatContext, 'rules'>;
}

/** What a job that wrote its reports gives back. */
export interface WrittenResult {
  exitCode: 0 | 1 | 2;
}

export interface SnapshotResult {
  report: Report;
  rules: Map<string, RuleMeta>;
}

/**
 * A usage error unless `folder` is a folder: a mistyped path is not a report of rules that found
 * nothing to read, and a newcomer who passes a file (an export, the snapshot.yaml) is told to pass
 * the folder that holds it.
 */
export async function requireSnapshotFolder(folder: string, cwd: string): Promise<void> {
  const absolute = path.resolve(cwd, folder);
  const found = await stat(absolute).catch((e: NodeJS.ErrnoException) => e);
  if (found instanceof Error) throw new UsageError(await whyNotFound(folder, absolute, found));
  // Refused here as well as by the listing itself, so several snapshots stop before any is linted.
  const unlistable = whyUnlistable(absolute);
  if (unlistable !== undefined) throw new UsageError(unlistable);
  if (!found.isDirectory()) {
    const manifest = /^snapshot\.ya?ml$/i.test(path.basename(folder)) ? `, here ${path.dirname(folder)}` : '';
    // A pipe or a device is named as the other inputs name it, not called a file.
    throw new UsageError(`${folder} is ${typeName(found)}, not a snapshot folder: give the folder that holds the exports and their snapshot.yaml${manifest}`);
  }
  // A folder this user may not list would otherwise stop the run with the system's words (EACCES, scandir).
  const opened = await opendir(absolute).then((d) => d.close(), (e: NodeJS.ErrnoException) => e);
  if (opened instanceof Error) throw new UsageError(`cannot read the snapshot folder ${folder}: ${systemReason(opened)}`);
}

/** Why `stat` found nothing: a missing name, a link to nothing, a loop of links, or a folder above it this user may not enter. */
async function whyNotFound(folder: string, absolute: string, err: NodeJS.ErrnoException): Promise<string> {
  if (isDenied(err)) return `cannot reach the snapshot folder ${folder}: ${systemReason(err)}`;
  if (err.code === 'ELOOP') return `${folder} is a loop of symbolic links, not a snapshot folder`;
  const target = await readlink(absolute).catch(() => undefined);
  if (target !== undefined) return `snapshot folder not found: ${folder} is a link to ${target}, which does not exist`;
  return `snapshot folder not found: ${folder}`;
}

/** A job from parsed command-line values (lint and baseline create share their options). */
export function jobFor(
  snapshot: string,
  values: { ruleset?: string; rules?: string[]; manifest?: string; now?: string; waivers?: string; baseline?: string; framework?: string[] },
  cwd: string,
  options: { gate?: GateOptions; config?: Config } = {},
): SnapshotJob {
  const { ruleset, rules, manifest, waivers, baseline, framework } = values;
  const now = values.now === undefined ? undefined : evaluationTime(values.now);
  const { gate, config } = options;
  return { snapshot, ruleset, rules, manifest, now, waivers, baseline, cwd, ...(config ? { config } : {}), ...(gate ? { gate } : {}), ...(framework ? { frameworks: framework } : {}) };
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

/** Runs one job, here or in a worker; `progress` is told how far it has got. With outputs, writes them and gives the verdict only. */
export async function runJob(job: SnapshotJob, progress?: ProgressSink): Promise<SnapshotResult | WrittenResult> {
  const result = await lintJob(job, progress);
  if (job.outputs === undefined) return result;
  for (const o of job.outputs) {
    const formatter = getFormatter(o.format);
    if (formatter === undefined) throw new UsageError(`unknown format '${o.format}'`);
    // In pieces: a report with millions of findings is more text than one string holds.
    await writeFileAtomic(o.file, piecesOf(formatter)(result.report, { ...o.context, rules: result.rules }));
  }
  return { exitCode: exitCode(result.report) };
}

function lintJob(job: SnapshotJob, progress?: ProgressSink): Promise<SnapshotResult> {
  const { config } = job;
  return lint({
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
    ...(job.files ? { files: job.files } : {}),
    ...(progress ? { progress } : {}),
  });
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

/**
 * Young generation of each lint worker (snapshots too large for the main thread's heap, and every
 * snapshot of a run over several). A page of 10k records parses into some 60 MB of objects; with
 * V8's default young generation (16 MB semi-spaces) a 1M lint ran about 1,700 scavenges, each
 * costing 15 to 21 ms however little survived. At 192 MB, 1M as on a 7 GB agent: 115 to 136 s
 * wall against 137 to 155 s (four runs and three, alternating), peak RSS 3786 to 4456 MB against
 * 4065 to 4136 MB (docs/performance.md).
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

/** What a worker posts: how far it has got (when progress is watched), then its result or error. */
export type WorkerMessage =
  | { progress: ProgressCounts }
  | { ok: true; result: SnapshotResult | WrittenResult }
  | { ok: false; error: string; brokenPackage?: true; io?: { syscall: string; code?: string } };

function inWorker(job: SnapshotJob, heapMb: number, progress?: (counts: ProgressCounts) => void): Promise<SnapshotResult | WrittenResult> {
  return new Promise((resolve, reject) => {
    const workerData: WorkerJob = { job, progress: progress !== undefined };
    const worker = new Worker(path.join(__dirname, 'lint-worker.js'), { workerData, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on('message', (m: WorkerMessage) => {
      if ('progress' in m) progress?.(m.progress);
      else if (m.ok) resolve(m.result);
      // A report that could not be written (a full disk, no such folder) is told as this thread would tell it.
      else reject(m.brokenPackage === true ? new BrokenPackage(m.error) : m.io ? Object.assign(new Error(m.error), m.io) : new Error(m.error));
    });
    worker.once('error', (e: Error & { code?: string }) => reject(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new OutOfMemory(job.snapshot, heapMb) : e));
  });
}

/** Memory a loaded snapshot takes per byte of its export files (2.3 measured at 100k devices), with room to spare. */
const MEMORY_PER_BYTE = 3;

/**
 * A snapshot that needs under half this thread's heap is linted here (a worker would load every
 * module again); a larger one goes to a worker, where running out of memory is a clear error and
 * not a V8 abort.
 */
export function fitsInThisThread(job: Pick<SnapshotJob, 'files'>): boolean {
  const bytes = (job.files ?? []).reduce((n, f) => n + f.size, 0);
  return bytes * MEMORY_PER_BYTE < getHeapStatistics().heap_size_limit / 2;
}

/**
 * Lints every snapshot, results in the order given: several snapshots in worker threads, up to one
 * per core; a single one in this thread when it fits node's heap, else in a worker whose heap
 * limit is set to fit the machine (`heapMb` sets it, and always uses a worker). Under ts-node,
 * where the compiled worker script does not exist, everything runs in this thread.
 */
export function lintAll(jobs: SnapshotJob[], options: RunOptions = {}): Promise<SnapshotResult[]> {
  return runAll(jobs, options) as Promise<SnapshotResult[]>;
}

/** lintAll, each job writing its outputs where its report is made: the verdicts, in the order given. */
export function lintAndWrite(jobs: (SnapshotJob & { outputs: JobOutput[] })[], options: RunOptions = {}): Promise<WrittenResult[]> {
  return runAll(jobs, options) as Promise<WrittenResult[]>;
}

interface RunOptions {
  heapMb?: number;
  progress?: (job: number, counts: ProgressCounts) => void;
}

async function runAll(given: SnapshotJob[], options: RunOptions): Promise<(SnapshotResult | WrittenResult)[]> {
  const jobs: SnapshotJob[] = [];
  for (const j of given) jobs.push({ ...j, files: j.files ?? (await listExportFiles(path.resolve(j.cwd, j.snapshot))) });
  const compiled = __filename.endsWith('.js');
  const single = jobs.length === 1 && options.heapMb === undefined && fitsInThisThread(jobs[0]);
  const watch = options.progress;
  if (!compiled || single) {
    const out: (SnapshotResult | WrittenResult)[] = [];
    for (const [i, j] of jobs.entries()) {
      const counts = noProgress();
      out.push(await runJob(j, watch && ((delta) => watch(i, addProgress(counts, delta)))));
    }
    return out;
  }
  const results: (SnapshotResult | WrittenResult)[] = new Array(jobs.length);
  let next = 0;
  const lanes = Math.min(availableParallelism(), jobs.length);
  const heapMb = options.heapMb ?? workerHeapMb(lanes);
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < jobs.length; i = next++) results[i] = await inWorker(jobs[i], heapMb, watch && ((counts) => watch(i, counts)));
    }),
  );
  return results;
}
