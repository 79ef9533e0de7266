/**
 * One self-contained HTML page for people who do not read CI logs: the verdict, findings by severity
 * and Defender coverage per subscription as charts, a findings table with search and filters, the
 * rules that checked nothing, and problems with the inputs. Nothing is fetched: styles and the one
 * script are inline and allowed by hash in a Content-Security-Policy that forbids everything else,
 * so the file works opened from disk, and export text (untrusted) is always escaped.
 */
import { SEVERITIES, type Finding, type FormatContext, type Formatter, type Report, type RuleResult } from '../model';
import {
  checkedNothing,
  diagnosticWhere,
  groupBy,
  groupByRule,
  lacking,
  notEvaluated,
  plural,
  resourceLabel,
  sortedDiagnostics,
  sortedRules,
  splitFindings,
  verdict,
  escapeHtml as h,
  type RuleGroup,
  type VerdictStatus,
} from '../view';
import { coverageChart, coverageTable, rulesChart, severityChart, text } from './html-charts';
import { htmlPage } from './html-assets';
import { complianceSection } from './html-compliance';
import { httpsUrl } from '../markup';


/**
 * Rows a long table of the page (findings, problems, fixed findings) shows at most; every count on
 * the page stays the true total. A couple of thousand rows lay out, scroll and filter at once in
 * any browser, and the page stays small enough to mail or attach to a run (2.3 MB for a rule
 * failing on a million devices); all million rows would make a page of gigabytes that no browser
 * opens. Beyond this, a reader needs the machine-readable reports, and the page says which.
 */
export const MAX_TABLE_ROWS = 2_000;

/**
 * How many of each group's items to show so that at most `budget` show in all: every group the
 * same share, the largest that fits, and what is left of the budget one more each to the first
 * groups that have more. Every group shows some while there are no more groups than rows.
 */
