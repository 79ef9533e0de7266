/** `lint a/ b/ …`: one report per snapshot (linted in parallel workers), the worst exit code wins. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = path.resolve('fixtures/snapshots/contoso');

describe('several snapshots in one run', function () {
  this.timeout(120_000);
  let dir: string;
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-multi-'));
    cpSync(DEMO, path.join(dir, 'tenant-a'), { recursive: true });
    cpSync(DEMO, path.join(dir, 'tenant-b'), { recursive: true });
    // tenant-b has a broken export: its run exits 2, which must win over tenant-a's 1.
    writeFileSync(path.join(dir, 'tenant-b', 'mde', 'deviceavinfo.json'), '{"value": [');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one report per snapshot, each the same as a run on that snapshot alone', () => {
    const r = run(['lint', 'tenant-a', 'tenant-b', '--format', 'json', '--output', 'reports/{snapshot}.json', '--format', 'stylish']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.include('== tenant-a').and.include('== tenant-b');
    for (const name of ['tenant-a', 'tenant-b']) {
      const alone = run(['lint', name, '--format', 'json']).stdout;
      expect(readFileSync(path.join(dir, 'reports', `${name}.json`), 'utf8'), name).to.equal(alone);
    }
    expect(JSON.parse(readFileSync(path.join(dir, 'reports', 'tenant-b.json'), 'utf8')).diagnostics.map((d: { code: string }) => d.code)).to.include('json-syntax');
  });

  it('a report its worker cannot write is a clear error, exit 2, not a crash with a stack', () => {
    // Reports are written in the worker that made them; a folder that is a file cannot hold one.
    writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const r = run(['lint', 'tenant-a', 'tenant-b', '--format', 'json', '--output', 'not-a-folder/{snapshot}.json']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^posture-lint: E(NOTDIR|EXIST)/);
    expect(r.stderr).to.not.match(/internal error|\n\s+at /);
  });

  it('a report to a device (/dev/stdout) comes in the order of the command line, as when the main thread wrote it', () => {
    // Jobs write file reports as they finish; a pipe shared with stdout must still read stylish, then JSON.
    const stylish = run(['lint', 'tenant-a']).stdout;
    const json = run(['lint', 'tenant-a', '--format', 'json']).stdout;
    // Through `| cat`: spawnSync's stdout is a socket, which /dev/stdout cannot open; a shell pipe can.
    const args = ['lint', 'tenant-a', '--format', 'stylish', '--format', 'json', '--output', '/dev/stdout'];
    const r = spawnSync('/bin/sh', ['-c', '"$0" "$@" | cat', process.execPath, BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal(stylish + json);
  });

  it('needs {snapshot} in every --output, and distinct folder names', () => {
    expect(run(['lint', 'tenant-a', 'tenant-b', '--format', 'json', '--output', 'one.json']).stderr).to.include('needs {snapshot} in it');
    expect(run(['lint', 'tenant-a', 'tenant-b', '--format', 'json']).stderr).to.include('--format json needs --output with {snapshot}');
    expect(run(['lint', 'tenant-a', './tenant-a', '--format', 'stylish']).stderr).to.include("two snapshot folders are both named 'tenant-a'");
  });

  it("runs a snapshot too large for node's heap in a worker whose heap fits the machine, and turns running out of it into a clear error", async () => {
    const jobs = await import(path.resolve('dist/src/cli/lint-job.js'));
    const cores = (await import('node:os')).availableParallelism();
    expect(jobs.workerHeapMb(1)).to.be.at.least(jobs.workerHeapMb(Math.max(2, cores)));
    const job = jobs.jobFor(path.join(dir, 'tenant-a'), {}, dir);
    const [inThread] = await jobs.lintAll([job]);
    const [{ report }] = await jobs.lintAll([job], { heapMb: jobs.workerHeapMb(1) });
    expect(report.summary.findings).to.be.greaterThan(0);
    expect(JSON.stringify(report)).to.equal(JSON.stringify(inThread.report));
    const failure = await jobs.lintAll([job], { heapMb: 4 }).then(() => undefined, (e: Error) => e);
    expect(failure).to.be.instanceOf(jobs.OutOfMemory);
    expect(failure!.message).to.match(/needed more than 4 MB of memory .*--max-old-space-size/);
  });

  it('hands the worker the configuration as read once, and resolves the snapshot and rule paths against the job\'s folder', async () => {
    const jobs = await import(path.resolve('dist/src/cli/lint-job.js'));
    const { loadConfig } = await import(path.resolve('dist/src/config.js'));
    cpSync(path.resolve('rules/mde-device-healthy.yaml'), path.join(dir, 'own-rules', 'mde-device-healthy-too.yaml'));
    writeFileSync(path.join(dir, 'own-rules', 'mde-device-healthy-too.yaml'), readFileSync(path.resolve('rules/mde-device-healthy.yaml'), 'utf8').replace('id: mde-device-healthy', 'id: mde-device-healthy-too'));
    writeFileSync(path.join(dir, 'posture-lint.yaml'), 'disable: [vm-onboarded-to-mde]\nparameters:\n  mde-device-healthy:\n    staleDays: 1\n');
    const { config } = await loadConfig(undefined, dir);
    // The file is gone before the lint runs: the worker can only use what it was handed.
    rmSync(path.join(dir, 'posture-lint.yaml'));
    // Relative to the job's folder, not to this process's working directory.
    const job = jobs.jobFor('tenant-a', { rules: ['own-rules'] }, dir, { config });
    const [{ report, rules }] = await jobs.lintAll([job], { heapMb: jobs.workerHeapMb(1) });
    expect(rules).to.be.instanceOf(Map);
    expect(report.rules.map((r: { id: string }) => r.id)).to.include('mde-device-healthy-too').and.not.include('vm-onboarded-to-mde');
    const weakening = report.diagnostics.find((d: { code: string; message: string }) => d.code === 'config-weakens-gate' && d.message.includes("staleDays"));
    expect(weakening, 'the parameter change is named at its line').to.include({ file: 'posture-lint.yaml' });
    expect(weakening.position).to.deep.equal({ line: 4, column: 5 });
    expect(rules.get('mde-device-healthy-too').file).to.equal('own-rules/mde-device-healthy-too.yaml');
  });
});
