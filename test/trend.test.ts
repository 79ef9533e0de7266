/**
 * `posture-lint trend` on a series of demo exports generated here from the demo estate: the
 * antivirus of two servers is fixed in the second export, and in the third another server falls
 * back to passive mode. Counts per rule and per control, fixed and new findings by fingerprint,
 * and what makes reports not comparable.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { lint } from '../src/lint';
import { resolveFramework } from '../src/compliance/frameworks';
import { readReports } from '../src/trend/read';
import { trend, type Trend } from '../src/trend/trend';
import { trendHtml, trendMarkdown } from '../src/trend/format';
import { json } from '../src/report/formatters/json';

const DEMO = 'fixtures/snapshots/contoso';
const BIN = path.resolve('dist/src/cli/bin.js');

/** deviceavinfo records by DNS name: the demo's antivirus evidence for each device. */
function setAvMode(snapshot: string, modes: Record<string, string>): void {
  const file = path.join(snapshot, 'mde/deviceavinfo.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { value: { computerDnsName: string; avMode: string }[] };
  for (const [name, mode] of Object.entries(modes)) {
    const record = doc.value.find((r) => r.computerDnsName === name);
    if (!record) throw new Error(`no deviceavinfo record for ${name}`);
    record.avMode = mode;
  }
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

function setTakenAt(snapshot: string, takenAt: string): void {
  const file = path.join(snapshot, 'snapshot.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/takenAt: "[^"]+"/, `takenAt: "${takenAt}"`));
}

describe('trend across snapshots', function () {
  this.timeout(120_000);
  let dir: string;
  let reportsDir: string;
  let t: Trend;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-trend-'));
    reportsDir = path.join(dir, 'reports');
    mkdirSync(reportsDir);
    const exports: [string, string, Record<string, string>][] = [
      ['2026-11-27T02:00:00Z', 'monday', {}],
      // Fixed: both servers switched to active mode.
      ['2026-11-27T05:00:00Z', 'tuesday', { 'app-prod-02': '0', 'dev-data-02.corp.contoso.com': '0' }],
      // The fixes hold, and a production SQL server falls back to passive mode.
      ['2026-11-27T08:00:00Z', 'wednesday', { 'app-prod-02': '0', 'dev-data-02.corp.contoso.com': '0', 'sql-prod-01.corp.contoso.com': '1' }],
    ];
    // Written in another order than their snapshot times: trend orders by time, not by file.
    for (const [takenAt, name, modes] of [...exports].reverse()) {
      const snapshot = path.join(dir, name);
      cpSync(DEMO, snapshot, { recursive: true });
      setTakenAt(snapshot, takenAt);
      setAvMode(snapshot, modes);
      const { report, rules } = await lint({ snapshot });
      writeFileSync(path.join(reportsDir, `${name}.json`), json(report, { rules, color: false }));
    }
    const { reports, diagnostics } = await readReports([reportsDir], process.cwd());
    expect(diagnostics).to.deep.equal([]);
    t = trend(reports, resolveFramework('mcsb'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('orders the reports by snapshot time', () => {
    expect(t.points.map((p) => p.takenAt)).to.deep.equal(['2026-11-27T02:00:00Z', '2026-11-27T05:00:00Z', '2026-11-27T08:00:00Z']);
    expect(t.warnings).to.deep.equal([]);
  });

  it('counts failing findings per rule over time: down when fixed, up when a server regresses', () => {
    const av = t.rules.find((r) => r.id === 'av-mode-active-on-servers')!;
    const [a, b, c] = av.failing as number[];
    expect(b).to.equal(a - 2);
    expect(c).to.equal(b + 1);
    const linux = t.rules.find((r) => r.id === 'linux-realtime-protection-on')!.failing as number[];
    expect(linux[1]).to.equal(linux[0] - 1);
    const unchanged = t.rules.find((r) => r.id === 'vm-onboarded-to-mde')!.failing;
    expect(new Set(unchanged).size).to.equal(1);
    expect(t.points.map((p) => p.failing)).to.deep.equal([t.points[0].failing, t.points[0].failing - 3, t.points[0].failing - 2]);
  });

  it('names the findings fixed and the new ones by fingerprint', () => {
    const [first, second] = t.changes;
    expect(first.fixed.map((f) => `${f.ruleId} ${f.resource.name}`)).to.deep.equal([
      'av-mode-active-on-servers app-prod-02',
      'av-mode-active-on-servers dev-data-02.corp.contoso.com',
      'linux-realtime-protection-on app-prod-02',
    ]);
    expect(first.new).to.deep.equal([]);
    expect(second.fixed).to.deep.equal([]);
    expect(second.new.map((f) => `${f.ruleId} ${f.resource.name}`)).to.deep.equal(['av-mode-active-on-servers sql-prod-01.corp.contoso.com']);
  });

  it('follows each control: ES-2 failing resources fall, then rise in the production subscription', () => {
    const es2 = t.controls!.find((c) => c.id === 'ES-2')!;
    const [a, b, c] = es2.failing as number[];
    expect(b).to.equal(a - 2);
    expect(c).to.equal(b + 1);
    expect(es2.status).to.deep.equal(['not-met', 'not-met', 'not-met']);
    expect(t.controls!.find((c) => c.id === 'PA-2')!.status).to.deep.equal(['not-covered', 'not-covered', 'not-covered']);
  });

  it('a rule one report did not run has no count there, its findings are not "fixed", and the rule sets are said to differ', async () => {
    const { reports } = await readReports([reportsDir], process.cwd());
    const last = reports.find((r) => r.file.endsWith('wednesday.json'))!;
    last.report = { ...last.report, rules: last.report.rules.filter((r) => r.id !== 'av-mode-active-on-servers'), findings: last.report.findings.filter((f) => f.ruleId !== 'av-mode-active-on-servers') };
    const other = trend(reports);
    expect(other.rules.find((r) => r.id === 'av-mode-active-on-servers')!.failing[2]).to.equal(null);
    expect(other.changes[1].fixed.filter((f) => f.ruleId === 'av-mode-active-on-servers')).to.deep.equal([]);
    expect(other.changes[1].noLongerChecked.map((f) => f.ruleId)).to.include('av-mode-active-on-servers');
    expect(other.warnings.join('\n')).to.match(/tuesday\.json and .*wednesday\.json ran different rule sets; removed: av-mode-active-on-servers/);
  });

  it('a rule not evaluated in a report has no count there, never 0', async () => {
    const { reports } = await readReports([reportsDir], process.cwd());
    const mid = reports.find((r) => r.file.endsWith('tuesday.json'))!;
    mid.report = {
      ...mid.report,
      rules: mid.report.rules.map((r) => (r.id === 'av-signatures-current' ? { ...r, status: 'not-evaluated' as const, evaluated: 0, passed: 0, failed: 0 } : r)),
      findings: mid.report.findings.filter((f) => f.ruleId !== 'av-signatures-current'),
    };
    const other = trend(reports, resolveFramework('mcsb'));
    expect(other.rules.find((r) => r.id === 'av-signatures-current')!.failing[1]).to.equal(null);
    expect(other.controls!.find((c) => c.id === 'ES-3')!.status[1]).to.equal('not-assessed');
    expect(other.controls!.find((c) => c.id === 'ES-3')!.failing[1]).to.equal(null);
    // Its findings are out of that report's total, which falls with nothing fixed: said so.
    expect(other.warnings.join('\n')).to.match(/tuesday\.json has no verdict for av-signatures-current, which .*monday\.json checked: the totals do not compare/);
    expect(other.warnings.join('\n')).to.match(/wednesday\.json has a verdict for av-signatures-current, which .*tuesday\.json had none for: the totals do not compare/);
  });

  it('a finding waived or baselined in the later report is suppressed, not fixed, and counts again when the suppression goes', async () => {
    const { reports } = await readReports([reportsDir], process.cwd());
    // fab-app-01 fails vm-onboarded-to-mde in every export; tuesday's run waived it and baselined the
    // rest of that rule, wednesday's used neither: nothing about the servers changed.
    const mid = reports.find((r) => r.file.endsWith('tuesday.json'))!;
    mid.report = {
      ...mid.report,
      findings: mid.report.findings.map((f) => {
        if (f.ruleId !== 'vm-onboarded-to-mde') return f;
        return f.resource.name === 'fab-app-01'
          ? { ...f, suppression: { kind: 'waiver' as const, source: 'waivers.yaml', justification: 'decommissioned in December', owner: 'secops@contoso.com', expires: '2027-03-31' } }
          : { ...f, suppression: { kind: 'baseline' as const, source: 'baseline.json' } };
      }),
    };
    const other = trend(reports);
    const onboarded = (list: { ruleId: string }[]) => list.filter((f) => f.ruleId === 'vm-onboarded-to-mde');
    const [first, second] = other.changes;
    const failingBefore = other.rules.find((r) => r.id === 'vm-onboarded-to-mde')!.failing[0]!;
    expect(onboarded(first.fixed)).to.deep.equal([]);
    expect(onboarded(first.suppressed)).to.have.length(failingBefore);
    expect(onboarded(second.new)).to.deep.equal([]);
    expect(onboarded(second.unsuppressed)).to.have.length(failingBefore);
    expect(trendMarkdown(other)).to.include(`${failingBefore} newly waived or baselined (not fixed)`);
  });

  it('renders an HTML page with the SVG charts and a markdown table', () => {
    const page = trendHtml(t);
    expect(page).to.include('<svg id="total-chart" class="chart trend-chart"');
    expect(page).to.include('<svg id="controls-chart" class="chart trend-chart"');
    // One line for all rules, one per rule that failed in some report.
    const total = /<svg id="total-chart"[^]*?<\/svg>/.exec(page)![0];
    const failed = t.rules.filter((r) => r.failing.some((v) => v !== null && v > 0)).length;
    expect((total.match(/<polyline /g) ?? []).length).to.equal(1 + failed);
    expect(page).to.include('new: <code>av-mode-active-on-servers</code> sql-prod-01.corp.contoso.com');
    const md = trendMarkdown(t);
    expect(md).to.match(/\| `av-mode-active-on-servers` \| 7 \| 5 \| 6 \| -1 \|/);
  });

  it('the CLI reads a folder of reports, and refuses a report of an unknown schemaVersion naming the file', () => {
    const ok = spawnSync(process.execPath, [BIN, 'trend', reportsDir, '--framework', 'mcsb'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.include('2026-11-27 02:00  2026-11-27 05:00  2026-11-27 08:00');
    expect(ok.stdout).to.include('+ av-mode-active-on-servers  sql-prod-01.corp.contoso.com');
    const future = path.join(dir, 'future.json');
    const doc = JSON.parse(readFileSync(path.join(reportsDir, 'monday.json'), 'utf8'));
    writeFileSync(future, JSON.stringify({ ...doc, schemaVersion: '2.0' }));
    const bad = spawnSync(process.execPath, [BIN, 'trend', path.join(reportsDir, 'monday.json'), future], { encoding: 'utf8' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.include(`${future}#/schemaVersion  error  report schemaVersion "2.0" is not one this posture-lint reads (1.0, 1.1)`);
    const sarifLike = path.join(dir, 'results.sarif.json');
    writeFileSync(sarifLike, JSON.stringify({ version: '2.1.0', runs: [] }));
    const notReport = spawnSync(process.execPath, [BIN, 'trend', sarifLike], { encoding: 'utf8' });
    expect(notReport.status).to.equal(2);
    expect(notReport.stderr).to.include(`${sarifLike}  error  not a posture-lint JSON report: it has no schemaVersion`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...doc, findings: [{ ruleId: 'x' }] }));
    const invalid = spawnSync(process.execPath, [BIN, 'trend', broken], { encoding: 'utf8' });
    expect(invalid.status).to.equal(2);
    expect(invalid.stderr).to.include(`${broken}#/findings/0`);
  });

  it('the CLI names the closest trend format and framework to a misspelt one', () => {
    const format = spawnSync(process.execPath, [BIN, 'trend', reportsDir, '--format', 'markdwon'], { encoding: 'utf8' });
    expect(format.status).to.equal(2);
    expect(format.stderr).to.include("unknown trend format 'markdwon' (did you mean 'markdown'?) (known: text, markdown, html, json)");
    const framework = spawnSync(process.execPath, [BIN, 'trend', reportsDir, '--framework', 'cis-azrue'], { encoding: 'utf8' });
    expect(framework.status).to.equal(2);
    expect(framework.stderr).to.include("unknown framework 'cis-azrue' (did you mean 'cis-azure'?) (known: cis-azure, mcsb, nist-800-53,");
  });

  it('a report without a snapshot time keeps the order given, and says so', async () => {
    const { reports } = await readReports([reportsDir], process.cwd());
    for (const r of reports) delete (r.report.snapshot as { takenAt?: string }).takenAt;
    const other = trend(reports);
    expect(other.points.map((p) => p.file.replace(/.*\//, ''))).to.deep.equal(['monday.json', 'tuesday.json', 'wednesday.json']);
    expect(other.warnings[0]).to.match(/no snapshot time .* in the order given/);
  });
});
