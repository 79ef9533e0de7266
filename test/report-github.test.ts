import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { github } from '../src/report/formatters/github';
import type { Report } from '../src/report/model';
import { contosoReport, formatContext, refresh } from './report-fixture';

const run = (report: Report): string[] => github(report, formatContext(false)).split('\n');

describe('report github formatter', () => {
  it('annotates the gate verdict, each finding at its snapshot file, then not-evaluated rules, then problems', () => {
    expect(run(contosoReport())).to.deep.equal([
      '::error title=posture-lint gate::Gate: ERROR (exit 2) — 1 error in the inputs, rules or gate settings; 4 findings at or above low; 1 rule not evaluated (--strict fails on them)',
      '::error file=fixtures/snapshots/contoso/defender/pricings.json,title=defender-servers-plan-on::plan is Free in subscription 00000000-0000-0000-0000-000000000000 (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '::error file=fixtures/snapshots/contoso/mde/machines.json,title=linux-realtime-protection-on::antivirus is passive (avMode "1"), so real-time protection is off (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f)',
      '::error file=fixtures/snapshots/contoso/mde/machines.json,title=linux-realtime-protection-on::antivirus is passive (avMode "1"), so real-time protection is off (c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0)',
      '::warning file=fixtures/snapshots/contoso/mde/machines.json,title=mde-sensor-active::sensor health is Inactive (1e5bc9d7e413ddd7902c2932e418702b84d0cc07)',
      '::notice title=xdr-roles-scoped-to-device-groups::rule xdr-roles-scoped-to-device-groups not evaluated: needs xdr.roleAssignments (no file in the snapshot was recognised as an export of xdr.roleAssignments)',
      '::error file=fixtures/snapshots/contoso/graph/defender-role-assignments.json,line=14,col=7,title=json-syntax::Expected \',\' or \'}\' after property value in JSON',
      '::warning file=fixtures/snapshots/contoso/mde/machines.json,title=export-schema::osBuild must be a number, found "18209"',
      '',
    ]);
  });

  it('maps low and info findings to notices', () => {
    const report = contosoReport();
    report.findings = report.findings.map((f, i) => ({ ...f, severity: i % 2 === 0 ? 'low' : 'info' }));
    expect(run(report).slice(1, 5).map((l) => l.slice(0, l.indexOf(' ')))).to.deep.equal(['::notice', '::notice', '::notice', '::notice']);
  });

  it('leaves out waived and baselined findings: they do not fail the run', () => {
    const report = contosoReport();
    report.findings = report.findings.map((f) =>
      f.ruleId === 'linux-realtime-protection-on' ? { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'third-party AV' } } : f,
    );
    const lines = run(report);
    expect(lines.filter((l) => l.includes('linux-realtime-protection-on'))).to.deep.equal([]);
    expect(lines.filter((l) => l.includes('title=mde-sensor-active'))).to.have.length(1);
  });

  it('escapes % and line breaks in messages, and also : and , in properties', () => {
    const report = contosoReport();
    report.snapshot = { ...report.snapshot, path: 'snapshots/prod,eu:2026', files: [...report.snapshot.files, { file: 'mde/100%,a:b.json', kinds: ['mde.machines'], records: 1 }] };
    report.findings = [
      { ...report.findings[0], message: '50% done\r\n::error::injected, still: one line', locations: [{ file: 'mde/100%,a:b.json', pointer: '/value/0' }] },
    ];
    report.rules = report.rules.filter((r) => r.status !== 'not-evaluated');
    report.diagnostics = [];
    expect(run(refresh(report))).to.deep.equal([
      '::error title=posture-lint gate::Gate: FAILED (exit 1) — 1 finding at or above low',
      '::error file=snapshots/prod%2Ceu%3A2026/mde/100%25%2Ca%3Ab.json,title=defender-servers-plan-on::50%25 done%0D%0A::error::injected, still: one line (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '',
    ]);
  });

  it('shows control characters and bidi overrides from the exports as escapes', () => {
    const report = contosoReport();
    report.findings = [{ ...report.findings[0], message: 'evil\x1b]0;pwned\x07 \u202etxt.exe' }];
    const [, line] = run(report);
    expect(line).to.not.match(/[\x00-\x08\x0b-\x1f\u202e]/);
    expect(line).to.contain('::evil\\u001b]0;pwned\\u0007 \\u202etxt.exe (');
  });

  it('names rule files as given and puts no file on records of the snapshot description', () => {
    const report = contosoReport();
    report.findings = [{ ...report.findings[0], locations: [{ file: 'snapshot', pointer: '/snapshot.exports/mde.machines' }] }];
    report.rules = report.rules.filter((r) => r.status !== 'not-evaluated');
    report.diagnostics = [
      diagnostic('error', 'rule-schema', 'unknown operator equal', { file: 'rules/prod-vms-tagged.yaml', position: { line: 9, column: 5 }, ruleId: 'prod-vms-tagged' }),
      diagnostic('error', 'incomplete-paging', 'mde.machines: the last page is missing', { file: 'snapshot.yaml' }),
      diagnostic('note', 'no-taken-at', 'the snapshot has no takenAt'),
    ];
    expect(run(refresh(report))).to.deep.equal([
      '::error title=posture-lint gate::Gate: ERROR (exit 2) — 2 errors in the inputs, rules or gate settings; 1 finding at or above low',
      '::error title=defender-servers-plan-on::plan is Free in subscription 00000000-0000-0000-0000-000000000000 (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '::notice title=no-taken-at::the snapshot has no takenAt',
      '::error file=rules/prod-vms-tagged.yaml,line=9,col=5,title=rule-schema::unknown operator equal',
      '::error file=fixtures/snapshots/contoso/snapshot.yaml,title=incomplete-paging::mde.machines: the last page is missing',
      '',
    ]);
  });

  it('prints only the verdict for a clean run', () => {
    const report: Report = refresh({ ...contosoReport(), findings: [], diagnostics: [], rules: contosoReport().rules.filter((r) => r.status === 'passed') });
    expect(github(report, formatContext(false))).to.equal('::notice title=posture-lint gate::Gate: PASSED (exit 0) — no findings at or above low\n');
  });

  it('annotates a rule that checked nothing, and never as a pass', () => {
    const report = contosoReport();
    report.rules = report.rules.map((r) => (r.id === 'mde-signatures-up-to-date' ? { ...r, status: 'checked-nothing', evaluated: 0, passed: 0 } : r));
    const lines = run(refresh(report));
    expect(lines).to.include('::notice title=mde-signatures-up-to-date::rule mde-signatures-up-to-date checked nothing: no record of mde.avHealth was in its scope, so it proves nothing');
    expect(lines[0]).to.match(/; 1 rule checked nothing$/);
  });
});
