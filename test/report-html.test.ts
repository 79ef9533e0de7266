import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { getFormatter } from '../src/report/formatters';
import { html, MAX_TABLE_ROWS } from '../src/report/formatters/html';
import type { Diagnostic } from '../src/diagnostics';
import { fingerprintOf } from '../src/engine/evaluate';
import type { Finding, Report, RuleMeta, RuleResult } from '../src/report/model';
import { sortFindings, summarize } from '../src/report/summary';
import { contosoReport, formatContext, refresh } from './report-fixture';

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

/** A device id as Defender for Endpoint writes one: 40 hex digits. */
const deviceId = (n: number): string => createHash('sha1').update(`device-${n}`).digest('hex');

/** A subscription id, as a GUID. */
const subscriptionId = (n: number): string => deviceId(n).slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

/** What `ruleId` fails on, the `i`th of many: a subscription's Defender for Servers plan, or a device. */
function failing(ruleId: string, i: number): Pick<Finding, 'resource' | 'message' | 'locations'> {
  if (ruleId === 'defender-servers-plan-on') {
    const sub = subscriptionId(i);
    return {
      resource: { kind: 'defender.pricings', id: `/subscriptions/${sub}/providers/Microsoft.Security/pricings/VirtualMachines`, name: 'VirtualMachines' },
      message: `plan is Free in subscription ${sub}`,
      locations: [{ file: 'defender/pricings.json', pointer: `/value/${i}` }],
    };
  }
  return {
    resource: { kind: 'mde.machines', id: deviceId(i), name: `vm-linux-${String(i).padStart(7, '0')}.contoso.com` },
    message: ruleId === 'mde-sensor-active' ? 'sensor health is Inactive' : 'antivirus is passive (avMode "1"), so real-time protection is off',
    locations: [{ file: 'mde/machines.json', pointer: `/value/${i}` }],
  };
}

/**
 * `n` findings of `ruleId`, as a misconfiguration across the estate gives them: each resource its
 * own record, `suppression` on every one when given.
 */
function fleetFindings(ruleId: string, n: number, suppression?: Finding['suppression']): Finding[] {
  const rule = contosoReport().rules.find((r) => r.id === ruleId)!;
  return Array.from({ length: n }, (_, i) => {
    const what = failing(ruleId, i);
    return { ruleId, severity: rule.severity, ...what, fingerprint: fingerprintOf(ruleId, what.resource), ...(suppression ? { suppression } : {}) };
  });
}

/** The contoso report with these findings added, and each rule's failed count and the totals true to them. */
function withFindings(added: Finding[]): Report {
  const report = contosoReport();
  report.findings = [...report.findings, ...added];
  report.rules = report.rules.map((r): RuleResult => {
    const failed = report.findings.filter((f) => f.ruleId === r.id && !f.suppression).length;
    return r.status === 'failed' ? { ...r, failed, evaluated: r.passed + failed } : r;
  });
  return refresh(resummarize(report));
}

/** The rule id of each findings-table row, in order. */
const rowRules = (page: string): string[] => tableRows(page, 'findings-table').map((r) => /<code>([^<]+)<\/code>/.exec(r)![1]);

