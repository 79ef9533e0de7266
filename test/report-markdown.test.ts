import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { getFormatter } from '../src/report/formatters';
import { markdown, markdownComment } from '../src/report/formatters/markdown';
import type { Finding, Report } from '../src/report/model';
import { sortFindings } from '../src/report/summary';
import { contosoReport, formatContext, refresh } from './report-fixture';

/** Recompute the summary after a test changed findings, rules or diagnostics. */
function resummarize(report: Report): Report {
  report.findings = sortFindings(report.findings);
  return refresh(report);
}

/** Cells of a Markdown table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

/** The lines of one `### ` section, heading included. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`### ${heading}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('### '));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('report markdown formatter', () => {
  const out = markdown(contosoReport(), formatContext(false));

  it('is registered as `markdown`', () => {
    expect(getFormatter('markdown')).to.equal(markdown);
  });

  it('writes the verdict, totals, not-evaluated rules, findings by rule, problems, then the gate verdict', () => {
    expect(out).to.equal(
      [
        '## ❌ posture-lint: 4 findings · 1 rule not evaluated · 1 error',
        '',
        'Snapshot `fixtures/snapshots/contoso` · posture-lint 0.1.0 · 5 rules: 1 passed, 3 failed, 1 not evaluated',
        '',
        '| Severity | Findings |',
        '| :-- | --: |',
        '| critical | 1 |',
        '| high | 2 |',
        '| medium | 1 |',
        '| low | 0 |',
        '| info | 0 |',
        '| **total** | **4** |',
        '',
        '### ⚠️ Not evaluated: 1 rule could not run',
        '',
        'The snapshot lacks what these rules read, so a passing run says nothing about what they cover.',
        '',
        '| Rule | Severity | Title | Needs | Reason |',
        '| --- | --- | --- | --- | --- |',
        '| `xdr-roles-scoped-to-device-groups` | high | Defender XDR roles for servers are scoped to device groups | missing: `xdr.roleAssignments` | no file in the snapshot was recognised as an export of xdr.roleAssignments |',
        '',
        '### Findings',
        '',
        '#### `defender-servers-plan-on` · critical · Defender for Servers is on for every subscription',
        '',
        '1 of 1 failed.',
        '',
        '| Resource | Message |',
        '| --- | --- |',
        '| VirtualMachines · `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines` | plan is Free in subscription 00000000-0000-0000-0000-000000000000 |',
        '',
        '**Fix:** (posture-lint explain `defender-servers-plan-on`)',
        '',
        '#### `linux-realtime-protection-on` · high · Linux servers have antivirus real-time protection on',
        '',
        '2 of 3 failed.',
        '',
        '| Resource | Message |',
        '| --- | --- |',
        '| vm-linux-01.contoso.com · `7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f` | antivirus is passive (avMode "1"), so real-time protection is off |',
        '| vm-linux-02.contoso.com · `c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0` | antivirus is passive (avMode "1"), so real-time protection is off |',
        '',
        '**Fix:** Set antivirusEngine.enforcementLevel to real\\_time in mdatp\\_managed.json. (posture-lint explain `linux-realtime-protection-on`)',
        '',
        '#### `mde-sensor-active` · medium · Onboarded devices report sensor data',
        '',
        '1 of 4 failed.',
        '',
        '| Resource | Message |',
        '| --- | --- |',
        '| mymachine1.contoso.com · `1e5bc9d7e413ddd7902c2932e418702b84d0cc07` | sensor health is Inactive |',
        '',
        '**Fix:** (posture-lint explain `mde-sensor-active`)',
        '',
        '### Problems: 1 error, 1 warning, 0 notes',
        '',
        '| Severity | Location | Message | Code |',
        '| --- | --- | --- | --- |',
        "| **error** | `graph/defender-role-assignments.json:14:7` | Expected ',' or '}' after property value in JSON | `json-syntax` |",
        '| warning | `mde/machines.json#/value/3/osBuild` | osBuild must be a number, found "18209" | `export-schema` |',
        '',
        '**Gate: ERROR (exit 2) — 1 error in the inputs, rules or gate settings; 4 findings at or above low; 1 rule not evaluated (--strict fails on them)**',
        '',
      ].join('\n'),
    );
  });

  it('says so plainly when every rule ran and nothing failed', () => {
    const report = contosoReport();
    report.findings = [];
    report.diagnostics = [];
    report.rules = report.rules.filter((r) => r.status !== 'not-evaluated');
    const md = markdown(resummarize(report), formatContext(false));
    expect(md.split('\n')[0]).to.equal('## ✅ posture-lint: no findings: all 4 rules evaluated');
    expect(md).to.not.contain('### Findings');
    expect(md).to.not.contain('Not evaluated');
  });

  it('warns, not passes, when nothing failed but rules could not run', () => {
    const report = contosoReport();
    report.findings = [];
    report.diagnostics = [];
    const md = markdown(resummarize(report), formatContext(false));
    expect(md.split('\n')[0]).to.equal('## ⚠️ posture-lint: 1 rule not evaluated');
    expect(md).to.contain('### ⚠️ Not evaluated: 1 rule could not run');
  });

  it('lists rules that checked nothing apart, never as passed, and the verdict counts them', () => {
    const report = contosoReport();
    report.findings = [];
    report.diagnostics = [];
    report.rules = report.rules.map((r) => (r.id === 'mde-signatures-up-to-date' ? { ...r, status: 'checked-nothing', evaluated: 0, passed: 0 } : r)).filter((r) => r.status !== 'not-evaluated');
    const md = markdown(resummarize(report), formatContext(false));
    expect(md.split('\n')[0]).to.equal('## ⚠️ posture-lint: 1 rule checked nothing');
    expect(section(md, '⚠️ Checked nothing')).to.deep.equal([
      '### ⚠️ Checked nothing: 1 rule found no record in scope',
      '',
      'These rules ran, but no record was in their scope: they prove nothing, and did not pass.',
      '',
      '| Rule | Severity | Title | Reads |',
      '| --- | --- | --- | --- |',
      '| `mde-signatures-up-to-date` | medium | Antivirus signatures are up to date | `mde.avHealth` |',
      '',
      '**Gate: PASSED (exit 0) — no findings at or above low; 1 rule checked nothing**',
      '',
    ]);
  });

  it('lists waived and baselined findings apart, with who accepted them, and leaves them out of the totals', () => {
    const report = contosoReport();
    report.findings = report.findings.map((f): Finding => {
      if (f.resource.name === 'vm-linux-01.contoso.com') {
        return { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'decommissioned in Q3', owner: 'ops@contoso.com', expires: '2026-12-31' } };
      }
      if (f.ruleId === 'mde-sensor-active') return { ...f, suppression: { kind: 'baseline', source: 'baseline.json' } };
      return f;
    });
    const md = markdown(resummarize(report), formatContext(false));
    expect(md).to.contain('| **total** | **2** |');
    expect(md).to.contain('2 findings suppressed by a waiver or the baseline, not counted above.');
    const findings = section(md, 'Findings').join('\n');
    expect(findings).to.not.contain('vm-linux-01');
    expect(findings).to.not.contain('mde-sensor-active');
    const suppressed = section(md, 'Suppressed');
    expect(suppressed[0]).to.equal('### Suppressed: 2 findings (1 waived, 1 in the baseline)');
    expect(suppressed).to.include(
      '| `linux-realtime-protection-on` | high | vm-linux-01.contoso.com | antivirus is passive (avMode "1"), so real-time protection is off | waiver (`waivers.yaml`) · decommissioned in Q3 · owner ops@\u200bcontoso.com · expires 2026-12-31 |',
    );
    expect(suppressed).to.include('| `mde-sensor-active` | medium | mymachine1.contoso.com | sensor health is Inactive | baseline (`baseline.json`) |');
  });

  it('lists findings the baseline knew that are gone', () => {
    const report = contosoReport();
    report.baseline = { file: 'baseline.json', fixed: [{ ruleId: 'mde-sensor-active', resource: { kind: 'mde.machines', id: 'f00d', name: 'old-vm' }, fingerprint: 'x' }] };
    expect(section(markdown(report, formatContext(false)), 'Fixed')).to.deep.equal([
      '### Fixed since the baseline: 1 finding',
      '',
      '| Rule | Resource |',
      '| --- | --- |',
      '| `mde-sensor-active` | old-vm |',
      '',
    ]);
  });

  it('keeps export text inert: no markup, no HTML, no broken tables, no mentions', () => {
    const report = contosoReport();
    const hostile = '<script>alert(1)</script> | `code` **bold** [x](https://evil.example) @octocat #12 $x$\nsecond line\u202e';
    report.findings = report.findings.map((f) => (f.ruleId === 'mde-sensor-active' ? { ...f, resource: { ...f.resource, name: hostile }, message: hostile } : f));
    report.diagnostics = [diagnostic('error', 'json-syntax', 'bad | <img src=x onerror=alert(1)>', { file: 'a|b.json', position: { line: 1, column: 2 } })];
    const md = markdown(resummarize(report), formatContext(false));
    expect(md).to.not.match(/<script|<img/);
    const row = md.split('\n').find((l) => l.includes('alert(1)</') || l.includes('alert(1)&lt;/'))!;
    expect(cells(row)).to.have.length(2);
    expect(cells(row)[0]).to.equal(
      '&lt;script&gt;alert(1)&lt;/script&gt; \\| \\`code\\` \\*\\*bold\\*\\* \\[x\\](https:\u200b//evil.example) @\u200boctocat #\u200b12 \\$x\\$ second line\\\\u202e · `1e5bc9d7e413ddd7902c2932e418702b84d0cc07`',
    );
    const problem = md.split('\n').find((l) => l.includes('json-syntax'))!;
    expect(cells(problem)).to.deep.equal(['**error**', 'a\\|b.json:1:2', 'bad \\| &lt;img src=x onerror=alert(1)&gt;', '`json-syntax`']);
  });

  it('caps each table at 50 rows and says how many more there are', () => {
    const report = contosoReport();
    const template = report.findings.find((f) => f.ruleId === 'mde-sensor-active')!;
    report.findings = Array.from({ length: 73 }, (_, i) => ({
      ...template,
      resource: { ...template.resource, id: `device-${String(i).padStart(3, '0')}`, name: `vm-${String(i).padStart(3, '0')}` },
      fingerprint: `fp${i}`,
    }));
    const lines = section(markdown(resummarize(report), formatContext(false)), 'Findings');
    expect(lines.filter((l) => l.startsWith('| vm-'))).to.have.length(50);
    expect(lines).to.include('… and 23 more (the json report of the same run lists them all).');
  });

  describe('GitHub size limits', () => {
    /** Shaped like a large estate's report: 17 rules with 3,000 findings each and long messages. */
    function hugeReport(): Report {
      const report = contosoReport();
      const template = report.findings.find((f) => f.ruleId === 'mde-sensor-active')!;
      report.rules = Array.from({ length: 17 }, (_, r) => ({ ...report.rules[2], id: `rule-${String(r).padStart(2, '0')}`, failed: 3000, evaluated: 6000, passed: 3000 }));
      report.findings = report.rules.flatMap((rule) =>
        Array.from({ length: 3000 }, (_, i) => ({
          ...template,
          ruleId: rule.id,
          message: `sensor health is Inactive; last seen ${'long ago and far away, '.repeat(8)}${i}`,
          resource: { ...template.resource, id: `device-${i}`, name: `host-${String(i).padStart(4, '0')}.contoso.com` },
          fingerprint: `${rule.id}-${i}`,
        })),
      );
      return resummarize(report);
    }
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

    it('markdown-comment stays within the 65,536 characters of a GitHub comment, cutting every table alike and saying so', () => {
      // GitHub's API refuses a longer comment: "Body is too long (maximum is 65536 characters)".
      const report = hugeReport();
      const text = markdownComment(report, formatContext(false));
      expect(bytes(text)).to.be.at.most(65_536);
      expect(text.length).to.be.at.most(65_536);
      const rows = section(text, 'Findings').filter((l) => l.startsWith('| host-'));
      expect(rows.length % 17).to.equal(0);
      expect(rows.length).to.be.greaterThan(0);
      expect(text).to.match(/_Tables are cut to \d+ rows to fit the 65,536-byte limit of a GitHub comment; the json report of the same run lists them all\._\n\n/);
      // The gate's verdict stays the last line.
      expect(text.endsWith(`**${report.gate.line}**\n`)).to.equal(true);
      // Every rule still has its heading.
      for (const rule of report.rules) expect(text).to.contain(`#### \`${rule.id}\``);
      expect(markdownComment(report, formatContext(false))).to.equal(text);
    });

    it('markdown stays within the 1 MiB of a job summary', () => {
      // "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k" (the runner's
      // error above the limit of the Actions docs, "Adding a job summary").
      const report = hugeReport();
      const text = markdown(report, formatContext(false));
      expect(bytes(text)).to.be.at.most(1024 * 1024);
      expect(text).to.contain('… and 2950 more');
      // A demo-sized report is the same in both modes: nothing needs cutting.
      expect(markdownComment(contosoReport(), formatContext(false))).to.equal(markdown(contosoReport(), formatContext(false)));
    });

    it('cuts at the last whole line when even the headings do not fit, and still says so', () => {
      const report = hugeReport();
      report.rules = Array.from({ length: 2000 }, (_, r) => ({ ...report.rules[0], id: `rule-${String(r).padStart(4, '0')}`, title: 'x'.repeat(40) }));
      report.findings = report.rules.map((rule, i) => ({ ...report.findings[0], ruleId: rule.id, fingerprint: `fp-${i}` }));
      const text = markdownComment(resummarize(report), formatContext(false));
      expect(bytes(text)).to.be.at.most(65_536);
      expect(text).to.match(/_This report is cut short to fit the 65,536-byte limit of a GitHub comment; .*_\n\n\*\*Gate: [A-Z]+ \(exit \d\)/);
    });
  });

  it('puts errors before warnings and notes, each with its file:line:col', () => {
    const report = contosoReport();
    report.diagnostics = [
      diagnostic('note', 'no-taken-at', 'no takenAt', { file: 'a.yaml' }),
      diagnostic('warning', 'export-schema', 'odd', { file: 'a.json', pointer: '/value/0' }),
      diagnostic('error', 'rule-schema', 'unknown operator', { file: 'z.yaml', position: { line: 3, column: 5 } }),
    ];
    const problems = section(markdown(resummarize(report), formatContext(false)), 'Problems').filter((l) => /^\| (error|\*\*error|warning|note)/.test(l));
    expect(problems.map((l) => cells(l)[1])).to.deep.equal(['`z.yaml:3:5`', '`a.json#/value/0`', '`a.yaml`']);
  });

  it('gives the same output whatever order findings, rules and problems come in', () => {
    // Copies: the fixture's rule and problem arrays are shared between reports.
    const shuffled = contosoReport();
    shuffled.findings = [...shuffled.findings].reverse();
    shuffled.rules = [...shuffled.rules].reverse();
    shuffled.diagnostics = [...shuffled.diagnostics].reverse();
    expect(markdown(shuffled, formatContext(false))).to.equal(out);
  });

  describe('on the demo snapshot', function () {
    this.timeout(60_000);
    let report: Report;
    let md: string;
    before(async () => {
      const result = await lint({ snapshot: 'fixtures/snapshots/contoso' });
      report = result.report;
      md = markdown(report, { rules: result.rules, color: false });
    });

    it('heads with the verdict and totals matching the report', () => {
      expect(md.split('\n')[0]).to.match(new RegExp(`^## (❌|⚠️|✅) posture-lint: `));
      if (report.summary.findings > 0) expect(md.split('\n')[0]).to.contain(`${report.summary.findings} finding`);
      expect(md).to.contain(`| **total** | **${report.summary.findings}** |`);
      for (const [severity, n] of Object.entries(report.summary.bySeverity)) expect(md).to.contain(`| ${severity} | ${n} |`);
    });

    it('has one section per rule with findings, each with a row per finding (up to the cap)', () => {
      const failing = new Map<string, number>();
      for (const f of report.findings) if (!f.suppression) failing.set(f.ruleId, (failing.get(f.ruleId) ?? 0) + 1);
      expect(failing.size).to.be.greaterThan(0);
      const headings = md.split('\n').filter((l) => l.startsWith('#### '));
      expect(headings).to.have.length(failing.size);
      for (const [ruleId, n] of failing) {
        const lines = md.split('\n');
        const start = lines.findIndex((l) => l.startsWith(`#### \`${ruleId}\``));
        const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
        const rows = lines.slice(start, end < 0 ? undefined : end).filter((l) => l.startsWith('| ') && !l.startsWith('| Resource') && !l.startsWith('| ---'));
        expect(rows, ruleId).to.have.length(Math.min(n, 50));
        for (const row of rows) expect(cells(row), row).to.have.length(2);
      }
    });
  });
});
