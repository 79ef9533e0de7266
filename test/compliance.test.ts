/**
 * The compliance view (`lint --framework`): each control's status from the rules behind it, failing
 * resources per subscription, the waivers that apply, and the fail-closed cases, on the demo
 * estate and on copies of it with records fixed or exports missing.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { loadConfig } from '../src/config';
import { lint } from '../src/lint';
import { assessCompliance } from '../src/compliance/assess';
import { resolveFramework } from '../src/compliance/frameworks';
import { markdown } from '../src/report/formatters/markdown';
import { html } from '../src/report/formatters/html';
import { sarif } from '../src/report/formatters/sarif';
import { stylish } from '../src/report/formatters/stylish';
import type { ComplianceReport, ControlResult, Report, RuleMeta } from '../src/report/model';

const DEMO = 'fixtures/snapshots/contoso';
const schema = JSON.parse(readFileSync('schemas/report.schema.json', 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

const SUBS = { prod: '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80', dev: 'a83c5e17-2b94-4d6f-8a1c-5e0b9d7f2c43', shared: '1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17', fabrikam: 'c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35' };

function control(c: ComplianceReport, id: string): ControlResult {
  const found = c.controls.find((x) => x.id === id);
  if (!found) throw new Error(`no control ${id}`);
  return found;
}

function copyDemo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-compliance-'));
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

/** The same report with some rules' outcomes replaced, as another estate would give them. */
function withRules(report: Report, change: Record<string, Partial<Report['rules'][number]>>, dropFindingsOf: string[] = []): Report {
  return {
    ...report,
    rules: report.rules.map((r) => (change[r.id] ? { ...r, ...change[r.id] } : r)),
    findings: report.findings.filter((f) => !dropFindingsOf.includes(f.ruleId)),
  };
}

