import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { getFormatter } from '../src/report/formatters';
import { html } from '../src/report/formatters/html';
import type { Finding, Report, RuleMeta } from '../src/report/model';
import { sortFindings, summarize } from '../src/report/summary';
import { contosoReport, formatContext } from './report-fixture';

function resummarize(report: Report): Report {
  report.findings = sortFindings(report.findings);
  report.summary = summarize(report.rules, report.findings, report.diagnostics);
  return report;
}

/** Text between the first `open` and the next `close` after it. */
function between(page: string, open: string, close: string): string {
  const start = page.indexOf(open);
  expect(start, open).to.be.greaterThan(-1);
  const end = page.indexOf(close, start + open.length);
  expect(end, close).to.be.greaterThan(-1);
  return page.slice(start + open.length, end);
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

interface IndexEntry {
  severity: string;
  status: string;
  text: string;
}

const findingIndex = (page: string): IndexEntry[] =>
  JSON.parse(between(page, '<script type="application/json" id="finding-index">', '</script>')) as IndexEntry[];

const tableRows = (page: string, id: string): string[] =>
  between(between(page, `<table id="${id}"`, '</table>'), '<tbody>', '</tbody>').split('</tr>').filter((r) => r.startsWith('<tr'));

/** Things a page could load: script, style, image, font, frame or object sources. */
function loads(page: string): string[] {
  const found: string[] = [];
  for (const m of page.matchAll(/<(\w+)\b[^>]*\s(src|href|srcset|data|poster|action)\s*=\s*"([^"]*)"/gi)) {
    // A link the reader clicks is fine; anything else in a src or href attribute would be fetched.
    if (!(m[1].toLowerCase() === 'a' && m[2].toLowerCase() === 'href')) found.push(m[0]);
  }
  for (const m of page.matchAll(/url\(|@import|<link\b|<iframe\b|<object\b|<embed\b/gi)) found.push(m[0]);
  return found;
}

describe('report html formatter', () => {
  const page = html(contosoReport(), formatContext(false));

  it('is registered as `html`', () => {
    expect(getFormatter('html')).to.equal(html);
  });

  it('is one document whose Content-Security-Policy allows exactly its own inline style and script', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).to.equal(true);
    expect(page.endsWith('</html>\n')).to.equal(true);
    const csp = between(page, '<meta http-equiv="Content-Security-Policy" content="', '"');
    const style = between(page, '<style>', '</style>');
    const script = between(page, '<script>', '</script>');
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    expect(csp.split('; ')).to.deep.equal([
      "default-src 'none'",
      `style-src ${sha(style)}`,
      `script-src ${sha(script)}`,
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    // One executable script and one data block; no inline event handlers or style attributes, which
    // the policy would block.
    expect(count(page, /<script\b/g)).to.equal(2);
    expect(page).to.not.match(/\son\w+\s*=|\sstyle\s*=/i);
  });

  it('loads nothing: no remote or local script, style, image or font', () => {
    expect(loads(page)).to.deep.equal([]);
  });

  it('heads with the snapshot, the tool version and the verdict', () => {
    const header = between(page, '<header', '</header>');
    expect(header).to.contain('class="verdict-error"');
    expect(header).to.contain('<span class="badge">Unusable input</span>');
    expect(header).to.contain('<p class="headline">4 findings · 1 rule not evaluated · 1 error</p>');
    expect(header).to.contain('<dd class="mono">fixtures/snapshots/contoso</dd>');
    expect(header).to.contain('<dd>posture-lint 0.1.0</dd>');
  });

  it('puts the rules that could not run first, with what they lack', () => {
    const callout = between(page, '<section id="not-evaluated" class="callout">', '</section>');
    expect(callout).to.contain('<h2>Not evaluated: 1 rule could not run</h2>');
    expect(callout).to.contain('<code>xdr-roles-scoped-to-device-groups</code>');
    expect(callout).to.contain('missing:</span> <code>xdr.roleAssignments</code>');
    expect(page.indexOf('id="not-evaluated"')).to.be.lessThan(page.indexOf('id="summary"'));
  });

  it('charts findings by severity and rules by outcome as inline SVG with accessible labels', () => {
    const chart = between(page, '<svg id="severity-chart"', '</svg>');
    expect(chart).to.contain('role="img"');
    expect(chart).to.contain('<desc id="severity-chart-desc">1 critical, 2 high, 1 medium, 0 low, 0 info</desc>');
    expect(count(chart, /<rect class="sev-/g)).to.equal(3);
    expect(chart).to.contain('<title>2 high findings</title>');
    expect(between(page, '<svg id="rules-chart"', '</svg>')).to.contain('<desc id="rules-chart-desc">1 passed, 3 failed, 1 not evaluated of 5 rules</desc>');
  });

  it('charts each subscription\'s coverage as shares of its VMs, with the numbers also in a table', () => {
    const report = contosoReport();
    report.coverage.push({ subscriptionId: '11111111-2222-3333-4444-555555555555', name: 'empty-sub', vms: 0, onboarded: 0, realTimeProtection: 0, inDeviceGroup: 0 });
    const out = html(report, formatContext(false));
    const chart = between(out, '<svg id="coverage-chart"', '</svg>');
    expect(count(chart, /class="sub-name"/g)).to.equal(2);
    expect(chart).to.contain('<title>contoso-prod: 3 of 4 VMs onboarded to Defender for Endpoint (75%)</title>');
    expect(chart).to.contain('<title>contoso-prod: 1 of 4 VMs with real-time protection on (25%)</title>');
    expect(chart).to.contain('<title>contoso-prod: 3 of 4 VMs in a device group (75%)</title>');
    expect(chart).to.contain('no VMs in this subscription');
    const table = between(out, '<section id="coverage">', '</section>');
    expect(table).to.contain('<td class="num">4</td><td class="num">3 <span class="muted">(75%)</span></td><td class="num">1 <span class="muted">(25%)</span></td>');
  });

  it('leaves out the coverage section when the snapshot has no subscriptions', () => {
    const report = contosoReport();
    report.coverage = [];
    expect(html(report, formatContext(false))).to.not.contain('id="coverage');
  });

  it('shows every finding without scripts, and gives the filter script one index entry per row', () => {
    const rows = tableRows(page, 'findings-table');
    expect(rows).to.have.length(4);
    expect(rows.join('')).to.not.contain(' hidden');
    // The filter controls do nothing without the script, so only the script reveals them.
    expect(page).to.contain('<div id="filters" class="filters" role="search" hidden>');
    const index = findingIndex(page);
    expect(index.map((e) => e.severity)).to.deep.equal(['critical', 'high', 'high', 'medium']);
    expect(index.every((e) => e.status === 'active')).to.equal(true);
    expect(index[1].text).to.contain('vm-linux-01.contoso.com');
    expect(rows[1]).to.contain('vm-linux-01.contoso.com');
  });

  it('marks waived and baselined findings, after the ones that fail the run', () => {
    const report = contosoReport();
    report.findings = report.findings.map((f): Finding =>
      f.ruleId === 'defender-servers-plan-on'
        ? { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'sandbox subscription', owner: 'ops@contoso.com', expires: '2026-12-31' } }
        : f.ruleId === 'mde-sensor-active'
          ? { ...f, suppression: { kind: 'baseline', source: 'baseline.json' } }
          : f,
    );
    const out = html(resummarize(report), formatContext(false));
    const rows = tableRows(out, 'findings-table');
    expect(rows.map((r) => /<code>([^<]+)<\/code>/.exec(r)![1])).to.deep.equal([
      'linux-realtime-protection-on',
      'linux-realtime-protection-on',
      'defender-servers-plan-on',
      'mde-sensor-active',
    ]);
    expect(rows[2]).to.match(/^<tr class="suppressed">/);
    expect(rows[2]).to.contain('<span class="status-waiver">waived</span>');
    expect(rows[2]).to.contain('Waiver: waivers.yaml<br>sandbox subscription<br>owner ops@contoso.com<br>expires 2026-12-31');
    expect(rows[3]).to.contain('<span class="status-baseline">baseline</span>');
    expect(findingIndex(out).map((e) => e.status)).to.deep.equal(['active', 'active', 'waiver', 'baseline']);
  });

  it('lists problems errors first, with file:line:col', () => {
    const report = contosoReport();
    report.diagnostics = [
      diagnostic('note', 'no-taken-at', 'no takenAt', { file: 'a.yaml' }),
      diagnostic('error', 'rule-schema', 'unknown operator', { file: 'z.yaml', position: { line: 3, column: 5 } }),
    ];
    const problems = between(html(resummarize(report), formatContext(false)), '<section id="problems">', '</section>');
    expect(problems.indexOf('z.yaml:3:5')).to.be.greaterThan(-1);
    expect(problems.indexOf('z.yaml:3:5')).to.be.lessThan(problems.indexOf('a.yaml'));
  });

  it('links rule references only when they are web links', () => {
    const context = formatContext(false);
    const meta = context.rules.get('linux-realtime-protection-on')!;
    const rules = new Map<string, RuleMeta>(context.rules);
    rules.set(meta.id, { ...meta, references: ['https://learn.microsoft.com/defender-endpoint/linux-preferences', 'javascript:alert(1)'] });
    const out = html(contosoReport(), { ...context, rules });
    // The text names the page: every reference is on the same site.
    expect(out).to.contain(
      '<a href="https://learn.microsoft.com/defender-endpoint/linux-preferences" rel="noopener noreferrer" title="https://learn.microsoft.com/defender-endpoint/linux-preferences">linux preferences (learn.microsoft.com)</a>',
    );
    expect(out).to.not.contain('href="javascript:');
    expect(out).to.contain('<span class="mono small">javascript:alert(1)</span>');
  });

  it('gives each failed rule its full remediation, folded under its one-line fix', () => {
    const out = html(contosoReport(), formatContext(false));
    expect(out).to.contain(
      '<details class="fix"><summary>How to fix: Set antivirusEngine.enforcementLevel to real_time in mdatp_managed.json.</summary><p>Set antivirusEngine.enforcementLevel to real_time in the managed configuration, or run `mdatp config real-time-protection --value enabled`.</p></details>',
    );
    expect(count(out, /<details class="fix">/g)).to.equal(1);
  });

  it('shows hostile export text as text everywhere, including the embedded data', () => {
    const report = contosoReport();
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&\u202e';
    report.snapshot.path = `snap/${hostile}`;
    report.coverage[0].name = hostile;
    report.findings = report.findings.map((f) => (f.ruleId === 'mde-sensor-active' ? { ...f, message: hostile, resource: { ...f.resource, name: hostile } } : f));
    report.diagnostics = [diagnostic('error', hostile, hostile, { file: hostile })];
    const out = html(resummarize(report), formatContext(false));
    expect(count(out, /<script\b/g)).to.equal(2);
    const data = between(out, '<script type="application/json" id="finding-index">', '</script>');
    expect(out.replace(data, '')).to.not.match(/<img|onerror=alert\(2\)>/);
    expect(out).to.not.contain('\u202e');
    expect(out).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;\\u202e');
    expect(loads(out)).to.deep.equal([]);
    // The data block cannot be closed from inside, and still holds the text as it was.
    expect(data).to.not.contain('<');
    expect(findingIndex(out).some((e) => e.text.includes(hostile.toLowerCase()))).to.equal(true);
  });

  it('gives the same output whatever order findings, rules and problems come in', () => {
    // Copies: the fixture's rule and problem arrays are shared between reports.
    const shuffled = contosoReport();
    shuffled.findings = [...shuffled.findings].reverse();
    shuffled.rules = [...shuffled.rules].reverse();
    shuffled.diagnostics = [...shuffled.diagnostics].reverse();
    shuffled.coverage = [...shuffled.coverage].reverse();
    expect(html(shuffled, formatContext(false))).to.equal(page);
  });

  describe('on the demo snapshot', function () {
    this.timeout(60_000);
    let report: Report;
    let out: string;
    before(async () => {
      const result = await lint({ snapshot: 'fixtures/snapshots/contoso' });
      report = result.report;
      out = html(report, { rules: result.rules, color: false });
    });

    it('has a chart block per subscription, a row per finding and per rule, and loads nothing', () => {
      expect(report.coverage.length).to.be.greaterThan(0);
      expect(count(between(out, '<svg id="coverage-chart"', '</svg>'), /class="sub-name"/g)).to.equal(report.coverage.length);
      expect(tableRows(out, 'findings-table')).to.have.length(report.findings.length);
      expect(findingIndex(out)).to.have.length(report.findings.length);
      expect(count(between(out, '<section id="rules">', '</section>'), /<tr id="rule-/g)).to.equal(report.rules.length);
      expect(loads(out)).to.deep.equal([]);
    });

    it('is byte-identical from one run to the next', async () => {
      const again = await lint({ snapshot: 'fixtures/snapshots/contoso' });
      expect(html(again.report, { rules: again.rules, color: false })).to.equal(out);
    });
  });
});