function shares(sizes: readonly number[], budget: number): number[] {
  const total = sizes.reduce((sum, n) => sum + n, 0);
  if (total <= budget) return [...sizes];
  const cost = (cap: number) => sizes.reduce((sum, n) => sum + Math.min(n, cap), 0);
  let [low, high] = [0, Math.max(...sizes)];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cost(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  let left = budget - cost(low);
  return sizes.map((n) => {
    const extra = n > low && left > 0 ? 1 : 0;
    left -= extra;
    return Math.min(n, low) + extra;
  });
}

/** The items of each group (in its order) that a table shows, within `budget` rows in all. */
function shownOf<T>(groups: readonly (readonly T[])[], budget: number): T[][] {
  const counts = shares(groups.map((g) => g.length), budget);
  return groups.map((g, i) => g.slice(0, counts[i]));
}

const count = (n: number): string => n.toLocaleString('en-US');

/** What a cut table leaves out and where the rest is; nothing when it shows everything. */
function notShownNote(shown: number, total: number, noun: string, what: string, where: string): string {
  if (shown === total) return '';
  return (
    `<p>This table shows ${count(shown)} of the ${count(total)} ${noun} (${what}), so the page stays quick to open: ` +
    `<strong>${count(total - shown)} ${total - shown === 1 ? 'is' : 'are'} not shown</strong>. ${where}</p>`
  );
}

/** Where every finding, problem and fixed finding is when a table is cut. */
const JSON_REPORT = 'json report (<code>--format json --output report.json</code>)';

const VERDICT_LABEL: Record<VerdictStatus, string> = {
  error: 'Unusable input',
  findings: 'Findings',
  incomplete: 'Incomplete',
  clean: 'Clean',
};

function header(report: Report): string {
  const v = verdict(report);
  const s = report.summary;
  const stat = (value: number, label: string, tone = ''): string =>
    `<div class="stat${value > 0 && tone ? ` ${tone}` : ''}"><span class="stat-value">${value}</span><span class="stat-label">${label}</span></div>`;
  return (
    `<header class="verdict-${v.status}">` +
    `<div class="title"><h1>posture-lint report</h1><span class="badge">${VERDICT_LABEL[v.status]}</span></div>` +
    `<p class="headline">${text(v.headline)}</p>` +
    `<p class="gate">${text(report.gate.line)}</p>` +
    `<dl class="meta">` +
    `<div><dt>Snapshot</dt><dd class="mono">${text(report.snapshot.path)}</dd></div>` +
    `<div><dt>Files read</dt><dd>${report.snapshot.files.length}</dd></div>` +
    `<div><dt>Tool</dt><dd>${text(report.tool.name)} ${text(report.tool.version)}</dd></div>` +
    `</dl>` +
    `<div class="stats">` +
    stat(s.findings, 'findings', 'bad') +
    stat(s.rules.notEvaluated, 'rules not evaluated', 'warn') +
    stat(s.rules.checkedNothing, 'rules checked nothing', 'warn') +
    stat(s.diagnostics.error, 'errors', 'bad') +
    stat(s.rules.passed, 'rules passed') +
    stat(s.rules.failed, 'rules failed') +
    stat(s.suppressed, 'suppressed') +
    `</div>` +
    `</header>`
  );
}

function nav(report: Report, hasSkipped: boolean): string {
  const links: [string, string][] = [];
  if (hasSkipped) links.push(['not-evaluated', 'Not evaluated']);
  links.push(['summary', 'Summary']);
  if (report.coverage.length > 0) links.push(['coverage', 'Coverage']);
  if ((report.compliance ?? []).length > 0) links.push(['compliance', 'Compliance']);
  links.push(['findings', 'Findings'], ['rules', 'Rules']);
  if (report.baseline && report.baseline.fixed.length > 0) links.push(['fixed', 'Fixed']);
  links.push(['problems', 'Problems']);
  return `<nav>${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>`;
}

function needsList(rule: RuleResult): string {
  const { label, items } = lacking(rule);
  return `<span class="muted">${label}:</span> ${items.map((i) => `<code>${text(i)}</code>`).join(', ')}`;
}

function notEvaluatedSection(rules: RuleResult[]): string {
  if (rules.length === 0) return '';
  const items = rules.map(
    (r) =>
      `<li><span class="sev sev-${r.severity}">${r.severity}</span> <code>${text(r.id)}</code> ${text(r.title)}` +
      `<div class="needs">${needsList(r)}${r.reason ? ` — ${text(r.reason)}` : ''}</div></li>`,
  );
  return (
    `<section id="not-evaluated" class="callout">` +
    `<h2>Not evaluated: ${plural(rules.length, 'rule')} could not run</h2>` +
    `<p>The snapshot lacks what these rules read, so a passing run says nothing about what they cover. Add the exports they need.</p>` +
    `<ul>${items.join('')}</ul>` +
    `</section>`
  );
}

function checkedNothingSection(rules: RuleResult[]): string {
  if (rules.length === 0) return '';
  const items = rules.map(
    (r) =>
      `<li><span class="sev sev-${r.severity}">${r.severity}</span> <code>${text(r.id)}</code> ${text(r.title)}` +
      `<div class="needs"><span class="muted">reads:</span> ${r.needs.map((i) => `<code>${text(i)}</code>`).join(', ')}</div></li>`,
  );
  return (
    `<section id="checked-nothing" class="callout">` +
    `<h2>Checked nothing: ${plural(rules.length, 'rule')} found no record in scope</h2>` +
    `<p>These rules ran, but no record was in their scope: they prove nothing, and did not pass.</p>` +
    `<ul>${items.join('')}</ul>` +
    `</section>`
  );
}

function summarySection(report: Report): string {
  const s = report.summary;
  const note = s.suppressed > 0 ? `<p class="muted">${plural(s.suppressed, 'finding')} suppressed by a waiver or the baseline, not counted here.</p>` : '';
  return (
    `<section id="summary"><h2>Summary</h2><div class="charts">` +
    `<div><h3>Findings by severity</h3>${severityChart(report)}${note}</div>` +
    `<div><h3>Rules by outcome</h3>${rulesChart(report)}</div>` +
    `</div></section>`
  );
}

function coverageSection(report: Report): string {
  if (report.coverage.length === 0) return '';
  return (
    `<section id="coverage"><h2>Defender coverage by subscription</h2>` +
    `<p class="muted">Share of each subscription's Azure VMs that have a Defender for Endpoint device, that show antivirus real-time protection on, and that sit in a device group.</p>` +
    `<div class="scroll">${coverageChart(report)}</div>` +
    `<details><summary>As a table</summary>${coverageTable(report)}</details>` +
    `</section>`
  );
}

function statusCell(f: Finding): string {
  const s = f.suppression;
  if (!s) return `<td><span class="status-active">fails the run</span></td>`;
  const details = [`${s.kind === 'waiver' ? 'Waiver' : 'Baseline'}: ${text(s.source)}`];
  if (s.justification) details.push(text(s.justification));
  if (s.owner) details.push(`owner ${text(s.owner)}`);
  if (s.expires) details.push(`expires ${text(s.expires)}`);
  return `<td><span class="status-${s.kind}">${s.kind === 'waiver' ? 'waived' : 'baseline'}</span><div class="muted small">${details.join('<br>')}</div></td>`;
}

/** Each finding's rule id links to the rule's row in the rules table. */
const ruleAnchor = (id: string): string => `rule-${h(id)}`;

function findingRow(f: Finding, title: string): string {
  const resource =
    `<div>${text(resourceLabel(f))}</div>` +
    (f.resource.name !== undefined ? `<div class="muted mono small">${text(f.resource.id)}</div>` : '') +
    `<div class="kind">${text(f.resource.kind)}</div>`;
  const evidence = f.locations.map((l) => `<div class="mono small">${text(`${l.file}#${l.pointer}`)}</div>`).join('');
  return (
    `<tr class="${f.suppression ? 'suppressed' : ''}">` +
    `<td><span class="sev sev-${f.severity}">${f.severity}</span></td>` +
    `<td><a href="#${ruleAnchor(f.ruleId)}" title="${text(title)}"><code>${text(f.ruleId)}</code></a></td>` +
    `<td>${resource}</td>` +
    `<td>${text(f.message)}</td>` +
    `<td>${evidence}</td>` +
    statusCell(f) +
    `</tr>`
  );
}

/** What the filter script reads: per row, in table order, its severity, status and searchable text. */
interface IndexEntry {
  severity: string;
  status: 'active' | 'waiver' | 'baseline';
  text: string;
}

function findingsSection(report: Report, context: FormatContext): string {
  const { active, suppressed } = splitFindings(report);
  const activeGroups = groupByRule(active, report, context);
  const suppressedGroups = groupByRule(suppressed, report, context);
  // Failing findings first, by rule; suppressed ones after, so they never hide a live problem.
  const groups = [...activeGroups, ...suppressedGroups];
  if (groups.length === 0) return `<section id="findings"><h2>Findings</h2><p class="ok">No findings.</p></section>`;
  // Within the bound, every failing rule shows examples before any suppressed finding shows.
  const shownActive = shownOf(activeGroups.map((g) => g.findings), MAX_TABLE_ROWS);
  const shownSuppressed = shownOf(
    suppressedGroups.map((g) => g.findings),
    MAX_TABLE_ROWS - shownActive.reduce((sum, list) => sum + list.length, 0),
  );
  const shown = [...shownActive, ...shownSuppressed];
  const total = active.length + suppressed.length;
  const rows: string[] = [];
  const index: IndexEntry[] = [];
  groups.forEach((g, i) => {
    for (const f of shown[i]) {
      rows.push(findingRow(f, g.title));
      const s = f.suppression;
      const searchable = [f.ruleId, g.title, f.severity, f.resource.kind, f.resource.id, f.resource.name ?? '', f.message, ...f.locations.map((l) => l.file), s?.justification ?? '', s?.owner ?? ''];
      index.push({ severity: f.severity, status: s ? s.kind : 'active', text: searchable.join('\n').toLowerCase() });
    }
  });
  const options = SEVERITIES.map((sev) => `<option value="${sev}">${sev}</option>`).join('');
  // `<` escaped so no export text can close the data block and open markup; bidi controls so the
  // file reads the same in an editor. JSON.parse gives back the same strings.
  const data = JSON.stringify(index).replace(/[<\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return (
    `<section id="findings"><h2>Findings</h2>` +
    `<p class="muted">${plural(active.length, 'finding')} failing the run${suppressed.length > 0 ? `, ${suppressed.length} suppressed` : ''}.</p>` +
    findingsNotShown(groups, shown) +
    // Hidden until the script runs: without scripts every row shows and there is nothing to filter with.
    `<div id="filters" class="filters" role="search" hidden>` +
    `<label>Search <input id="filter-text" type="search" placeholder="rule, resource, message…" autocomplete="off"></label>` +
    `<label>Severity <select id="filter-severity"><option value="">all</option>${options}</select></label>` +
    `<label>Status <select id="filter-status"><option value="">all</option><option value="active">fails the run</option><option value="suppressed">suppressed</option></select></label>` +
    `<output id="filter-count" aria-live="polite"></output>` +
    // A cut table: a search that finds nothing here has not looked at the findings left out.
    (rows.length < total ? `<span class="muted">of the ${count(rows.length)} findings on this page: the search does not see the ${count(total - rows.length)} left out</span>` : '') +
    `</div>` +
    `<div class="scroll"><table id="findings-table" class="data"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Message</th><th>Evidence</th><th>Status</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>` +
    `<script type="application/json" id="finding-index">${data}</script>` +
    `</section>`
  );
}

/** When the findings table is cut: how many it leaves out, of which rules, and where they all are. */
function findingsNotShown(groups: readonly RuleGroup[], shown: readonly Finding[][]): string {
  const total = groups.reduce((sum, g) => sum + g.findings.length, 0);
  const showing = shown.reduce((sum, list) => sum + list.length, 0);
  if (showing === total) return '';
  const most = Math.max(...shown.map((list) => list.length));
  const cut = groups.flatMap((g, i) =>
    shown[i].length < g.findings.length
      ? [`<li><code>${text(g.ruleId)}</code>${g.findings[0].suppression ? ' (suppressed)' : ''}: ${count(shown[i].length)} of ${count(g.findings.length)} shown</li>`]
      : [],
  );
  return (
    notShownNote(
      showing,
      total,
      'findings',
      `at most ${count(most)} of each rule, failing ones before suppressed ones, in the order below`,
      `The ${JSON_REPORT} and the junit report of the same run list every finding.`,
    ) + `<details><summary>Rules with findings not shown</summary><ul>${cut.join('')}</ul></details>`
  );
}

function referenceLinks(rule: RuleResult, context: FormatContext): string {
  const refs = context.rules.get(rule.id)?.references ?? [];
  return refs
    .map((ref) => {
      // Only https pages become links: a `javascript:`, `file:` or `http:` reference in a rule file stays text.
      const url = httpsUrl(ref);
      return url ? `<a href="${h(url.href)}" rel="noopener noreferrer" title="${h(url.href)}">${text(pageName(url))}</a>` : `<span class="mono small">${text(ref)}</span>`;
    })
    .join('<br>');
}

/** Link text that names the page (`linux preferences`), not only its site: every reference is on one site. */
function pageName(url: URL): string {
  const last = url.pathname.split('/').filter((s) => s !== '').pop();
  if (last === undefined) return url.host;
  const name = decoded(last.replace(/\.(html?|aspx|md)$/i, '')).replace(/[-_]+/g, ' ');
  return `${name} (${url.host})`;
}

/** A path segment as people read it; a malformed escape stays as written. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The rule's remediation, folded: shown for rules with findings, where someone has to act on it. */
function remediation(r: RuleResult): string {
  if (r.remediation === undefined || r.status !== 'failed') return '';
  return `<details class="fix"><summary>How to fix${r.fix ? `: ${text(r.fix)}` : ''}</summary><p>${text(r.remediation)}</p></details>`;
}

function rulesSection(report: Report, context: FormatContext): string {
  const rows = sortedRules(report).map(
    (r) =>
      `<tr id="${ruleAnchor(r.id)}" class="rule-${r.status}"><td><span class="rule-status">${r.status}</span></td>` +
      `<td><span class="sev sev-${r.severity}">${r.severity}</span></td>` +
      `<td><code>${text(r.id)}</code><div>${text(r.title)}</div>${r.status === 'not-evaluated' ? `<div class="needs">${needsList(r)}</div>` : ''}${remediation(r)}</td>` +
      `<td class="num">${r.evaluated}</td><td class="num">${r.passed}</td><td class="num">${r.failed}</td>` +
      `<td>${referenceLinks(r, context)}</td></tr>`,
  );
  return (
    `<section id="rules"><h2>Rules</h2>` +
    `<div class="scroll"><table class="data"><thead><tr><th>Status</th><th>Severity</th><th>Rule</th><th class="num">Checked</th><th class="num">Passed</th><th class="num">Failed</th><th>References</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

function fixedSection(report: Report): string {
  const fixed = report.baseline?.fixed ?? [];
  if (fixed.length === 0) return '';
  // Every rule's fixed findings show examples, each rule's in the baseline's order.
  const shown = new Set(shownOf([...groupBy(fixed, (f) => f.ruleId).values()], MAX_TABLE_ROWS).flat());
  const rows = fixed.filter((f) => shown.has(f)).map((f) => `<tr><td><code>${text(f.ruleId)}</code></td><td>${text(f.resource.name ?? f.resource.id)}</td><td class="mono small">${text(f.resource.id)}</td></tr>`);
  return (
    `<section id="fixed"><h2>Fixed since the baseline: ${plural(fixed.length, 'finding')}</h2>` +
    `<p class="muted">Baseline <span class="mono">${text(report.baseline!.file)}</span></p>` +
    notShownNote(rows.length, fixed.length, 'fixed findings', 'every rule\'s, in the baseline\'s order', `The ${JSON_REPORT} of the same run lists them all.`) +
    `<table class="data"><thead><tr><th>Rule</th><th>Resource</th><th>Id</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  );
}

function problemsSection(report: Report): string {
  if (report.diagnostics.length === 0) return `<section id="problems"><h2>Problems</h2><p class="ok">No problems with the inputs or rules.</p></section>`;
  const all = sortedDiagnostics(report.diagnostics);
  const rows = all.slice(0, MAX_TABLE_ROWS).map(
    (d) =>
      `<tr><td><span class="diag diag-${d.severity}">${d.severity}</span></td><td class="mono small">${text(diagnosticWhere(d))}</td>` +
      `<td>${text(d.message)}</td><td><code>${text(d.code)}</code></td></tr>`,
  );
  return (
    `<section id="problems"><h2>Problems with the inputs or rules</h2>` +
    notShownNote(rows.length, all.length, 'problems', 'the first, errors first', `The ${JSON_REPORT} of the same run lists them all.`) +
    `<div class="scroll"><table class="data"><thead><tr><th>Severity</th><th>Location</th><th>Message</th><th>Code</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

export const html: Formatter = (report, context) => {
  const skipped = notEvaluated(report);
  const body = [
    header(report),
    nav(report, skipped.length > 0),
    `<main>`,
    notEvaluatedSection(skipped),
    checkedNothingSection(checkedNothing(report)),
    summarySection(report),
    coverageSection(report),
    complianceSection(report),
    findingsSection(report, context),
    rulesSection(report, context),
    fixedSection(report),
    problemsSection(report),
    `</main>`,
    `<footer>${text(report.tool.name)} ${text(report.tool.version)} · report format ${text(report.schemaVersion)} · self-contained: this file loads nothing from the network</footer>`,
  ];
  return htmlPage(`posture-lint: ${verdict(report).headline} · ${report.snapshot.path}`, body.filter((part) => part !== ''), { script: true });
};
