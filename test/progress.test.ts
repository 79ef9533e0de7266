/**
 * Progress on long runs: a line on stderr while lint reads and evaluates, on a terminal after a
 * moment, in a pipe only with --progress, never on stdout or in a report.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { main, type CliIo } from '../src/cli/main';
import { ProgressDisplay, progressText, wantsProgress } from '../src/cli/progress';
import { addProgress, type ProgressCounts } from '../src/progress';
import { loadSnapshot } from '../src/snapshot/load';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = 'fixtures/snapshots/contoso';
const ERASE = '\r\x1b[2K';

const counts = (c: Partial<ProgressCounts>): ProgressCounts => ({ files: 0, bytes: 0, records: 0, rules: 0, rulesEvaluated: 0, ...c });

function display(tty: boolean, columns?: number) {
  let t = 0;
  const written: string[] = [];
  const d = new ProgressDisplay({ write: (s) => written.push(s), tty, now: () => t, ...(columns !== undefined ? { columns } : {}) });
  return { d, written, at: (ms: number) => (t = ms) };
}

describe('progress on long runs', () => {
  it('says files, MB and records read, rules evaluated and time elapsed, in words that agree with their numbers', () => {
    expect(progressText(counts({ files: 12, bytes: 367_212_339, records: 1_204_331, rules: 17, rulesEvaluated: 7 }), 65_400)).to.equal(
      '12 files, 350.2 MB, 1,204,331 records read, rules 7/17, 1:05',
    );
    expect(progressText(counts({ files: 1, records: 1 }), 3_725_000)).to.equal('1 file, 0.0 MB, 1 record read, 1:02:05');
  });

  it('on a terminal: nothing for the first 2 seconds, then one line rewritten in place at most 4 times a second, erased at the end', () => {
    const { d, written, at } = display(true);
    at(1999);
    d.update(0, counts({ files: 3, bytes: 3 * 1024 * 1024, records: 900 }));
    expect(written, 'a short run shows nothing').to.deep.equal([]);
    at(2000);
    d.update(0, counts({ files: 4, bytes: 4 * 1024 * 1024, records: 1200 }));
    at(2100);
    d.update(0, counts({ files: 5, bytes: 5 * 1024 * 1024, records: 1500 }));
    at(2250);
    d.update(0, counts({ files: 5, bytes: 5 * 1024 * 1024, records: 1500, rules: 17, rulesEvaluated: 2 }));
    d.finish();
    expect(written).to.deep.equal([
      `${ERASE}posture-lint: 4 files, 4.0 MB, 1,200 records read, 0:02`,
      `${ERASE}posture-lint: 5 files, 5.0 MB, 1,500 records read, rules 2/17, 0:02`,
      ERASE,
    ]);
  });

  it('on a narrow terminal the line is cut to fit, so rewriting it never leaves wrapped lines behind', () => {
    const { d, written, at } = display(true, 40);
    at(3000);
    d.update(0, counts({ files: 4, records: 1200, rules: 17 }));
    d.finish();
    expect(written[0].slice(ERASE.length)).to.have.length(39).and.match(/…$/);
  });

  it('in a pipe (--progress): plain lines every 5 seconds and a last one, with no escape sequence; several snapshots are summed', () => {
    const { d, written, at } = display(false);
    at(100);
    d.update(0, counts({ files: 1, records: 10 }));
    at(5000);
    d.update(1, counts({ files: 2, records: 20, rules: 17, rulesEvaluated: 17 }));
    at(6000);
    d.update(0, counts({ files: 2, records: 30, rules: 17, rulesEvaluated: 17 }));
    d.finish();
    expect(written).to.deep.equal([
      'posture-lint: 3 files, 0.0 MB, 30 records read, rules 17/17, 0:05\n',
      'posture-lint: done: 4 files, 0.0 MB, 50 records read, rules 34/34, 0:06\n',
    ]);
    expect(written.join('')).to.not.match(/[\x1b\r]/);
  });

  it('shows on a terminal, not in CI or a pipe unless --progress, and never with --no-progress', () => {
    expect(wantsProgress({}, true, {})).to.equal(true);
    expect(wantsProgress({}, true, { CI: 'true' })).to.equal(false);
    expect(wantsProgress({}, true, { TF_BUILD: 'True' })).to.equal(false);
    expect(wantsProgress({}, false, {})).to.equal(false);
    expect(wantsProgress({ progress: true }, false, { CI: 'true' })).to.equal(true);
    expect(wantsProgress({ 'no-progress': true }, true, {})).to.equal(false);
  });

  it('lint --progress to a pipe (compiled CLI): the counts of the run on stderr, no escape sequence, the report on stdout unchanged', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'lint', DEMO, '--format', 'json', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
    const plain = run([]);
    const watched = run(['--progress']);
    expect(plain.stderr, 'quiet in CI and pipes').to.equal('');
    expect(watched.status).to.equal(plain.status);
    expect(watched.stdout, 'the report does not change').to.equal(plain.stdout);
    const report = JSON.parse(watched.stdout) as { snapshot: { files: { records: number }[] }; rules: unknown[] };
    const records = report.snapshot.files.reduce((n, f) => n + f.records, 0);
    const last = watched.stderr.trimEnd().split('\n').pop();
    expect(last).to.match(new RegExp(`^posture-lint: done: ${report.snapshot.files.length} files, \\d+\\.\\d MB, ${records} records read, rules ${report.rules.length}/${report.rules.length}, \\d+:\\d\\d$`));
    expect(watched.stderr).to.not.match(/[\x1b\r]/);
  });

  it('counts the bytes of a streamed file as it is read, and the records of every file', async () => {
    const total = counts({});
    const snapshot = await loadSnapshot(DEMO, { streamThreshold: 0, progress: (delta) => addProgress(total, delta) });
    const bytes = snapshot.files.reduce((n, f) => n + statSync(path.join(DEMO, f.file)).size, 0);
    expect(total).to.deep.equal(counts({ files: snapshot.files.length, bytes, records: snapshot.files.reduce((n, f) => n + f.records, 0) }));
  });

  it('lint --progress of several snapshots (one worker each) ends with the sum of their counts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-progress-'));
    try {
      cpSync(DEMO, path.join(dir, 'a'), { recursive: true });
      cpSync(DEMO, path.join(dir, 'b'), { recursive: true });
      const r = spawnSync(process.execPath, [BIN, 'lint', path.join(dir, 'a'), path.join(dir, 'b'), '--format', 'json', '--output', path.join(dir, '{snapshot}.json'), '--progress'], { encoding: 'utf8' });
      const reports = ['a', 'b'].map((n) => JSON.parse(readFileSync(path.join(dir, `${n}.json`), 'utf8')) as { snapshot: { files: { records: number }[] }; rules: unknown[] });
      const files = reports.reduce((n, x) => n + x.snapshot.files.length, 0);
      const records = reports.reduce((n, x) => n + x.snapshot.files.reduce((m, f) => m + f.records, 0), 0);
      const rules = reports.reduce((n, x) => n + x.rules.length, 0);
      expect(r.stderr.trimEnd().split('\n').pop()).to.match(new RegExp(`^posture-lint: done: ${files} files, [\\d.]+ MB, ${records} records read, rules ${rules}/${rules}, `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lint on a terminal (fake TTY stderr, clock moving a second a step): the line is drawn in place on stderr and erased before the report', async () => {
    const out: string[] = [];
    const status: string[] = [];
    const order: string[] = [];
    const io: CliIo = {
      stdout: (t) => (out.push(t), order.push('stdout')),
      stderr: (t) => status.push(`stderr:${t}`),
      status: (t) => (status.push(t), order.push('status')),
      env: {},
      isTTY: false,
      stderrIsTTY: true,
      stderrColumns: 100,
      cwd: process.cwd(),
    };
    const realNow = performance.now;
    let t = 0;
    performance.now = () => (t += 1000);
    let code: number;
    try {
      code = await main(['lint', DEMO, '--format', 'json'], io);
    } finally {
      performance.now = realNow;
    }
    expect(code).to.equal(1);
    expect(status.length).to.be.greaterThan(1);
    for (const s of status.slice(0, -1)) expect(s).to.match(/^\r\x1b\[2Kposture-lint: \d+ files?, [\d.]+ MB, [\d,]+ records? read(, rules \d+\/\d+)?, \d+:\d\d$/);
    expect(status[status.length - 1]).to.equal(ERASE);
    expect(order.lastIndexOf('status')).to.be.lessThan(order.indexOf('stdout'));
    expect(out.join('')).to.not.include('posture-lint: ');
    expect(JSON.parse(out.join(''))).to.have.property('findings');
  });
});