describe('compliance view (lint --framework)', function () {
  this.timeout(60_000);
  let report: Report;
  let rules: Map<string, RuleMeta>;

  before(async () => {
    ({ report, rules } = await lint({ snapshot: DEMO, frameworks: ['mcsb', 'cis-azure', 'cis-azure@2.0.0', 'nist-800-53'] }));
  });

  it('reports each framework asked for, newest version for a bare id, in a report the schema accepts', () => {
    expect(report.schemaVersion).to.equal('1.1');
    expect(report.compliance!.map((c) => c.framework.key)).to.deep.equal(['mcsb@v1', 'cis-azure@3.0.0', 'cis-azure@2.0.0', 'nist-800-53@r5']);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).to.equal(true);
    expect(report.snapshot.takenAt).to.equal('2026-11-27T02:00:00Z');
  });

  it('ES-2 is not met, naming both antivirus rules and counting failing devices per subscription', () => {
    const es2 = control(report.compliance![0], 'ES-2');
    expect(es2.status).to.equal('not-met');
    expect(es2.rules.map((r) => [r.id, r.status])).to.deep.equal([
      ['av-mode-active-on-servers', 'failed'],
      ['linux-realtime-protection-on', 'failed'],
    ]);
    // Distinct devices, not findings: a Linux device failing both rules counts once.
    const findings = report.findings.filter((f) => f.ruleId === 'av-mode-active-on-servers' || f.ruleId === 'linux-realtime-protection-on');
    const devices = new Set(findings.map((f) => f.resource.id));
    expect(es2.resources.failing).to.equal(devices.size);
    expect(devices.size).to.be.lessThan(findings.length);
    const perSub = es2.bySubscription.reduce((n, s) => n + s.failing, 0) + es2.outsideSubscriptions.failing;
    expect(perSub).to.equal(es2.resources.failing);
    expect(es2.bySubscription.map((s) => s.name)).to.include.members(['contoso-dev', 'contoso-shared-services']);
    // The on-premises devices are in no subscription.
    expect(es2.outsideSubscriptions.failing).to.equal(findings.filter((f) => f.subscriptionId === undefined).map((f) => f.resource.id).filter((v, i, a) => a.indexOf(v) === i).length);
  });

  it('attributes Defender for Endpoint devices to their server\'s subscription, and ARM resources to theirs', () => {
    const device = report.findings.find((f) => f.ruleId === 'av-mode-active-on-servers' && f.resource.name === 'dev-data-01');
    expect(device?.subscriptionId).to.equal(SUBS.dev);
    const onprem = report.findings.find((f) => f.resource.name === 'nas-onprem-01');
    expect(onprem).to.not.equal(undefined);
    expect(onprem!.subscriptionId).to.equal(undefined);
    // An Arc-enabled server's device has no vmMetadata: it is placed by the server the loader links it to.
    const arcDevice = report.findings.find((f) => f.ruleId === 'discovered-devices-onboarded' && f.resource.name === 'etl-onprem-03');
    expect(arcDevice?.subscriptionId).to.equal(SUBS.prod);
    const sub = report.findings.find((f) => f.ruleId === 'mde-integration-enabled');
    expect(sub?.subscriptionId).to.equal(SUBS.fabrikam);
  });

  it('CIS maps the Defender for Servers plan and the MDE integration by version, and lists the recommendations no rule covers', () => {
    const v3 = report.compliance![1];
    const v2 = report.compliance![2];
    expect(control(v3, '3.1.3.1').rules.map((r) => r.id)).to.deep.equal(['defender-servers-plan-enabled']);
    expect(control(v2, '2.1.1').rules.map((r) => r.id)).to.deep.equal(['defender-servers-plan-enabled']);
    expect(control(v2, '2.1.22').rules.map((r) => r.id)).to.deep.equal(['mde-integration-enabled', 'mde-unified-solution-enabled']);
    expect(control(v3, '3.1.3.1').bySubscription).to.deep.equal([{ subscriptionId: SUBS.dev, name: 'contoso-dev', failing: 1, waived: 0, baselined: 0 }]);
    expect(control(v2, '2.1.20').status).to.equal('not-covered');
    expect(v2.summary.notCovered).to.equal(v2.controls.filter((c) => c.rules.length === 0).length);
  });

  it('a control whose rules all passed but evidence only part of it is "partial", never "met"', () => {
    const passed = withRules(report, { 'av-signatures-current': { status: 'passed', failed: 0, passed: 28 } }, ['av-signatures-current']);
    const es3 = control(assessCompliance(passed, resolveFramework('mcsb')!), 'ES-3');
    expect(es3.status).to.equal('partial');
    expect(es3.resources).to.deep.equal({ failing: 0, waived: 0, baselined: 0 });
    // With full coverage declared, the same outcome is met.
    const full = {
      ...passed,
      rules: passed.rules.map((r) => (r.id === 'av-signatures-current' ? { ...r, controls: r.controls!.map((c) => ({ ...c, coverage: 'full' as const })) } : r)),
    };
    expect(control(assessCompliance(full, resolveFramework('mcsb')!), 'ES-3').status).to.equal('met');
  });

  it('fails closed: a rule behind the control not evaluated or checking nothing, or an error in the run, leaves it not assessed', () => {
    const mcsb = resolveFramework('mcsb')!;
    const base = withRules(report, { 'av-signatures-current': { status: 'passed', failed: 0 } }, ['av-signatures-current']);
    const full = { ...base, rules: base.rules.map((r) => (r.id === 'av-signatures-current' ? { ...r, controls: r.controls!.map((c) => ({ ...c, coverage: 'full' as const })) } : r)) };
    const notEvaluated = withRules(full, { 'av-signatures-current': { status: 'not-evaluated', evaluated: 0, passed: 0 } });
    expect(control(assessCompliance(notEvaluated, mcsb), 'ES-3')).to.include({ status: 'not-assessed', reason: 'av-signatures-current was not evaluated' });
    const empty = withRules(full, { 'av-signatures-current': { status: 'checked-nothing', evaluated: 0, passed: 0 } });
    expect(control(assessCompliance(empty, mcsb), 'ES-3')).to.include({ status: 'not-assessed', reason: 'av-signatures-current checked nothing' });
    const errors = { ...full, summary: { ...full.summary, diagnostics: { ...full.summary.diagnostics, error: 1 } } };
    expect(control(assessCompliance(errors, mcsb), 'ES-3').status).to.equal('not-assessed');
  });

  it('a posture-lint.yaml that weakens the rule set (a warning without --strict) leaves a control its rules passed not assessed', async () => {
    // docs/compliance.md: a control is met only on evidence from the rule set as chosen; the
    // configuration file is often part of the pull request being gated (docs/security.md).
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-compliance-'));
    try {
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'disable: [linux-realtime-protection-on]\n');
      const { config } = await loadConfig(undefined, dir);
      const { report: weakened } = await lint({ snapshot: DEMO, config });
      expect(weakened.diagnostics.map((d) => `${d.severity} ${d.code}`)).to.include('warning config-weakens-gate');
      const base = withRules(weakened, { 'av-signatures-current': { status: 'passed', failed: 0 } }, ['av-signatures-current']);
      const full = { ...base, rules: base.rules.map((r) => (r.id === 'av-signatures-current' ? { ...r, controls: r.controls!.map((c) => ({ ...c, coverage: 'full' as const })) } : r)) };
      const es3 = control(assessCompliance(full, resolveFramework('mcsb')!), 'ES-3');
      expect(es3).to.include({ status: 'not-assessed', reason: 'the configuration file weakens the rule set (1 config-weakens-gate warning), so no control is reported met' });
      // The same outcomes without the configuration file: met.
      expect(control(assessCompliance({ ...full, diagnostics: full.diagnostics.filter((d) => d.code !== 'config-weakens-gate') }, resolveFramework('mcsb')!), 'ES-3').status).to.equal('met');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a posture-lint.yaml that turns off every rule of a failing control leaves it not assessed, never "not covered"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-compliance-'));
    try {
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'disable: [av-mode-active-on-servers, linux-realtime-protection-on]\n');
      const { config } = await loadConfig(undefined, dir);
      const { report } = await lint({ snapshot: DEMO, config });
      const es2 = control(assessCompliance(report, resolveFramework('mcsb')!), 'ES-2');
      expect(es2.rules).to.deep.equal([]);
      expect(es2.status).to.equal('not-assessed');
      expect(es2.reason).to.match(/configuration file weakens the rule set \(2 config-weakens-gate warnings\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a snapshot missing the antivirus health export leaves ES-3 not assessed', async () => {
    const dir = copyDemo();
    try {
      unlinkSync(path.join(dir, 'mde/deviceavinfo.json'));
      writeFileSync(path.join(dir, 'snapshot.yaml'), readFileSync(path.join(dir, 'snapshot.yaml'), 'utf8').replace('  - kind: mde.avHealth\n', ''));
      const { report: r } = await lint({ snapshot: dir, frameworks: ['mcsb'] });
      expect(r.rules.find((x) => x.id === 'av-signatures-current')!.status).to.equal('not-evaluated');
      expect(control(r.compliance![0], 'ES-3').status).to.equal('not-assessed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waived findings leave the control not met and are listed with their owner and expiry', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-waivers-'));
    try {
      const file = path.join(dir, 'waivers.yaml');
      writeFileSync(
        file,
        [
          'waivers:',
          '  - rule: av-signatures-current',
          '    resources: ["*"]',
          '    justification: Signature updates are pushed by the patch window on Sundays',
          '    owner: platform-team',
          '    expires: "2027-01-31"',
          '',
        ].join('\n'),
      );
      const { report: r } = await lint({ snapshot: DEMO, frameworks: ['mcsb'], waivers: file });
      const es3 = control(r.compliance![0], 'ES-3');
      expect(es3.status).to.equal('not-met');
      expect(es3.resources.failing).to.equal(0);
      expect(es3.resources.waived).to.equal(r.findings.filter((f) => f.ruleId === 'av-signatures-current').length);
      expect(es3.waivers).to.have.length(1);
      expect(es3.waivers[0]).to.include({ ruleId: 'av-signatures-current', owner: 'platform-team', expires: '2027-01-31' });
      expect(es3.waivers[0].findings).to.equal(es3.resources.waived);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown framework is an error, never an empty compliance section', async () => {
    const { report: r } = await lint({ snapshot: DEMO, frameworks: ['iso-27001'] });
    expect(r.diagnostics.filter((d) => d.code === 'framework-unknown')).to.have.length(1);
    expect(r.gate.exitCode).to.equal(2);
    expect(r.compliance).to.equal(undefined);
  });

  it('markdown gives a table per framework fit for a job summary, html a control matrix, stylish a line per control', () => {
    const context = { rules, color: false };
    const md = markdown(report, context);
    expect(md).to.include('### Compliance: Microsoft cloud security benchmark v1');
    expect(md).to.match(/\| `ES-2` \| Use modern anti-malware software \| ❌ not met \| `av-mode-active-on-servers` failed/);
    expect(md).to.include('Not covered by any rule of this run: `PA-2`');
    const page = html(report, context);
    expect(page).to.include('<table id="compliance-mcsb-v1" class="data control-matrix">');
    // One column per subscription of the estate, plus resources in no subscription.
    const head = /<table id="compliance-mcsb-v1"[^]*?<\/thead>/.exec(page)![0];
    for (const name of ['contoso-dev', 'contoso-prod', 'contoso-shared-services', 'fabrikam-legacy', 'No subscription']) expect(head).to.include(name);
    const text = stylish(report, context);
    expect(text).to.match(/not met +ES-2 +Use modern anti-malware software +\d+ resources failing \(/);
  });

  it('the README excerpt of the demo compliance view is what markdown writes', async () => {
    const { report: mcsb, rules: metas } = await lint({ snapshot: DEMO, frameworks: ['mcsb'] });
    const out = markdown(mcsb, { rules: metas, color: false }).split('\n');
    const readme = readFileSync('README.md', 'utf8');
    const excerpt = /```markdown\n(### Compliance:[^]*?)```/.exec(readme)![1].split('\n').filter((l) => l !== '' && !l.startsWith('…') && !l.includes('…'));
    expect(excerpt.length).to.be.greaterThan(5);
    for (const line of excerpt) expect(out, line).to.include(line);
  });

  it('SARIF tags each rule with its controls within GitHub\'s 10 tags, security first and the chosen framework next', () => {
    const log = JSON.parse(sarif(report, { rules, color: false, frameworks: ['cis-azure'] }));
    const descriptors = log.runs[0].tool.driver.rules as { id: string; properties: { tags: string[]; controls?: string[] } }[];
    for (const d of descriptors) {
      expect(d.properties.tags.length, d.id).to.be.at.most(10);
      expect(d.properties.tags[0]).to.equal('security');
    }
    const plan = descriptors.find((d) => d.id === 'defender-servers-plan-enabled')!;
    expect(plan.properties.tags.slice(1, 3)).to.deep.equal(['cis-azure-2.0.0/2.1.1', 'cis-azure-3.0.0/3.1.3.1']);
    expect(plan.properties.controls).to.deep.equal(['cis-azure@2.0.0:2.1.1', 'cis-azure@3.0.0:3.1.3.1', 'mcsb@v1:LT-1', 'nist-800-53@r5:SI-4']);
  });
});
