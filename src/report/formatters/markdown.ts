/**
 * GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` (`markdown`) or a pull-request comment
 * (`markdown-comment`): the verdict, totals by severity, the rules that checked nothing (before the
 * findings, so an empty gate is seen), the findings by rule, suppressed findings apart, then problems
 * with the inputs or rules. Each stays within what GitHub takes, cutting tables deterministically
 * and saying where the full list is.
 */
import type { Finding, FormatContext, Formatter, Report, RuleResult } from '../model';
import {
  checkedNothing,
  diagnosticWhere,
  groupByRule,
  lacking,
  notEvaluated,
  plural,
  resourceLabel,
  severityTotals,
  sortedDiagnostics,
  splitFindings,
  verdict,
  type RuleGroup,
  type VerdictStatus,
  CONTROL_STATUS_LABEL,
  complianceHeadline,
  splitControls,
  subscriptionName,
} from '../view';
import type { ComplianceReport, ControlResult, ControlStatus } from '../model';
import { inertMarkdown } from '../markup';
import { clip } from '../text';

/** Rows per table, at most: a longer table is not read. */
const MAX_ROWS = 50;
/** Tried in turn, longest first, until the document fits its budget. */
const ROW_CAPS = [MAX_ROWS, 25, 10, 5, 3, 1, 0];
/** Characters of export text in one table cell. */
const MAX_CELL = 500;

/**
 * What GitHub takes. A comment body holds at most 65,536 characters (the API answers "Body is too
 * long (maximum is 65536 characters)"); a step summary at most 1 MiB ("$GITHUB_STEP_SUMMARY upload
 * aborted, supports content up to a size of 1024k"). Budgets count UTF-8 bytes, which are never
 * fewer than characters.
 */
export const MARKDOWN_LIMITS = Object.freeze({ comment: 65_536, summary: 1024 * 1024 });

const ICON: Record<VerdictStatus, string> = { error: '❌', findings: '❌', incomplete: '⚠️', clean: '✅' };

/** Export and rule text as one line of inert Markdown (report/markup.ts), cut to a cell's width. */
export function mdText(text: string): string {
  return inertMarkdown(clip(text, MAX_CELL), { oneLine: true });
}

/** Identifiers and paths as code when that is safe; anything unusual as escaped text. */
export function code(text: string): string {
  return /^[\w.:/@#-]+$/.test(text) ? `\`${text}\`` : mdText(text);
}

function table(cap: number, header: string[], rows: string[][], align?: string[]): string[] {
  const shown = rows.slice(0, cap);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${(align ?? header.map(() => '---')).join(' | ')} |`,
    ...shown.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `… and ${rows.length - shown.length} more (${POINTER}).`);
  return [...lines, ''];
}

function header(report: Report): string[] {
  const v = verdict(report);
  const r = report.summary.rules;
  return [
    `## ${ICON[v.status]} posture-lint: ${mdText(v.headline)}`,
    '',
    `Snapshot ${code(report.snapshot.path)} · posture-lint ${mdText(report.tool.version)} · ` +
      `${plural(r.total, 'rule')}: ${r.passed} passed, ${r.failed} failed, ${r.notEvaluated} not evaluated`,
    '',
  ];
}

function totals(report: Report): string[] {
  const s = report.summary;
  const rows = severityTotals(report).map(({ severity, count }) => [severity, String(count)]);
  rows.push(['**total**', `**${s.findings}**`]);
  const lines = table(Infinity, ['Severity', 'Findings'], rows, [':--', '--:']);
  if (s.suppressed > 0) {
    lines.push(`${plural(s.suppressed, 'finding')} suppressed by a waiver or the baseline, not counted above.`, '');
  }
  return lines;
}

function notEvaluatedSection(rules: RuleResult[], cap: number): string[] {
  if (rules.length === 0) return [];
  const rows = rules.map((r) => {
    const { label, items } = lacking(r);
    return [code(r.id), r.severity, mdText(r.title), `${label}: ${items.map(code).join(', ')}`, r.reason ? mdText(r.reason) : ''];
  });
  return [
    `### ⚠️ Not evaluated: ${plural(rules.length, 'rule')} could not run`,
    '',
    'The snapshot lacks what these rules read, so a passing run says nothing about what they cover.',
    '',
    ...table(cap, ['Rule', 'Severity', 'Title', 'Needs', 'Reason'], rows),
  ];
}

