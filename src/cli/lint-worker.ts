/**
 * Lints one snapshot in a worker thread: `posture-lint lint a/ b/ c/` uses every core (each
 * snapshot is independent, and parsing JSON is the cost), and a worker's heap limit can be set to
 * fit the machine, which the main thread's cannot once node has started.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type WorkerJob, type WorkerMessage } from './lint-job';
import { addProgress, noProgress, type ProgressSink } from '../progress';
import { BrokenPackage } from '../snapshot/validate';

/** Progress is posted at most this often: evaluation blocks the worker, so it is posted as counts change, not on a timer. */
const POST_EVERY_MS = 200;

const { job, progress } = workerData as WorkerJob;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const counts = noProgress();
let last = 0;
const sink: ProgressSink = (delta) => {
  addProgress(counts, delta);
  const now = Date.now();
  if (now - last < POST_EVERY_MS && delta.rules === undefined) return;
  last = now;
  post({ progress: { ...counts } });
};

runJob(job, progress ? sink : undefined).then(
  (result) => {
    // The last counts before the result (messages arrive in order), so the final line is whole.
    if (progress) post({ progress: { ...counts } });
    post({ ok: true, result });
  },
  // A broken build, or a report that could not be written, is told as such (its message is what to
  // do); anything else is a bug, with its stack.
  (e: unknown) => {
    const { syscall, code } = e as NodeJS.ErrnoException;
    if (e instanceof BrokenPackage) post({ ok: false, error: e.message, brokenPackage: true });
    else if (typeof syscall === 'string') post({ ok: false, error: (e as Error).message, io: { syscall, ...(code !== undefined ? { code } : {}) } });
    else post({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  },
);
