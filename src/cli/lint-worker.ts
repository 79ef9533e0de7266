/**
 * Lints one snapshot in a worker thread: `posture-lint lint a/ b/ c/` uses every core (each
 * snapshot is independent, and parsing JSON is the cost), and a worker's heap limit can be set to
 * fit the machine, which the main thread's cannot once node has started.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type SnapshotJob } from './lint-job';

runJob(workerData as SnapshotJob).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
