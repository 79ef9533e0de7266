/**
 * Gating in pipelines: waivers with expiry, baselines that survive re-exports, --max-findings,
 * several formats in one run.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exitCode, lint } from '../src/lint';
import { loadConfig } from '../src/config';
import { createBaseline, formatBaseline } from '../src/gate/baseline';
import { fingerprintOf } from '../src/engine/evaluate';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = 'fixtures/snapshots/contoso';

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `posture-lint-${prefix}-`));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

type Json = Record<string, unknown>;

/**
 * The same estate exported another way: files renamed and flattened into one folder, records in
 * reverse order, subscriptions and role assignments in their `az` forms instead of REST, and
 * resource-group names upper-cased in ARM ids (ARM ids are case-insensitive).
 */
function reExport(src: string): string {
  const out = tmp('reexport');
  let n = 0;
  const upperGroups = (s: string) => s.replace(/(\/resourceGroups\/)([^/"]+)/gi, (_m, a: string, b: string) => `${a}${b.toUpperCase()}`);
  for (const file of walk(src).sort()) {
    const rel = path.relative(src, file);
    if (!file.endsWith('.json')) {
      if (rel === 'snapshot.yaml') cpSync(file, path.join(out, rel));
      continue;
    }
    let doc = JSON.parse(upperGroups(readFileSync(file, 'utf8'))) as Json | Json[];
    const list = Array.isArray(doc) ? doc : ((doc.value ?? doc.data) as Json[] | undefined);
    if (Array.isArray(list)) list.reverse();
    if (!Array.isArray(doc) && Array.isArray(doc.value) && doc.value.every((r) => typeof (r as Json).subscriptionId === 'string' && typeof (r as Json).tenantId === 'string' && !('type' in (r as Json)))) {
      // GET /subscriptions -> az account list
      doc = (doc.value as Json[]).map((r) => ({ cloudName: 'AzureCloud', id: r.subscriptionId, name: r.displayName, state: r.state, tenantId: r.tenantId, homeTenantId: r.tenantId, isDefault: false, managedByTenants: r.managedByTenants ?? [], user: { name: 'exporter@contoso.com', type: 'user' } }));
    } else if (!Array.isArray(doc) && Array.isArray(doc.value) && doc.value.every((r) => String((r as Json).type).toLowerCase() === 'microsoft.authorization/roleassignments' && (r as Json).properties)) {
      // REST role assignments -> az role assignment list (flattened)
      doc = (doc.value as Json[]).map((r) => ({ ...(r.properties as Json), id: r.id, name: r.name, type: r.type }));
    }
    writeFileSync(path.join(out, `export-${String(++n).padStart(3, '0')}.json`), JSON.stringify(doc));
  }
  return out;
}

describe('gating', function () {
  this.timeout(120_000);

  describe('fingerprints and baselines', () => {
    it('survive a re-export of the same estate in other files, order, envelope forms and id casing', async () => {
      const other = reExport(DEMO);
      const a = (await lint({ snapshot: DEMO })).report;
      const b = (await lint({ snapshot: other })).report;
      expect(b.diagnostics.filter((d) => d.severity === 'error'), 'the re-export loads cleanly').to.deep.equal([]);
      const prints = (r: typeof a) => r.findings.map((f) => `${f.ruleId} ${f.fingerprint}`).sort();
      expect(a.findings.length).to.be.greaterThan(10);
      expect(prints(b)).to.deep.equal(prints(a));
      // A baseline taken on one export makes the other pass.
      const dir = tmp('baseline');
      writeFileSync(path.join(dir, 'baseline.json'), formatBaseline(createBaseline(a)));
      const gated = (await lint({ snapshot: other, baseline: path.join(dir, 'baseline.json') })).report;
      expect(gated.summary.findings).to.equal(0);
      expect(gated.summary.suppressed).to.equal(a.findings.length);
      expect(gated.baseline?.fixed).to.deep.equal([]);
      expect(exitCode(gated)).to.equal(0);
      rmSync(other, { recursive: true });
      rmSync(dir, { recursive: true });
    });

    it('fail only on new findings, and list the fixed ones', async () => {
      const dir = tmp('baseline-new');
      const snap = path.join(dir, 'snap');
      cpSync(DEMO, snap, { recursive: true });
      const before = (await lint({ snapshot: snap })).report;
      const baseline = createBaseline(before);
      // Drop one known finding from the baseline (it will count as new) and add one that is gone.
      const dropped = baseline.findings.shift()!;
      const gone = { kind: 'mde.machines', id: 'decommissioned01' };
      baseline.findings.push({ fingerprint: fingerprintOf('device-in-device-group', gone), ruleId: 'device-in-device-group', resource: gone });
      writeFileSync(path.join(dir, 'baseline.json'), formatBaseline(baseline));
      const { report } = await lint({ snapshot: snap, baseline: path.join(dir, 'baseline.json') });
      expect(report.findings.filter((f) => !f.suppression).map((f) => f.fingerprint)).to.deep.equal([dropped.fingerprint]);
      expect(report.baseline?.fixed.map((f) => f.resource.id)).to.deep.equal(['decommissioned01']);
      expect(exitCode(report)).to.equal(1);
      rmSync(dir, { recursive: true });
    });

    it('refuse an entry whose fingerprint is not that of its rule and resource labels, at its pointer and line', async () => {
      const dir = tmp('baseline-forged');
      const plain = (await lint({ snapshot: DEMO })).report;
      const critical = plain.findings.find((f) => f.severity === 'critical')!;
      const harmless = plain.findings.find((f) => f.severity === 'low' || f.severity === 'info')!;
      // Labelled as the harmless finding, carrying the critical finding's fingerprint.
      const forged = { version: 1, tool: 'posture-lint', findings: [{ fingerprint: critical.fingerprint, ruleId: harmless.ruleId, resource: harmless.resource }] };
      writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(forged, null, 2));
      const { report } = await lint({ snapshot: path.resolve(DEMO), baseline: path.join(dir, 'baseline.json'), cwd: dir });
      expect(report.diagnostics.filter((d) => d.code === 'baseline-invalid')).to.deep.equal([
        {
          severity: 'error',
          code: 'baseline-invalid',
          message: `the fingerprint is not that of rule ${harmless.ruleId} on ${harmless.resource.kind} ${harmless.resource.id}: an entry must agree with its labels (recreate the baseline with posture-lint baseline create)`,
          file: 'baseline.json',
          pointer: '/findings/0/fingerprint',
          position: { line: 6, column: 22 },
        },
      ]);
      expect(report.findings.find((f) => f.fingerprint === critical.fingerprint)!.suppression).to.equal(undefined);
      expect(report.summary.suppressed).to.equal(0);
      expect(exitCode(report)).to.equal(2);
      rmSync(dir, { recursive: true });
    });

    it('refuse an entry that repeats a key: a reviewer reads the first label, JSON.parse keeps the last', async () => {
      const dir = tmp('baseline-repeated');
      const plain = (await lint({ snapshot: DEMO })).report;
      const critical = plain.findings.find((f) => f.severity === 'critical')!;
      const harmless = plain.findings.find((f) => f.severity === 'low')!;
      const labels = (f: typeof critical) => `"fingerprint": "${f.fingerprint}", "ruleId": "${f.ruleId}", "resource": ${JSON.stringify(f.resource)}`;
      // Each label set agrees with its fingerprint; the diff shows the harmless one first.
      writeFileSync(path.join(dir, 'baseline.json'), `{"version": 1, "tool": "posture-lint", "findings": [\n  {${labels(harmless)},\n   ${labels(critical)}}\n]}\n`);
      const { report } = await lint({ snapshot: path.resolve(DEMO), baseline: path.join(dir, 'baseline.json'), cwd: dir });
      const problems = report.diagnostics.filter((d) => d.code === 'baseline-invalid');
      expect(problems.map((d) => `${d.pointer} ${d.position?.line}:${d.position?.column} ${d.severity}`)).to.deep.equal([
        '/findings/0/fingerprint 3:4 error',
        '/findings/0/ruleId 3:55 error',
        '/findings/0/resource 3:105 error',
      ]);
      expect(problems[0].message).to.equal('the key "fingerprint" is repeated: JSON readers keep only the last, so what the baseline accepts is ambiguous');
      expect(report.findings.find((f) => f.fingerprint === critical.fingerprint)!.suppression).to.equal(undefined);
      expect(report.summary.suppressed).to.equal(0);
      expect(exitCode(report)).to.equal(2);
      rmSync(dir, { recursive: true });
    });

    it('report a file that is not a baseline at its line and column, without quoting it', async () => {
      const dir = tmp('baseline-secret');
      const secret = 'hunter2-correct-horse-battery-staple';
      writeFileSync(path.join(dir, 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n`);
      writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ password: secret, findings: [] }));
      writeFileSync(path.join(dir, 'entry.json'), '{"version": 1, "tool": "posture-lint", "findings": [\n  {"fingerprint": "x", "ruleId": "r"}\n]}');
      const problems = async (file: string) =>
        (await lint({ snapshot: path.resolve(DEMO), baseline: file, cwd: dir })).report.diagnostics
          .filter((d) => d.code === 'baseline-invalid')
          .map((d) => `${d.file}:${d.position?.line}:${d.position?.column} ${d.pointer ?? ''} ${d.message}`);
      const keyFile = await problems('id_rsa');
      expect(keyFile).to.have.length(1);
      expect(keyFile).to.deep.equal(['id_rsa:1:1  cannot read baseline: is not valid JSON']);
      const settings = await problems('settings.json');
      expect(settings).to.deep.equal(['settings.json:1:1  not a posture-lint baseline (version 1); create one with: posture-lint baseline create <snapshot> --output <file>']);
      expect(await problems('entry.json')).to.deep.equal(['entry.json:2:3 /findings/0 entry needs fingerprint, ruleId, resource.kind and resource.id']);
      for (const p of [...keyFile, ...settings]) expect(p).to.not.include(secret).and.not.include('BEGIN');
      rmSync(dir, { recursive: true });
    });

    it('baseline create writes the file; a broken baseline is an error', () => {
      const dir = tmp('baseline-cli');
      const r = spawnSync(process.execPath, [BIN, 'baseline', 'create', path.resolve(DEMO), '--output', 'b.json'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).to.equal(0);
      const b = JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8'));
      expect(b).to.include({ version: 1, tool: 'posture-lint' });
      expect(spawnSync(process.execPath, [BIN, 'lint', path.resolve(DEMO), '--baseline', 'b.json'], { cwd: dir }).status).to.equal(0);
      writeFileSync(path.join(dir, 'bad.json'), '{"findings": 3}');
      const bad = spawnSync(process.execPath, [BIN, 'lint', path.resolve(DEMO), '--baseline', 'bad.json', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
      expect(bad.status).to.equal(2);
      expect(JSON.parse(bad.stdout).diagnostics.map((d: { code: string }) => d.code)).to.include('baseline-invalid');
      rmSync(dir, { recursive: true });
    });
  });

  describe('waivers', () => {
    async function withWaivers(yaml: string) {
      const dir = tmp('waivers');
      writeFileSync(path.join(dir, 'waivers.yaml'), yaml);
      const result = await lint({ snapshot: DEMO, waivers: path.join(dir, 'waivers.yaml') });
      rmSync(dir, { recursive: true });
      return result.report;
    }

    it('report a waived finding with its justification and do not fail on it', async () => {
      const plain = (await lint({ snapshot: DEMO })).report;
      const target = plain.findings.find((f) => f.ruleId === 'subscription-tenant-matches-xdr')!;
      const report = await withWaivers(`waivers:
  - rule: subscription-tenant-matches-xdr
    resources: ["${target.resource.id.toUpperCase()}"]
    justification: Fabrikam moves into the Contoso tenant in the Q1 migration wave.
    owner: cloud-platform@contoso.com
    expires: 2027-03-31
`);
      const waived = report.findings.find((f) => f.fingerprint === target.fingerprint)!;
      expect(waived.suppression).to.deep.include({ kind: 'waiver', owner: 'cloud-platform@contoso.com', expires: '2027-03-31' });
      expect(report.summary.findings).to.equal(plain.summary.findings - 1);
      expect(report.summary.suppressed).to.equal(1);
      expect(report.diagnostics.filter((d) => d.code.startsWith('waiver'))).to.deep.equal([]);
    });

    it('match resources by glob; an expired waiver no longer applies and is reported; a stale one is reported', async () => {
      const report = await withWaivers(`waivers:
  - rule: device-in-device-group
    resources: ["*"]
    justification: Device groups are being rebuilt this quarter.
    owner: secops@contoso.com
    expires: 2026-01-31
  - rule: linux-realtime-protection-on
    resources: ["/subscriptions/*/resourceGroups/rg-gone/*"]
    justification: The legacy resource group is being retired.
    owner: secops@contoso.com
    expires: 2027-01-31
  - rule: linux-realtime-protection-on
    resources: ["*"]
    justification: Third-party antivirus runs on every Linux server.
    owner: secops@contoso.com
    expires: 2027-01-31
`);
      const byCode = (code: string) => report.diagnostics.filter((d) => d.code === code).map((d) => `${d.position?.line}:${d.position?.column} ${d.message}`);
      expect(byCode('waiver-expired')).to.have.length(1);
      expect(byCode('waiver-expired')[0]).to.match(/^2:5 waiver for device-in-device-group \(secops@contoso.com\) expired on 2026-01-31; the \d+ findings it matches count again$/);
      expect(byCode('waiver-stale')).to.deep.equal(['7:5 waiver for linux-realtime-protection-on (secops@contoso.com) matches no finding; remove it if the risk is gone']);
      expect(report.findings.filter((f) => f.ruleId === 'device-in-device-group').every((f) => !f.suppression)).to.equal(true);
      const linux = report.findings.filter((f) => f.ruleId === 'linux-realtime-protection-on');
      expect(linux.length).to.be.greaterThan(0);
      expect(linux.every((f) => f.suppression?.kind === 'waiver')).to.equal(true);
    });

    it('report each missing key of a waiver, not only the first', async () => {
      const report = await withWaivers('waivers:\n  - rule: device-in-device-group\n    resources: ["*"]\n    expires: 2027-01-31\n');
      expect(report.diagnostics.filter((d) => d.code === 'waivers-invalid').map((d) => `${d.position?.line}:${d.position?.column} ${d.message}`)).to.deep.equal([
        "2:5 waivers.0: missing required property 'justification'",
        "2:5 waivers.0: missing required property 'owner'",
      ]);
    });

    it('read a waivers file and a config file as PowerShell Out-File writes them (UTF-16 with a BOM); an invalid byte is an error at its position', async () => {
      const dir = tmp('encodings');
      const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      writeFileSync(path.join(dir, 'posture-lint.yaml'), utf16('failOn: high\ndisable: [mde-device-healthy]\n'));
      const { config, diagnostics } = await loadConfig(undefined, dir);
      expect(diagnostics).to.deep.equal([]);
      expect(config).to.deep.include({ failOn: 'high', disable: ['mde-device-healthy'] });
      writeFileSync(path.join(dir, 'posture-lint.yaml'), Buffer.concat([Buffer.from('failOn: high\ndisable: [mde-device-'), Buffer.from([0xff]), Buffer.from('healthy]\n')]));
      expect((await loadConfig(undefined, dir)).diagnostics.map((d) => `${d.code} ${d.file}:${d.position?.line}:${d.position?.column}`)).to.deep.equal(['config-invalid posture-lint.yaml:2:22']);
      const plain = (await lint({ snapshot: DEMO })).report;
      const target = plain.findings.find((f) => f.ruleId === 'subscription-tenant-matches-xdr')!;
      const waivers = `waivers:\n  - rule: subscription-tenant-matches-xdr\n    resources: ["${target.resource.id}"]\n    justification: Migration wave Q1 — tenant move agreed.\n    owner: cloud-platform@contoso.com\n    expires: 2027-03-31\n`;
      writeFileSync(path.join(dir, 'waivers.yaml'), utf16(waivers));
      const waived = (await lint({ snapshot: DEMO, waivers: path.join(dir, 'waivers.yaml') })).report;
      expect(waived.findings.find((f) => f.fingerprint === target.fingerprint)!.suppression).to.deep.include({ justification: 'Migration wave Q1 — tenant move agreed.' });
      rmSync(dir, { recursive: true });
    });

    it('reject a waiver without justification, owner or a date, at its line', async () => {
      const report = await withWaivers('waivers:\n  - rule: device-in-device-group\n    resources: ["*"]\n    expires: next year\n');
      const problems = report.diagnostics.filter((d) => d.code === 'waivers-invalid').map((d) => `${d.position?.line}:${d.position?.column} ${d.message}`);
      expect(problems).to.include.members([
        "2:5 waivers.0: missing required property 'justification'",
        "4:14 waivers.0.expires: 'next year' is not a date written YYYY-MM-DD, such as 2027-03-31",
      ]);
      expect(exitCode(report)).to.equal(2);
    });

    it('reject a waiver whose rule is no id, saying what an id looks like: a leading digit is not one', async () => {
      const report = await withWaivers('waivers:\n  - rule: 2fa-enforced\n    resources: ["*"]\n    justification: MFA rollout in progress.\n    owner: secops@contoso.com\n    expires: 2027-03-31\n');
      const problems = report.diagnostics.filter((d) => d.code === 'waivers-invalid').map((d) => `${d.position?.line}:${d.position?.column} ${d.message}`);
      expect(problems).to.deep.equal([
        "2:11 waivers.0.rule: '2fa-enforced' is not an id of lower-case letters and digits that starts with a letter, words joined by one '-', such as vm-onboarded-to-mde",
      ]);
      expect(exitCode(report)).to.equal(2);
    });
  });

  describe('rules that checked nothing', () => {
    /** The demo estate with every Linux device reporting a Windows platform: the Linux rule has nothing to check. */
    function windowsOnly(manifestTail = ''): string {
      const dir = tmp('windows-only');
      cpSync(DEMO, dir, { recursive: true });
      for (const page of ['machines.page-1.json', 'machines.page-2.json']) {
        const file = path.join(dir, 'mde', page);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/"osPlatform": *"(Ubuntu|Debian|RedHatEnterpriseLinux|CentOS|SuSE|Linux)"/g, '"osPlatform": "WindowsServer2022"'));
      }
      if (manifestTail) writeFileSync(path.join(dir, 'snapshot.yaml'), readFileSync(path.join(DEMO, 'snapshot.yaml'), 'utf8') + manifestTail);
      return dir;
    }
    const manifestLines = readFileSync(path.join(DEMO, 'snapshot.yaml'), 'utf8').split('\n').length - 1;

    it('are reported as checked-nothing, never passed, and the verdict counts them; --strict does not fail on them', async () => {
      const dir = windowsOnly();
      const { report } = await lint({ snapshot: dir });
      const linux = report.rules.find((r) => r.id === 'linux-realtime-protection-on')!;
      expect(linux).to.deep.include({ status: 'checked-nothing', evaluated: 0, passed: 0, failed: 0 });
      expect(report.summary.rules.checkedNothing).to.equal(report.rules.filter((r) => r.status === 'checked-nothing').length).and.be.greaterThan(0);
      expect(report.gate.line).to.match(/; \d+ rules? checked nothing$/);
      const strict = (await lint({ snapshot: dir, gate: { strict: true } })).report;
      expect(strict.gate).to.deep.include({ exitCode: report.gate.exitCode, checkedNothing: report.gate.checkedNothing });
      rmSync(dir, { recursive: true });
    });

    it('fail the gate (exit 2) when the manifest requires the rule to check something, at the requirement', async () => {
      const dir = windowsOnly('minChecked:\n  linux-realtime-protection-on: 1\n  linux-realtime-protection: 1\n');
      const { report } = await lint({ snapshot: dir });
      expect(report.diagnostics.filter((d) => d.code === 'scope-below-minimum').map((d) => `${d.file}:${d.position?.line}:${d.position?.column} ${d.message}`)).to.deep.equal([
        `snapshot.yaml:${manifestLines + 2}:3 minChecked: rule 'linux-realtime-protection-on' checked 0 records; the manifest requires at least 1`,
        `snapshot.yaml:${manifestLines + 3}:3 minChecked: rule 'linux-realtime-protection' must check at least 1 record but is not run (did you mean 'linux-realtime-protection-on'?)`,
      ]);
      expect(exitCode(report)).to.equal(2);
      // The demo estate itself has Linux devices: the same requirement holds.
      const met = windowsOnly('minChecked:\n  linux-realtime-protection-on: 5\n');
      cpSync(path.join(DEMO, 'mde'), path.join(met, 'mde'), { recursive: true });
      expect((await lint({ snapshot: met })).report.diagnostics.filter((d) => d.code === 'scope-below-minimum')).to.deep.equal([]);
      rmSync(dir, { recursive: true });
      rmSync(met, { recursive: true });
    });

    it('fail the gate when a manifest export holds fewer records than its minRecords', async () => {
      const dir = tmp('min-records');
      cpSync(DEMO, dir, { recursive: true });
      writeFileSync(path.join(dir, 'snapshot.yaml'), readFileSync(path.join(DEMO, 'snapshot.yaml'), 'utf8').replace('  - kind: mde.machines\n', '  - kind: mde.machines\n    minRecords: 1000\n'));
      const { report } = await lint({ snapshot: dir });
      const line = readFileSync(path.join(DEMO, 'snapshot.yaml'), 'utf8').split('\n').indexOf('  - kind: mde.machines') + 1;
      expect(report.diagnostics.filter((d) => d.code === 'export-below-minimum').map((d) => `${d.file}:${d.position?.line}:${d.position?.column} ${d.message}`)).to.deep.equal([
        `snapshot.yaml:${line}:5 mde.machines: the export holds 33 records, fewer than the 1000 the manifest requires (minRecords)`,
      ]);
      expect(exitCode(report)).to.equal(2);
      rmSync(dir, { recursive: true });
    });
  });

  describe('gate controls', () => {
    const run = (args: string[], cwd = process.cwd()) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

    it('--max-findings tolerates up to N failing findings', async () => {
      // Info findings (accepted risks shown) never fail the gate at --fail-on low.
      const n = (await lint({ snapshot: DEMO })).report.findings.filter((f) => f.severity !== 'info').length;
      expect(run(['lint', DEMO, '--max-findings', String(n)]).status).to.equal(0);
      expect(run(['lint', DEMO, '--max-findings', String(n - 1)]).status).to.equal(1);
      expect(run(['lint', DEMO, '--max-findings', 'lots']).status).to.equal(2);
    });

    describe('an auto-discovered posture-lint.yaml that weakens the rule set pinned on the command line', () => {
      // What a pull request can put in the working directory of the pipeline that gates it.
      const WEAK = [
        'disable:',
        '  - vm-onboarded-to-mde',
        '  - linux-realtime-protection-on',
        'severity:',
        '  mde-device-healthy: info',
        '  defender-servers-plan-enabled: critical',
        'parameters:',
        '  mde-device-healthy:',
        '    staleDays: 3650',
        'failOn: critical',
        'maxFindings: 1000',
        '',
      ].join('\n');
      let dir: string;
      before(() => {
        dir = tmp('weak-config');
        writeFileSync(path.join(dir, 'posture-lint.yaml'), WEAK);
      });
      after(() => rmSync(dir, { recursive: true }));
      const weakenings = (stdout: string) =>
        (JSON.parse(stdout).diagnostics as { code: string; severity: string; file: string; position: { line: number; column: number }; message: string }[])
          .filter((d) => d.code === 'config-weakens-gate')
          .map((d) => `${d.severity} ${d.file}:${d.position.line}:${d.position.column} ${d.message.replace(/ \((with --strict|--strict fails)[^)]*\)$/, '')}`);

      it('fails --strict (exit 2), naming each weakening at its line; raising a severity is no weakening', () => {
        const r = run(['lint', path.resolve(DEMO), '--ruleset', 'recommended@1', '--strict', '--format', 'json'], dir);
        expect(r.status).to.equal(2);
        expect(weakenings(r.stdout)).to.deep.equal([
          "error posture-lint.yaml:2:5 disable: turns off rule 'vm-onboarded-to-mde'",
          "error posture-lint.yaml:3:5 disable: turns off rule 'linux-realtime-protection-on'",
          "error posture-lint.yaml:5:3 severity: lowers rule 'mde-device-healthy' from medium to info",
          "error posture-lint.yaml:9:5 parameters: changes rule 'mde-device-healthy' parameter 'staleDays', which may loosen it",
          'error posture-lint.yaml:10:1 failOn: critical lets findings below critical pass (default low); set --fail-on on the command line',
          'error posture-lint.yaml:11:1 maxFindings: tolerates 1000 failing findings (default 0); set --max-findings on the command line',
        ]);
        expect(JSON.parse(r.stdout).gate).to.deep.include({ status: 'error', exitCode: 2, failOn: 'critical', maxFindings: 1000, strict: true });
      });

      it('without --strict, still applies the file but warns about each weakening in the report', () => {
        const r = run(['lint', path.resolve(DEMO), '--ruleset', 'recommended@1', '--format', 'json'], dir);
        expect(weakenings(r.stdout)).to.have.length(6);
        expect(weakenings(r.stdout).every((w) => w.startsWith('warning '))).to.equal(true);
        expect(r.status).to.equal(0);
        const stylish = run(['lint', path.resolve(DEMO), '--ruleset', 'recommended@1', '--no-color'], dir).stdout;
        expect(stylish).to.match(/posture-lint\.yaml:2:5 +warning +disable: turns off rule 'vm-onboarded-to-mde' \(--strict fails on this\)/);
      });

      it('lets --fail-on and --max-findings on the command line win over the file, which then weakens nothing there', () => {
        const r = run(['lint', path.resolve(DEMO), '--ruleset', 'recommended@1', '--fail-on', 'low', '--max-findings', '0', '--format', 'json'], dir);
        expect(r.status).to.equal(1);
        const report = JSON.parse(r.stdout);
        expect(report.gate).to.deep.include({ failOn: 'low', maxFindings: 0, status: 'failed', exitCode: 1 });
        expect(weakenings(r.stdout).filter((w) => /failOn|maxFindings/.test(w))).to.deep.equal([]);
      });

      it('counts a rule set chosen in the file that leaves out rules of the default one', () => {
        const other = tmp('none-config');
        writeFileSync(path.join(other, 'posture-lint.yaml'), 'ruleset: none\n');
        const r = run(['lint', path.resolve(DEMO), '--strict', '--format', 'json'], other);
        expect(r.status).to.equal(2);
        expect(weakenings(r.stdout)).to.deep.equal([
          "error posture-lint.yaml:1:1 ruleset: 'none' leaves out 20 of the 20 rules of recommended@2; pin the rule set with --ruleset on the command line",
        ]);
        // Pinned on the command line, the file's rule set is not used.
        expect(run(['lint', path.resolve(DEMO), '--strict', '--ruleset', 'recommended@1', '--format', 'json'], other).status).to.equal(1);
        rmSync(other, { recursive: true });
      });
    });

    it("lint() with its own folder (cwd) still names a configuration that disables the caller's own rule", async () => {
      // The caller (a tool embedding posture-lint) works in another folder than the process: rule
      // files are shown relative to that folder, and telling whether the caller chose them must
      // resolve against it too, or the configuration's `disable` turns the rule off unmentioned.
      const cwd = tmp('cwd-config');
      try {
        mkdirSync(path.join(cwd, 'team-rules'));
        cpSync('rules/mde-device-healthy.yaml', path.join(cwd, 'team-rules', 'mde-device-healthy.yaml'));
        writeFileSync(path.join(cwd, 'posture-lint.yaml'), 'disable:\n  - mde-device-healthy\n');
        const { config } = await loadConfig(undefined, cwd);
        const rule = path.join(cwd, 'team-rules', 'mde-device-healthy.yaml');
        const { report } = await lint({ snapshot: path.resolve(DEMO), ruleset: 'none', rules: [rule], config, cwd });
        expect(report.rules).to.deep.equal([]);
        expect(report.diagnostics.filter((d) => d.code === 'config-weakens-gate').map((d) => d.message)).to.deep.equal([
          "disable: turns off rule 'mde-device-healthy' (--strict fails on this)",
        ]);
      } finally {
        rmSync(cwd, { recursive: true });
      }
    });

    it('writes to a device such as /dev/null without replacing it, and reports an unwritable output cleanly', () => {
      expect(run(['lint', DEMO, '--format', 'json', '--output', '/dev/null']).status).to.equal(1);
      expect(statSync('/dev/null').isCharacterDevice()).to.equal(true);
      const dir = tmp('unwritable');
      const r = run(['lint', DEMO, '--format', 'json', '--output', dir]);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(/^posture-lint: EISDIR/);
      expect(r.stderr).not.to.include('internal error');
      rmSync(dir, { recursive: true });
    });

    it('writes several formats in one run, each to its own file, one to stdout', () => {
      const dir = tmp('formats');
      mkdirSync(path.join(dir, 'out'));
      const r = run(['lint', path.resolve(DEMO), '--format', 'json', '--output', 'out/report.json', '--format', 'stylish', '--no-color'], dir);
      expect(r.status).to.equal(1);
      expect(JSON.parse(readFileSync(path.join(dir, 'out/report.json'), 'utf8')).schemaVersion).to.equal('1.1');
      expect(r.stdout).to.match(/\d+ findings/);
      expect(run(['lint', DEMO, '--format', 'json', '--format', 'stylish']).stderr).to.include('only one --format can go to stdout');
      rmSync(dir, { recursive: true });
    });
  });
});
