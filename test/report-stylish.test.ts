import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { stylish } from '../src/report/formatters/stylish';
import type { Report } from '../src/report/model';
import { contosoReport, formatContext, refresh, RULES } from './report-fixture';
import { judge } from '../src/gate/verdict';

const ESC = '\x1b';

describe('report stylish formatter', () => {
  const plain = stylish(contosoReport(), formatContext(false));

  it('prints findings by rule, then problems, then the rules they kept from running, then the summary and the gate verdict', () => {
    expect(plain).to.equal(
      [
        '✖ defender-servers-plan-on  critical  Defender for Servers is on for every subscription  (1 of 1 failed)',
        '  VirtualMachines  plan is Free in subscription 00000000-0000-0000-0000-000000000000',
        // The id under the name: what a waiver or baseline entry names.
        '                   resource: /subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines',
        '                   defender/pricings.json#/value/0',
        // A rule without a fix line still says where to read how to fix it.
        '  how to fix: posture-lint explain defender-servers-plan-on',
        '',
        '✖ linux-realtime-protection-on  high  Linux servers have antivirus real-time protection on  (2 of 3 failed)',
        '  vm-linux-01.contoso.com  antivirus is passive (avMode "1"), so real-time protection is off',
        '                           resource: 7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f',
        '                           mde/machines.json#/value/1',
        '                           mde/deviceavinfo.json#/value/1',
        '  vm-linux-02.contoso.com  antivirus is passive (avMode "1"), so real-time protection is off',
        '                           resource: c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0',
        '                           mde/machines.json#/value/2',
        '                           mde/deviceavinfo.json#/value/2',
        // Fix and pointer to the rule's documentation, on two lines when one would pass 120 columns.
        '  fix: Set antivirusEngine.enforcementLevel to real_time in mdatp_managed.json.',
        '       (posture-lint explain linux-realtime-protection-on)',
        '',
        '✖ mde-sensor-active  medium  Onboarded devices report sensor data  (1 of 4 failed)',
        '  mymachine1.contoso.com  sensor health is Inactive',
        '                          resource: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
        '                          mde/machines.json#/value/0',
        '  how to fix: posture-lint explain mde-sensor-active',
        '',
        'Problems',
        // No padding after the message: a long one must not pad every other line.
        "  graph/defender-role-assignments.json:14:7  error    Expected ',' or '}' after property value in JSON  json-syntax",
        '  mde/machines.json#/value/3/osBuild         warning  osBuild must be a number, found "18209"  export-schema',
        '',
        'Not evaluated: 1 rule could not run',
        '  ⚠ xdr-roles-scoped-to-device-groups  high  Defender XDR roles for servers are scoped to device groups',
        '      missing: xdr.roleAssignments',
        '      reason: no file in the snapshot was recognised as an export of xdr.roleAssignments',
        '',
        '4 findings (1 critical, 2 high, 1 medium) · rules: 1 passed, 3 failed, 1 not evaluated · 1 error, 1 warning',
        'Gate: ERROR (exit 2) — 1 error in the inputs, rules or gate settings; 4 findings at or above low; 1 rule not evaluated (--strict fails on them)',
        '',
      ].join('\n'),
    );
  });

  it('names what a not-evaluated rule needs when the engine did not say what is missing', () => {
    const report = contosoReport();
    report.rules = report.rules.map((r) => (r.status === 'not-evaluated' ? { ...r, missing: undefined, reason: undefined } : r));
    const out = stylish(report, formatContext(false));
    expect(out).to.contain('  ⚠ xdr-roles-scoped-to-device-groups  high');
    expect(out).to.contain('      needs: mde.machines, xdr.roleAssignments\n');
    expect(out).to.not.contain('reason:');
  });

  it('lists the rules one broken export kept from running together, its explanation once, where the most severe of them stands', () => {
    const report = contosoReport();
    const incomplete = { missing: ['mde.machines is incomplete: mde/machines.json (json-syntax)'], reason: 'inputs this rule reads are incomplete, so no verdict would be sound' };
    const skipped = (id: string, severity: 'high' | 'medium' | 'low', why: { missing: string[]; reason: string }) =>
      ({ id, title: `${id} title`, severity, status: 'not-evaluated' as const, evaluated: 0, passed: 0, failed: 0, needs: ['mde.machines'], ...why });
    report.rules = [
      ...report.rules.filter((r) => r.status !== 'not-evaluated'),
      skipped('mde-sensor-reporting', 'high', incomplete),
      skipped('alerts-triaged', 'medium', { missing: ['defender.alerts'], reason: 'the snapshot lacks inputs this rule needs' }),
      skipped('device-grouped', 'low', incomplete),
    ];
    const section = stylish(report, formatContext(false)).split('Not evaluated: ')[1].split('\n\n')[0];
    expect(section.split('\n')).to.deep.equal([
      '3 rules could not run',
      '  ⚠ mde-sensor-reporting  high  mde-sensor-reporting title',
      '  ⚠ device-grouped  low  device-grouped title',
      '      missing: mde.machines is incomplete: mde/machines.json (json-syntax)',
      '      reason: inputs this rule reads are incomplete, so no verdict would be sound',
      '  ⚠ alerts-triaged  medium  alerts-triaged title',
      '      missing: defender.alerts',
      '      reason: the snapshot lacks inputs this rule needs',
    ]);
  });

  it('shows a problem with neither position nor pointer by its file alone', () => {
    const report = contosoReport();
    report.diagnostics = [diagnostic('error', 'unknown-export', 'not a recognised export', { file: 'notes.json' })];
    expect(stylish(report, formatContext(false))).to.contain('Problems\n  notes.json  error  not a recognised export  unknown-export\n');
  });

  it('uses no ANSI escapes without colour, and escapes with it', () => {
    expect(plain).to.not.contain(ESC);
    const coloured = stylish(contosoReport(), formatContext(true));
    expect(coloured).to.contain(`${ESC}[31m✖${ESC}[39m ${ESC}[1mdefender-servers-plan-on${ESC}[22m`);
    expect(coloured).to.contain(`${ESC}[2mmde/machines.json#/value/1${ESC}[22m`);
    // Same text once the colour is stripped: colour never changes layout.
    expect(coloured.replace(/\x1b\[\d+m/g, '')).to.equal(plain);
  });

  it('gives the same output for the same input, whatever order findings and problems come in', () => {
    const shuffled = contosoReport();
    shuffled.findings.reverse();
    shuffled.diagnostics.reverse();
    shuffled.rules.reverse();
    expect(stylish(contosoReport(), formatContext(false))).to.equal(plain);
    expect(stylish(shuffled, formatContext(false))).to.equal(plain);
  });

  it('shows control characters from export data escaped, so they cannot drive the terminal', () => {
    const report = contosoReport();
    report.findings[0] = {
      ...report.findings[0],
      resource: { ...report.findings[0].resource, name: 'evil\x1b]0;pwned\x07' },
      message: 'line one\nline two \u202etxt.exe',
    };
    const out = stylish(report, formatContext(false));
    expect(out).to.not.contain(ESC);
    expect(out).to.contain('evil\\u001b]0;pwned\\u0007  line one\\u000aline two \\u202etxt.exe');
  });

  it('prints only the summary and the verdict when there is nothing to report', () => {
    const rules = RULES.filter((r) => r.status === 'passed');
    const report: Report = refresh({ ...contosoReport(), rules, findings: [], diagnostics: [] });
    expect(stylish(report, formatContext(false))).to.equal(
      '0 findings · rules: 1 passed, 0 failed, 0 not evaluated · 0 errors\nGate: PASSED (exit 0) — no findings at or above low\n',
    );
  });

  it('lists a rule that checked nothing apart, counts it, and never calls it passed', () => {
    const report = contosoReport();
    report.rules = report.rules.map((r) => (r.id === 'mde-signatures-up-to-date' ? { ...r, status: 'checked-nothing', evaluated: 0, passed: 0 } : r));
    const out = stylish(refresh(report), formatContext(false));
    expect(out).to.contain(
      'Checked nothing: 1 rule found no record in scope\n  ○ mde-signatures-up-to-date  medium  Antivirus signatures are up to date\n      read: mde.avHealth\n',
    );
    expect(out).to.contain('rules: 0 passed, 3 failed, 1 checked nothing, 1 not evaluated');
    expect(out.trimEnd().split('\n').pop()).to.match(/^Gate: ERROR \(exit 2\) — .*; 1 rule checked nothing$/);
  });

  it('ends with the verdict of the gate the report carries: threshold, waived, baselined and below the threshold', () => {
    const report = contosoReport();
    report.diagnostics = [];
    report.findings = report.findings.map((f) =>
      f.ruleId === 'linux-realtime-protection-on' ? { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'third-party AV' } } : f.severity === 'critical' ? { ...f, suppression: { kind: 'baseline', source: 'baseline.json' } } : f,
    );
    refresh(report);
    report.gate = judge(report.findings, report.summary, { failOn: 'high', maxFindings: 0, strict: true });
    expect(stylish(report, formatContext(false)).trimEnd().split('\n').pop()).to.equal(
      'Gate: FAILED (exit 2) — --strict: 1 rule not evaluated; no findings at or above high (not counted: 2 waived, 1 baselined, 1 below high)',
    );
  });
  it('prints the 72,000 findings one rule of a million-device estate has (bench/generate.ts) without running out of stack', () => {
    const report = contosoReport();
    const template = report.findings[3];
    report.findings = Array.from({ length: 72_000 }, (_, i) => ({ ...template, resource: { ...template.resource, id: `device-${i}`, name: `host-${i}` } }));
    const lines = stylish(refresh(report), formatContext(false)).split('\n');
    expect(lines.filter((l) => /^ {2}host-\d+ /.test(l))).to.have.length(72_000);
  });
});
