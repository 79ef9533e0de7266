/**
 * Checks that a machines export larger than V8's longest string loads (too big and slow for
 * `npm test`). Writes N compact MDE machine records (default 550 000, about 660 MB) as one OData
 * page to a scratch folder, then loads the snapshot in a fresh process, so that peak RSS is the
 * loader's own, and prints records loaded, time and peak RSS.
 *
 *   npx ts-node --transpile-only scripts/check-huge-file.ts [records] [--ndjson] [--keep]
 */
import { fork } from 'node:child_process';
import { constants } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSnapshot } from '../src/snapshot/load';
import { writeMachinesFile } from './machines-file';

const MB = 1024 * 1024;

async function load(dir: string, expected: number): Promise<void> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const snapshot = await loadSnapshot(dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const loaded = snapshot.collections.get('mde.machines')?.records.length ?? 0;
  const heap = process.memoryUsage().heapUsed;
  console.log(`records loaded: ${loaded} of ${expected}`);
  // CPU time too: on a busy machine, wall time says more about the neighbours than about the loader.
  console.log(`load time: ${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU`);
  console.log(`peak RSS: ${Math.round((process.resourceUsage().maxRSS * 1024) / MB)} MiB; heap used after load: ${Math.round(heap / MB)} MiB`);
  for (const d of snapshot.diagnostics) console.log(`diagnostic: ${d.severity} ${d.code} ${d.file ?? ''} ${d.message}`);
  if (loaded !== expected || snapshot.diagnostics.length > 0) process.exitCode = 1;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--load') {
    void load(args[1], Number(args[2]));
    return;
  }
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 550_000);
  const format = args.includes('--ndjson') ? 'ndjson' : 'json';
  const dir = mkdtempSync(join(tmpdir(), 'posture-lint-huge-'));
  const file = join(dir, format === 'json' ? 'machines.json' : 'machines.ndjson');
  const started = Date.now();
  const size = writeMachinesFile(file, count, { format });
  console.log(`wrote ${file}: ${count} records, ${Math.round(size / MB)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`V8's longest string: ${Math.round(constants.MAX_STRING_LENGTH / MB)} Mi characters; this file ${size > constants.MAX_STRING_LENGTH ? 'exceeds it' : 'does NOT exceed it'}`);
  const child = fork(__filename, ['--load', dir, String(count)], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
  child.on('exit', (code) => {
    if (args.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    process.exitCode = code ?? 1;
  });
}

main();