const tally = (ids: readonly string[]): Record<string, number> => ids.reduce<Record<string, number>>((t, id) => ({ ...t, [id]: (t[id] ?? 0) + 1 }), {});

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

  describe(`over ${MAX_TABLE_ROWS} rows`, () => {
    const waiver: Finding['suppression'] = { kind: 'waiver', source: 'waivers.yaml', justification: 'lab devices', owner: 'ops@contoso.com', expires: '2026-12-31' };
    // A fleet-wide misconfiguration: 5,000 Linux devices without real-time protection, beside the
    // fixture's three other findings, and 40 waived devices with their sensor inactive.
    const big = () => withFindings([...fleetFindings('linux-realtime-protection-on', 5000).slice(2), ...fleetFindings('mde-sensor-active', 40, waiver)]);
    const out = html(big(), formatContext(false));

    it(`shows ${MAX_TABLE_ROWS} findings, every failing rule among them, in the table's order`, () => {
      const rules = rowRules(out);
      expect(rules).to.have.length(MAX_TABLE_ROWS);
      expect(findingIndex(out)).to.have.length(MAX_TABLE_ROWS);
      // The rules with few findings show them all; the large one the rest of the rows; the
      // failing ones before any suppressed one.
      expect(tally(rules)).to.deep.equal({ 'defender-servers-plan-on': 1, 'mde-sensor-active': 1, 'linux-realtime-protection-on': MAX_TABLE_ROWS - 2 });
      expect(findingIndex(out).every((e) => e.status === 'active')).to.equal(true);
      // The first findings of the rule in the table's order (by device id), not any others.
      const report = big();
      const firstLinux = report.findings.filter((f) => f.ruleId === 'linux-realtime-protection-on').slice(0, MAX_TABLE_ROWS - 2);
      const rows = tableRows(out, 'findings-table').filter((r) => r.includes('linux-realtime-protection-on'));
      expect(rows.map((r) => /<div class="muted mono small">([^<]+)<\/div>/.exec(r)![1])).to.deep.equal(firstLinux.map((f) => f.resource.id));
    });

    it('says how many findings are not shown, of which rules, and where they all are', () => {
      const section = between(out, '<section id="findings">', '</section>');
      expect(section).to.contain('<p class="muted">5002 findings failing the run, 40 suppressed.</p>');
      expect(section).to.contain(
        `<p>This table shows 2,000 of the 5,042 findings (at most 1,998 of each rule, failing ones before suppressed ones, in the order below), so the page stays quick to open: ` +
          `<strong>3,042 are not shown</strong>. The json report (<code>--format json --output report.json</code>) and the junit report of the same run list every finding.</p>`,
      );
      expect(section).to.contain(
        '<details><summary>Rules with findings not shown</summary><ul>' +
          '<li><code>linux-realtime-protection-on</code>: 1,998 of 5,000 shown</li>' +
          '<li><code>mde-sensor-active</code> (suppressed): 0 of 40 shown</li></ul></details>',
      );
      // The note comes before the table, where a reader starts.
      expect(out.indexOf('are not shown')).to.be.lessThan(out.indexOf('<table id="findings-table"'));
    });

    it('says beside the search that it only searches the findings on the page', () => {
      // A search for a device left out finds no row: the reader must not take that as "not failing".
      const filters = between(out, '<div id="filters"', '</div>');
      expect(filters).to.contain('<span class="muted">of the 2,000 findings on this page: the search does not see the 3,042 left out</span>');
      expect(between(html(contosoReport(), formatContext(false)), '<div id="filters"', '</div>')).not.to.contain('left out');
    });

    it('keeps the true totals in the header, the charts and the rules table while the table is cut', () => {
      expect(tableRows(out, 'findings-table')).to.have.length(MAX_TABLE_ROWS);
      const header = between(out, '<header', '</header>');
      expect(header).to.contain('<p class="headline">5002 findings · 1 rule not evaluated · 1 error</p>');
      expect(header).to.contain('<span class="stat-value">5002</span><span class="stat-label">findings</span>');
      expect(header).to.contain('<span class="stat-value">40</span><span class="stat-label">suppressed</span>');
      expect(between(out, '<svg id="severity-chart"', '</svg>')).to.contain('<desc id="severity-chart-desc">1 critical, 5000 high, 1 medium, 0 low, 0 info</desc>');
      expect(between(out, '<tr id="rule-linux-realtime-protection-on"', '</tr>')).to.contain('<td class="num">5001</td><td class="num">1</td><td class="num">5000</td>');
    });

    it('shares the rows out among the rules alike, and gives suppressed findings what the failing ones leave', () => {
      // Three rules failing on 1,500 devices each: 666 rows each fill all but two, which go to
      // the first rules in the table's order.
      const even = withFindings([
        ...fleetFindings('defender-servers-plan-on', 1500).slice(1),
        ...fleetFindings('linux-realtime-protection-on', 1500).slice(2),
        ...fleetFindings('mde-sensor-active', 1500).slice(1),
      ]);
      expect(tally(rowRules(html(even, formatContext(false))))).to.deep.equal({
        'defender-servers-plan-on': 667,
        'linux-realtime-protection-on': 667,
        'mde-sensor-active': 666,
      });
      // 1,502 failing findings and 1,000 waived ones: the waived fill the rows left.
      const some = withFindings([...fleetFindings('linux-realtime-protection-on', 1500).slice(2), ...fleetFindings('mde-sensor-active', 1000, waiver)]);
      const statuses = tally(findingIndex(html(some, formatContext(false))).map((e) => e.status));
      expect(statuses).to.deep.equal({ active: 1502, waiver: MAX_TABLE_ROWS - 1502 });
    });

    it('shows the same rows whatever order the findings come in', () => {
      const shuffled = big();
      shuffled.findings = [...shuffled.findings].reverse();
      const again = html(shuffled, formatContext(false));
      expect(tableRows(again, 'findings-table')).to.have.length(MAX_TABLE_ROWS);
      expect(again).to.equal(out);
    });

    it(`shows every finding and says nothing of a cut at ${MAX_TABLE_ROWS} findings, and cuts at one more`, () => {
      const at = withFindings(fleetFindings('linux-realtime-protection-on', MAX_TABLE_ROWS - 2).slice(2));
      expect(at.findings).to.have.length(MAX_TABLE_ROWS);
      const full = html(at, formatContext(false));
      expect(tableRows(full, 'findings-table')).to.have.length(MAX_TABLE_ROWS);
      expect(full).to.not.contain('not shown');
      const over = withFindings(fleetFindings('linux-realtime-protection-on', MAX_TABLE_ROWS - 1).slice(2));
      const cut = html(over, formatContext(false));
      expect(tableRows(cut, 'findings-table')).to.have.length(MAX_TABLE_ROWS);
      expect(cut).to.contain('<strong>1 is not shown</strong>');
    });

    it('lists the first problems, errors first, and says how many more there are', () => {
      const report = contosoReport();
      // A device-health export of one file per device, each with a bad record.
      const warnings: Diagnostic[] = Array.from({ length: 2500 }, (_, i) =>
        diagnostic('warning', 'export-schema', 'healthy must be a boolean, found "yes"', { file: `mde/health/${deviceId(i)}.json`, pointer: '/healthy' }),
      );
      report.diagnostics = [...warnings, ...report.diagnostics];
      const out = html(refresh(resummarize(report)), formatContext(false));
      const problems = between(out, '<section id="problems">', '</section>');
      const rows = between(problems, '<tbody>', '</tbody>').split('</tr>').filter((r) => r.startsWith('<tr'));
      expect(rows).to.have.length(MAX_TABLE_ROWS);
      expect(rows[0]).to.contain('graph/defender-role-assignments.json:14:7');
      expect(problems).to.contain('This table shows 2,000 of the 2,502 problems (the first, errors first), so the page stays quick to open: <strong>502 are not shown</strong>. The json report (<code>--format json --output report.json</code>) of the same run lists them all.');
      expect(between(out, '<header', '</header>')).to.contain('<span class="stat-value">1</span><span class="stat-label">errors</span>');
    });

    it('lists fixed findings of every rule the baseline knew, and says how many more there are', () => {
      const report = contosoReport();
      const fixed = [...fleetFindings('linux-realtime-protection-on', 2400), ...fleetFindings('mde-sensor-active', 3)].map((f) => ({ ruleId: f.ruleId, resource: f.resource, fingerprint: f.fingerprint }));
      report.baseline = { file: 'baseline.json', fixed };
      const out = html(report, formatContext(false));
      const section = between(out, '<section id="fixed">', '</section>');
      expect(section).to.contain('<h2>Fixed since the baseline: 2403 findings</h2>');
      const rows = between(section, '<tbody>', '</tbody>').split('</tr>').filter((r) => r.startsWith('<tr'));
      expect(rows).to.have.length(MAX_TABLE_ROWS);
      expect(tally(rows.map((r) => /<code>([^<]+)<\/code>/.exec(r)![1]))).to.deep.equal({ 'linux-realtime-protection-on': MAX_TABLE_ROWS - 3, 'mde-sensor-active': 3 });
      expect(section).to.contain('<strong>403 are not shown</strong>. The json report (<code>--format json --output report.json</code>) of the same run lists them all.');
    });
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
