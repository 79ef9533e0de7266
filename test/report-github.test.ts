import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { github } from '../src/report/formatters/github';
import { lint } from '../src/lint';
import type { Finding, Report } from '../src/report/model';
import { contosoReport, formatContext, refresh } from './report-fixture';

const run = (report: Report): string[] => github(report, formatContext(false)).split('\n');

describe('report github formatter', () => {
  it('annotates the gate verdict first, then by level, the input errors that make a run unreliable before the findings', () => {
    expect(run(contosoReport())).to.deep.equal([
      '::error title=posture-lint gate::Gate: ERROR (exit 2) — 1 error in the inputs, rules or gate settings; 4 findings at or above low; 1 rule not evaluated (--strict fails on them)',
      '::error file=fixtures/snapshots/contoso/graph/defender-role-assignments.json,line=14,col=7,title=json-syntax::Expected \',\' or \'}\' after property value in JSON',
      '::error file=fixtures/snapshots/contoso/defender/pricings.json,title=defender-servers-plan-on::plan is Free in subscription 00000000-0000-0000-0000-000000000000 (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '::error file=fixtures/snapshots/contoso/mde/machines.json,title=linux-realtime-protection-on::antivirus is passive (avMode "1"), so real-time protection is off (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f)',
      '::error file=fixtures/snapshots/contoso/mde/machines.json,title=linux-realtime-protection-on::antivirus is passive (avMode "1"), so real-time protection is off (c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0)',
      '::warning file=fixtures/snapshots/contoso/mde/machines.json,title=mde-sensor-active::sensor health is Inactive (1e5bc9d7e413ddd7902c2932e418702b84d0cc07)',
      '::warning file=fixtures/snapshots/contoso/mde/machines.json,title=export-schema::osBuild must be a number, found "18209"',
      '::notice title=xdr-roles-scoped-to-device-groups::rule xdr-roles-scoped-to-device-groups not evaluated: needs xdr.roleAssignments (no file in the snapshot was recognised as an export of xdr.roleAssignments)',
      '',
    ]);
  });

  it('maps low and info findings to notices', () => {
    const report = contosoReport();
    report.findings = report.findings.map((f, i) => ({ ...f, severity: i % 2 === 0 ? 'low' : 'info' }));
    expect(run(report).filter((l) => l.includes('title=defender') || l.includes('title=linux') || l.includes('title=mde')).map((l) => l.slice(0, l.indexOf(' ')))).to.deep.equal([
      '::notice',
      '::notice',
      '::notice',
      '::notice',
    ]);
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
    // The line-starting :: is escaped too: the one multi-line sanitiser does so for every format.
    expect(run(refresh(report))).to.deep.equal([
      '::error title=posture-lint gate::Gate: FAILED (exit 1) — 1 finding at or above low',
      '::error file=snapshots/prod%2Ceu%3A2026/mde/100%25%2Ca%3Ab.json,title=defender-servers-plan-on::50%25 done%0D%0A\\u003a:error::injected, still: one line (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '',
    ]);
  });

  it('shows control characters and bidi overrides from the exports as escapes', () => {
    const report = contosoReport();
    report.findings = [{ ...report.findings[0], message: 'evil\x1b]0;pwned\x07 \u202etxt.exe' }];
    report.diagnostics = [];
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
      '::error file=rules/prod-vms-tagged.yaml,line=9,col=5,title=rule-schema::unknown operator equal',
      '::error file=fixtures/snapshots/contoso/snapshot.yaml,title=incomplete-paging::mde.machines: the last page is missing',
      '::error title=defender-servers-plan-on::plan is Free in subscription 00000000-0000-0000-0000-000000000000 (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)',
      '::notice title=no-taken-at::the snapshot has no takenAt',
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

  it('names snapshot files from the repository root when the snapshot sits in a subfolder', () => {
    const lines = github(contosoReport(), { ...formatContext(false), snapshotInRepository: 'compliance/estate' }).split('\n');
    expect(lines.find((l) => l.includes('title=defender-servers-plan-on'))).to.match(/^::error file=compliance\/estate\/defender\/pricings.json,title=defender-servers-plan-on::/);
  });

  describe('GitHub annotation limits', () => {
    // "GitHub Actions are limited to 10 warning annotations and 10 error annotations per step" (REST
    // docs, Checks: create a check run, output.annotations); notices alike; 50 annotations per job
    // (reviewdog's summary of the limits, github.community thread 39085). Annotations over them are
    // dropped without a word.
    const perLevel = (lines: string[]) => ({
      error: lines.filter((l) => l.startsWith('::error')).length,
      warning: lines.filter((l) => l.startsWith('::warning')).length,
      notice: lines.filter((l) => l.startsWith('::notice')).length,
    });

    function manyFindings(): Report {
      const report = contosoReport();
      const [critical, high, medium] = [report.findings[0], report.findings[1], report.findings[3]];
      const copies = (f: Finding, n: number, severity: Finding['severity']) =>
        Array.from({ length: n }, (_, i) => ({ ...f, severity, resource: { ...f.resource, id: `${f.resource.id}-${String(i).padStart(2, '0')}` } }));
      report.findings = [...copies(high, 14, 'high'), ...copies(critical, 6, 'critical'), ...copies(medium, 12, 'medium'), ...copies(medium, 3, 'low')];
      return refresh(report);
    }

    it('annotates at most 10 of each level, the most severe first, and says how many more and where they are', () => {
      const lines = run(manyFindings()).filter((l) => l !== '');
      const annotations = lines.filter((l) => l.startsWith('::'));
      expect(perLevel(annotations)).to.deep.equal({ error: 10, warning: 10, notice: 5 });
      // The gate's verdict takes the first place, then the one input error, the 6 critical findings
      // and 2 of the 14 high ones.
      expect(annotations.slice(0, 10).map((l) => /title=([\w -]+)/.exec(l)![1])).to.deep.equal([
        'posture-lint gate',
        'json-syntax',
        ...Array(6).fill('defender-servers-plan-on'),
        ...Array(2).fill('linux-realtime-protection-on'),
      ]);
      expect(annotations.at(-1)).to.equal(
        "::notice title=posture-lint%3A more not annotated::15 more not annotated (12 errors, 3 warnings): GitHub shows 10 annotations of each level per step. This step's log lists them after this line, and the json report holds them all.",
      );
      // The rest follow as plain log lines, which the runner does not read as commands.
      const rest = lines.slice(annotations.length);
      expect(rest).to.have.length(15);
      for (const l of rest) expect(l).to.match(/^posture-lint (error|warning|notice): /);
      expect(rest[0]).to.match(/^posture-lint error: fixtures\/snapshots\/contoso\/mde\/machines.json: linux-realtime-protection-on: antivirus is passive/);
    });

    it('keeps the count notice within the 10 notices when notices themselves overflow', () => {
      const report = contosoReport();
      report.findings = Array.from({ length: 15 }, (_, i) => ({ ...report.findings[3], severity: 'low' as const, resource: { ...report.findings[3].resource, id: `dev-${i}` } }));
      report.diagnostics = [];
      const annotations = run(refresh(report)).filter((l) => l.startsWith('::'));
      // The gate fails on the low findings: its verdict is the one error.
      expect(perLevel(annotations)).to.deep.equal({ error: 1, warning: 0, notice: 10 });
      const notices = annotations.filter((l) => l.startsWith('::notice'));
      // The not-evaluated rule outranks the low findings; the last notice counts the rest.
      expect(notices[0]).to.contain('not evaluated');
      expect(notices[9]).to.contain('7 more not annotated (7 notices)');
    });

    it('formats the 170,000 findings of a million-device estate (bench/generate.ts) without running out of stack', () => {
      const report = contosoReport();
      const template = report.findings[3];
      report.findings = Array.from({ length: 170_000 }, (_, i) => ({ ...template, resource: { ...template.resource, id: `device-${i}` } }));
      const lines = github(report, formatContext(false)).split('\n');
      expect(perLevel(lines)).to.deep.equal({ error: 2, warning: 10, notice: 2 });
      expect(lines.filter((l) => l.startsWith('posture-lint warning: '))).to.have.length(170_000 + 1 - 10); // and the fixture's warning diagnostic
    });

    it("keeps the demo snapshot's output within the limits of a step and a job, every finding still in the log", async () => {
      const { report, rules } = await lint({ snapshot: 'fixtures/snapshots/contoso' });
      const lines = github(report, { rules, color: false }).split('\n').filter((l) => l !== '');
      const counts = perLevel(lines);
      for (const n of Object.values(counts)) expect(n).to.be.at.most(10);
      expect(counts.error + counts.warning + counts.notice).to.be.at.most(50);
      expect(report.findings.length).to.be.greaterThan(30);
      // Each finding is an annotation or a log line; the gate's verdict and the count notice are the two more.
      expect(lines.length).to.equal(report.findings.filter((f) => !f.suppression).length + 2);
      expect(lines[0]).to.match(/^::error title=posture-lint gate::Gate: FAILED \(exit 1\)/);
    });
  });
});