function checkedNothingSection(rules: RuleResult[], cap: number): string[] {
  if (rules.length === 0) return [];
  return [
    `### ⚠️ Checked nothing: ${plural(rules.length, 'rule')} found no record in scope`,
    '',
    'These rules ran, but no record was in their scope: they prove nothing, and did not pass.',
    '',
    ...table(cap, ['Rule', 'Severity', 'Title', 'Reads'], rules.map((r) => [code(r.id), r.severity, mdText(r.title), r.needs.map(code).join(', ')])),
  ];
}

function findingsSection(groups: RuleGroup[], cap: number): string[] {
  if (groups.length === 0) return [];
  const lines = ['### Findings', ''];
  for (const g of groups) {
    lines.push(`#### ${code(g.ruleId)} · ${g.severity} · ${mdText(g.title)}`, '');
    // Pass counts beside failures show the rule really looked at the estate.
    if (g.result) lines.push(`${g.result.failed} of ${g.result.evaluated} failed.`, '');
    lines.push(...table(cap, ['Resource', 'Message'], g.findings.map((f) => [resourceCell(f), mdText(f.message)])));
    lines.push(`**Fix:** ${g.fix === undefined ? '' : `${mdText(g.fix)} `}(posture-lint explain ${code(g.ruleId)})`, '');
  }
  return lines;
}

/** The resource's name, and its id when that differs: the id is what a waiver or baseline names. */
function resourceCell(f: Finding): string {
  return f.resource.name === undefined || f.resource.name === f.resource.id ? mdText(resourceLabel(f)) : `${mdText(f.resource.name)} · ${code(f.resource.id)}`;
}

function suppressedBy(f: Finding): string {
  const s = f.suppression!;
  const parts = [`${s.kind} (${code(s.source)})`];
  if (s.justification) parts.push(mdText(s.justification));
  if (s.owner) parts.push(`owner ${mdText(s.owner)}`);
  if (s.expires) parts.push(`expires ${mdText(s.expires)}`);
  return parts.join(' · ');
}

function suppressedSection(suppressed: Finding[], cap: number): string[] {
  if (suppressed.length === 0) return [];
  const waived = suppressed.filter((f) => f.suppression!.kind === 'waiver').length;
  return [
    `### Suppressed: ${plural(suppressed.length, 'finding')} (${waived} waived, ${suppressed.length - waived} in the baseline)`,
    '',
    ...table(
      cap,
      ['Rule', 'Severity', 'Resource', 'Message', 'Suppressed by'],
      suppressed.map((f) => [code(f.ruleId), f.severity, mdText(resourceLabel(f)), mdText(f.message), suppressedBy(f)]),
    ),
  ];
}

function fixedSection(report: Report, cap: number): string[] {
  const fixed = report.baseline?.fixed ?? [];
  if (fixed.length === 0) return [];
  return [
    `### Fixed since the baseline: ${plural(fixed.length, 'finding')}`,
    '',
    ...table(
      cap,
      ['Rule', 'Resource'],
      fixed.map((f) => [code(f.ruleId), mdText(f.resource.name ?? f.resource.id)]),
    ),
  ];
}

function problemsSection(report: Report, cap: number): string[] {
  if (report.diagnostics.length === 0) return [];
  const d = report.summary.diagnostics;
  const rows = sortedDiagnostics(report.diagnostics).map((x) => [
    x.severity === 'error' ? '**error**' : x.severity,
    code(diagnosticWhere(x)),
    mdText(x.message),
    code(x.code),
  ]);
  return [
    `### Problems: ${plural(d.error, 'error')}, ${plural(d.warning, 'warning')}, ${plural(d.note, 'note')}`,
    '',
    ...table(cap, ['Severity', 'Location', 'Message', 'Code'], rows),
  ];
}

const CONTROL_ICON: Record<ControlStatus, string> = { met: '✅', partial: '🟡', 'not-met': '❌', 'not-assessed': '⚠️', 'not-covered': '➖' };

