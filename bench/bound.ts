/**
 * The bound: the least a loader of this design pays before any rule runs. Like the floor, it reads,
 * decodes and JSON.parses every `*.json` file below the folder, one after another; then it unwraps
 * each file's envelope, tells each record's kind and keeps the record cut to what the full
 * built-in pack reads, with posture-lint's own code (envelope, detection, projection). It checks
 * nothing: no validation, repeated keys, paging, facts, grouping of resources or linking of
 * servers. What posture-lint spends above this is those checks, the evaluation and the report.
 *
 *   node bound.js <package-root> <snapshot-folder> [--young <MB>]
 *
 * --young runs the work in a worker thread with that young generation, as posture-lint runs a
 * snapshot too large for its main thread (src/cli/lint-job.ts). Requires dist/ at run time, like
 * per-rule.ts; bench/run.ts transpiles this file and runs it with plain node.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { isMainThread, Worker, workerData } from 'worker_threads';

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) jsonFiles(full, out);
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

async function keepProjected(packageRoot: string, snapshotDir: string): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lib = require(join(packageRoot, 'dist', 'src', 'lint.js'));
  const { loadSelectedRules } = require(join(packageRoot, 'dist', 'src', 'rules', 'select.js'));
  const { unwrap } = require(join(packageRoot, 'dist', 'src', 'snapshot', 'envelope.js'));
  const { classify } = require(join(packageRoot, 'dist', 'src', 'snapshot', 'detect.js'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { rules } = await loadSelectedRules({ collections: lib.COLLECTIONS, ruleset: 'all' });
  const projection: Map<string, (data: object) => object> = lib.projectionFor(rules);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const kept: unknown[] = [];
  let bytes = 0;
  const files = jsonFiles(snapshotDir);
  for (const file of files) {
    const raw = readFileSync(file);
    bytes += raw.length;
    const classified = classify(unwrap(JSON.parse(decoder.decode(raw))));
    for (const [kind, records] of classified.byKind as Map<string, { value: unknown }[]>) {
      const cut = projection.get(kind);
      for (const r of records) kept.push(cut !== undefined && r.value !== null && typeof r.value === 'object' ? cut(r.value) : r.value);
    }
  }
  process.stdout.write(`${files.length} files, ${bytes} bytes, ${kept.length} records kept\n`);
}

function main(args: string[]): number {
  const youngAt = args.indexOf('--young');
  const young = youngAt >= 0 ? Number(args[youngAt + 1]) : undefined;
  const [packageRoot, snapshotDir] = args.filter((a, k) => !a.startsWith('--') && (youngAt < 0 || k !== youngAt + 1));
  if (!packageRoot || !snapshotDir || (young !== undefined && !(young > 0))) {
    process.stderr.write('usage: node bound.js <package-root> <snapshot-folder> [--young <MB>]\n');
    return 2;
  }
  if (young === undefined) {
    keepProjected(packageRoot, snapshotDir).catch((e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    });
    return 0;
  }
  const worker = new Worker(__filename, { workerData: { packageRoot, snapshotDir }, resourceLimits: { maxYoungGenerationSizeMb: young } });
  worker.on('error', (e) => {
    process.stderr.write(`${e.stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
  return 0;
}

if (isMainThread) process.exitCode = main(process.argv.slice(2));
else {
  const { packageRoot, snapshotDir } = workerData as { packageRoot: string; snapshotDir: string };
  void keepProjected(packageRoot, snapshotDir);
}
