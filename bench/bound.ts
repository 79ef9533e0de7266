/**
 * The bound: the least a loader of this design pays before any rule runs. It does the floor's work
 * the way posture-lint's loader does it (the same listing, reads ahead into reused buffers, UTF-8
 * decoding and `JSON.parse`), then unwraps each file's envelope, tells each record's kind and
 * keeps the record cut to what the full built-in pack reads, after loading and compiling the pack:
 * posture-lint's own code for each step. It checks nothing: no validation, repeated keys, paging,
 * facts, grouping of resources or linking of servers. It also leaves out work that is not a check,
 * so it errs low: kinds' normalisers, a record's origin, whole copies of repeated resources,
 * streaming (the bench's pages are read whole anyway) and snapshot.yaml. Like the lint, it runs in a
 * worker, with the lint's heap and young generation, when the lint would (src/cli/lint-job.ts).
 *
 *   node bound.js <package-root> <snapshot-folder>
 *
 * Requires dist/ at run time, like per-rule.ts; bench/run.ts transpiles this file and runs it with
 * plain node. Prints the files, bytes and records kept; exit 2 (naming the file) if one cannot be read.
 */
import { join, resolve } from 'path';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';

/* eslint-disable @typescript-eslint/no-require-imports */
const dist = (packageRoot: string, module: string) => require(join(packageRoot, 'dist', 'src', module));

interface ExportFile {
  file: string;
  size: number;
}

type Outcome = { ok: true; line: string } | { ok: false; error: string };

async function keepCutRecords(packageRoot: string, snapshotDir: string, listed: readonly ExportFile[]): Promise<Outcome> {
  const { COLLECTIONS, projectionFor } = dist(packageRoot, 'lint.js');
  const { loadSelectedRules } = dist(packageRoot, 'rules/select.js');
  const { fetchExport } = dist(packageRoot, 'snapshot/file.js');
  const { parseJsonBytes } = dist(packageRoot, 'snapshot/read.js');
  const { readAhead, READ_AHEAD_FILES } = dist(packageRoot, 'snapshot/read-ahead.js');
  const { ReadBuffers } = dist(packageRoot, 'input-file.js');
  const { unwrap } = dist(packageRoot, 'snapshot/envelope.js');
  const { classify } = dist(packageRoot, 'snapshot/detect.js');
  const { rules } = await loadSelectedRules({ collections: COLLECTIONS, ruleset: 'all' });
  const projection: Map<string, (data: object) => object> = projectionFor(rules);
  const buffers = new ReadBuffers(READ_AHEAD_FILES + 2);
  // Every file is read whole (no streaming threshold), as the bench's pages are by the loader.
  const fetched = readAhead(listed, (f: ExportFile) => f.size, (f: ExportFile) => fetchExport(join(snapshotDir, f.file), f.file, Infinity, buffers));
  const kept: unknown[] = [];
  let bytes = 0;
  for (const [i, { file, size }] of listed.entries()) {
    const got = await fetched(i);
    // NDJSON is streamed whatever its size; the bench writes none.
    const read = got.streamed ? { ok: false, diagnostic: { message: 'the loader streams this file; the bound reads only files read whole' } } : parseJsonBytes(got.read, file, buffers);
    if (!read.ok) return { ok: false, error: `${file}: ${read.diagnostic.message}` };
    bytes += size;
    for (const [kind, records] of classify(unwrap(read.value)).byKind as Map<string, { value: unknown }[]>) {
      const cut = projection.get(kind);
      for (const r of records) kept.push(cut !== undefined && r.value !== null && typeof r.value === 'object' ? cut(r.value) : r.value);
    }
  }
  return { ok: true, line: `${listed.length} files, ${bytes} bytes, ${kept.length} records kept` };
}

function settle(outcome: Outcome): void {
  if (outcome.ok) process.stdout.write(`${outcome.line}\n`);
  else {
    process.stderr.write(`bound: ${outcome.error}\n`);
    process.exitCode = 2;
  }
}

const failed = (e: unknown): Outcome => ({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });

async function main(args: string[]): Promise<void> {
  if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
    process.stderr.write('usage: node bound.js <package-root> <snapshot-folder>\n');
    process.exitCode = 2;
    return;
  }
  const [packageRoot, snapshotDir] = args.map((a) => resolve(a));
  const { listExportFiles } = dist(packageRoot, 'snapshot/load.js');
  const jobs = dist(packageRoot, 'cli/lint-job.js');
  const files: ExportFile[] = await listExportFiles(snapshotDir);
  if (jobs.fitsInThisThread({ files })) return settle(await keepCutRecords(packageRoot, snapshotDir, files).catch(failed));
  const resourceLimits = { maxOldGenerationSizeMb: jobs.workerHeapMb(1), maxYoungGenerationSizeMb: jobs.WORKER_YOUNG_GENERATION_MB };
  const worker = new Worker(__filename, { workerData: { packageRoot, snapshotDir, files }, resourceLimits });
  let outcome: Outcome | undefined;
  worker.on('message', (m: Outcome) => (outcome = m));
  worker.on('error', (e) => (outcome = failed(e)));
  worker.on('exit', (code) => settle(outcome ?? { ok: false, error: `the worker exited with ${code} and no result` }));
}

if (isMainThread) main(process.argv.slice(2)).catch((e) => settle(failed(e)));
else {
  const { packageRoot, snapshotDir, files } = workerData as { packageRoot: string; snapshotDir: string; files: ExportFile[] };
  keepCutRecords(packageRoot, snapshotDir, files)
    .catch(failed)
    .then((outcome) => parentPort!.postMessage(outcome));
}