function controlRow(c: ControlResult): string[] {
  const rules = c.rules.map((r) => `${code(r.id)} ${r.status}${r.coverage === 'partial' ? ' (partial)' : ''}`).join('<br>');
  const r = c.resources;
  const failing = `${r.failing}${r.waived + r.baselined > 0 ? ` (+${r.waived} waived, ${r.baselined} baselined)` : ''}`;
  const subs = [
    ...c.bySubscription.filter((s) => s.failing > 0).map((s) => `${mdText(subscriptionName(s))}: ${s.failing}`),
    ...(c.outsideSubscriptions.failing > 0 ? [`no subscription: ${c.outsideSubscriptions.failing}`] : []),
  ].join('<br>');
  const waivers = c.waivers.map((w) => `${code(w.ruleId)} ×${w.findings}${w.owner ? ` (${mdText(w.owner)}${w.expires ? `, until ${mdText(w.expires)}` : ''})` : ''}`).join('<br>');
  return [`${code(c.id)}`, mdText(c.title), `${CONTROL_ICON[c.status]} ${CONTROL_STATUS_LABEL[c.status]}`, rules, failing, subs, waivers];
}

/** Per framework: the controls some rule maps to as a table, the others named in one line. */
function complianceSection(compliance: readonly ComplianceReport[], cap: number): string[] {
  const lines: string[] = [];
  for (const c of compliance) {
    const { covered, uncovered } = splitControls(c);
    lines.push(
      `### Compliance: ${mdText(c.framework.name)} ${mdText(c.framework.version)}`,
      '',
      `${mdText(complianceHeadline(c))}. A control is met only when every rule behind it passed and one evidences all of it; waived findings still leave it not met.`,
      '',
      ...table(cap, ['Control', 'Title', 'Status', 'Rules', 'Failing resources', 'By subscription', 'Waivers'], covered.map(controlRow)),
    );
    if (uncovered.length > 0) lines.push(`Not covered by any rule of this run: ${uncovered.map(code).join(', ')}.`, '');
  }
  return lines;
}

/** Where every row is when a table is cut: findings, fixed findings, problems and controls alike (junit holds findings only; sarif rolls them up past 5,000). */
const POINTER = 'the json report of the same run lists them all';

function render(report: Report, context: FormatContext, cap: number): string {
  const { active, suppressed } = splitFindings(report);
  const lines = [
    ...header(report),
    ...totals(report),
    ...notEvaluatedSection(notEvaluated(report), cap),
    ...checkedNothingSection(checkedNothing(report), cap),
    ...complianceSection(report.compliance ?? [], cap),
    ...findingsSection(groupByRule(active, report, context), cap),
    ...suppressedSection(suppressed, cap),
    ...fixedSection(report, cap),
    ...problemsSection(report, cap),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The document with tables of at most 50 rows; when that is over the budget, with shorter tables
 * (the same cap for every table, so the cut is deterministic); when even headings alone are over,
 * cut after the last whole line that fits. A note says what was cut and why, and the gate's verdict
 * is always the last line.
 */
function withinBudget(budget: number, place: string): Formatter {
  return (report, context) => {
    const note = (how: string) => `---\n\n_${how} to fit the ${budget.toLocaleString('en-US')}-byte limit of ${place}; ${POINTER}._\n\n`;
    // The verdict the exit code follows, last, as the log's last line.
    const gate = `**${mdText(report.gate.line)}**\n`;
    for (const cap of ROW_CAPS) {
      const text = `${render(report, context, cap)}\n${cap < MAX_ROWS ? note(`Tables are cut to ${cap} rows`) : ''}${gate}`;
      if (bytes(text) <= budget) return text;
    }
    const tail = `\n${note('This report is cut short')}${gate}`;
    const kept: string[] = [];
    let size = bytes(tail);
    for (const line of render(report, context, 0).split('\n')) {
      size += bytes(line) + 1;
      if (size > budget) break;
      kept.push(line);
    }
    return `${kept.join('\n')}\n${tail}`;
  };
}

/** For the job summary (`$GITHUB_STEP_SUMMARY`, 1 MiB). */
export const markdown: Formatter = withinBudget(MARKDOWN_LIMITS.summary, 'a GitHub job summary');

/** For a pull-request comment (65,536 characters). */
export const markdownComment: Formatter = withinBudget(MARKDOWN_LIMITS.comment, 'a GitHub comment');
