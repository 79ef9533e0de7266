/**
 * GitHub-flavoured Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the verdict, totals
 * by severity, the rules that checked nothing (before the findings, so an empty gate is seen), the
 * findings by rule, suppressed findings apart, then problems with the inputs or rules.
 */
import type { Finding, Formatter, Report, RuleResult } from '../model';
import {
  checkedNothing,
  diagnosticWhere,
  escapeHtml,
  groupByRule,
  lacking,
  notEvaluated,
  plural,
  printable,
  resourceLabel,
  severityTotals,
  sortedDiagnostics,
  splitFindings,
  verdict,
  type RuleGroup,
  type VerdictStatus,
} from '../view';

/** Rows per table; a PR comment holds at most 65,536 characters. */
const MAX_ROWS = 50;

const ICON: Record<VerdictStatus, string> = { error: '❌', findings: '❌', incomplete: '⚠️', clean: '✅' };

/**
 * Export text as inert Markdown: one line, no markup, no HTML (`&`, `<`, `>` as entities), no table
 * breaks. Mentions and issue references get a zero-width space so a resource name cannot ping people
 * or link issues.
 */
function mdText(text: string): string {
  const inert = printable(text.replace(/\s*[\r\n]+\s*/g, ' '))
    .replace(/[\\`*_[\]|~$]/g, '\\$&')
    .replace(/(^|[^\w])([@#])(?=\w)/g, '$1$2\u200b');
  return inert.replace(/[&<>]/g, escapeHtml);
}

/** Identifiers and paths as code when that is safe; anything unusual as escaped text. */
function code(text: string): string {
  return /^[\w.:/@#-]+$/.test(text) ? `\`${text}\`` : mdText(text);
}

function table(header: string[], rows: string[][], align?: string[]): string[] {
  const shown = rows.slice(0, MAX_ROWS);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${(align ?? header.map(() => '---')).join(' | ')} |`,
    ...shown.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `… and ${rows.length - shown.length} more.`);
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
  const lines = table(['Severity', 'Findings'], rows, [':--', '--:']);
  if (s.suppressed > 0) {
    lines.push(`${plural(s.suppressed, 'finding')} suppressed by a waiver or the baseline, not counted above.`, '');
  }
  return lines;
}

function notEvaluatedSection(rules: RuleResult[]): string[] {
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
    ...table(['Rule', 'Severity', 'Title', 'Needs', 'Reason'], rows),
  ];
}

function checkedNothingSection(rules: RuleResult[]): string[] {
  if (rules.length === 0) return [];
  return [
    `### ⚠️ Checked nothing: ${plural(rules.length, 'rule')} found no record in scope`,
    '',
    'These rules ran, but no record was in their scope: they prove nothing, and did not pass.',
    '',
    ...table(['Rule', 'Severity', 'Title', 'Reads'], rules.map((r) => [code(r.id), r.severity, mdText(r.title), r.needs.map(code).join(', ')])),
  ];
}

function findingsSection(groups: RuleGroup[]): string[] {
  if (groups.length === 0) return [];
  const lines = ['### Findings', ''];
  for (const g of groups) {
    lines.push(`#### ${code(g.ruleId)} · ${g.severity} · ${mdText(g.title)}`, '');
    // Pass counts beside failures show the rule really looked at the estate.
    if (g.result) lines.push(`${g.result.failed} of ${g.result.evaluated} failed.`, '');
    lines.push(...table(['Resource', 'Message'], g.findings.map((f) => [mdText(resourceLabel(f)), mdText(f.message)])));
  }
  return lines;
}

function suppressedBy(f: Finding): string {
  const s = f.suppression!;
  const parts = [`${s.kind} (${code(s.source)})`];
  if (s.justification) parts.push(mdText(s.justification));
  if (s.owner) parts.push(`owner ${mdText(s.owner)}`);
  if (s.expires) parts.push(`expires ${mdText(s.expires)}`);
  return parts.join(' · ');
}

function suppressedSection(suppressed: Finding[]): string[] {
  if (suppressed.length === 0) return [];
  const waived = suppressed.filter((f) => f.suppression!.kind === 'waiver').length;
  return [
    `### Suppressed: ${plural(suppressed.length, 'finding')} (${waived} waived, ${suppressed.length - waived} in the baseline)`,
    '',
    ...table(
      ['Rule', 'Severity', 'Resource', 'Message', 'Suppressed by'],
      suppressed.map((f) => [code(f.ruleId), f.severity, mdText(resourceLabel(f)), mdText(f.message), suppressedBy(f)]),
    ),
  ];
}

function fixedSection(report: Report): string[] {
  const fixed = report.baseline?.fixed ?? [];
  if (fixed.length === 0) return [];
  return [
    `### Fixed since the baseline: ${plural(fixed.length, 'finding')}`,
    '',
    ...table(
      ['Rule', 'Resource'],
      fixed.map((f) => [code(f.ruleId), mdText(f.resource.name ?? f.resource.id)]),
    ),
  ];
}

function problemsSection(report: Report): string[] {
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
    ...table(['Severity', 'Location', 'Message', 'Code'], rows),
  ];
}

export const markdown: Formatter = (report, context) => {
  const { active, suppressed } = splitFindings(report);
  const lines = [
    ...header(report),
    ...totals(report),
    ...notEvaluatedSection(notEvaluated(report)),
    ...checkedNothingSection(checkedNothing(report)),
    ...findingsSection(groupByRule(active, report, context)),
    ...suppressedSection(suppressed),
    ...fixedSection(report),
    ...problemsSection(report),
    // The verdict the exit code follows, last, as the log's last line.
    `**${mdText(report.gate.line)}**`,
  ];
  return `${lines.join('\n').trimEnd()}\n`;
};
