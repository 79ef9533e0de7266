/**
 * What the human-facing formats (markdown, html) show, computed once so both say the same thing:
 * the verdict, findings grouped by rule, the rules that checked nothing, problems in a reading order,
 * and export text made safe to display.
 */
import { cmp, compareDiagnostics, type Diagnostic } from '../diagnostics';
import {
  SEVERITIES,
  severityRank,
  type ComplianceReport,
  type ControlResult,
  type ControlStatus,
  type FormatContext,
  type Finding,
  type Report,
  type RuleResult,
  type Severity,
} from './model';
import { sortFindings } from './summary';
import { plural } from '../words';

export { plural };

export { diagnosticWhere, printable } from './text';

export type VerdictStatus = 'error' | 'findings' | 'incomplete' | 'clean';

export interface Verdict {
  status: VerdictStatus;
  /** One line, e.g. `42 findings · 1 rule not evaluated · 1 error`. */
  headline: string;
}


/**
 * The worst thing the report says, whatever the gate's threshold: any finding that is not
 * suppressed counts. The gate's own verdict, threshold included, is `report.gate.line`.
 */
export function verdict(report: Report): Verdict {
  const s = report.summary;
  const parts: string[] = [];
  if (s.findings > 0) parts.push(plural(s.findings, 'finding'));
  if (s.rules.notEvaluated > 0) parts.push(`${plural(s.rules.notEvaluated, 'rule')} not evaluated`);
  if (s.rules.checkedNothing > 0) parts.push(`${plural(s.rules.checkedNothing, 'rule')} checked nothing`);
  if (s.diagnostics.error > 0) parts.push(plural(s.diagnostics.error, 'error'));
  const status: VerdictStatus =
    s.diagnostics.error > 0 ? 'error' : s.findings > 0 ? 'findings' : s.rules.notEvaluated + s.rules.checkedNothing > 0 ? 'incomplete' : 'clean';
  const headline = parts.length > 0 ? parts.join(' · ') : `no findings: all ${plural(s.rules.total, 'rule')} evaluated`;
  return { status, headline };
}

/** Severities with their counts of findings that fail the run, most severe first. */
export function severityTotals(report: Report): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({ severity, count: report.summary.bySeverity[severity] }));
}

export interface RuleGroup {
  ruleId: string;
  severity: Severity;
  title: string;
  /** The rule's outcome, when the report has it (it always does for reports from lint()). */
  result?: RuleResult;
  /** How to fix a finding, in one line. */
  fix?: string;
  findings: Finding[];
}

/** Findings grouped by rule, in report order (most severe rule first). */
export function groupByRule(findings: readonly Finding[], report: Report, context: FormatContext): RuleGroup[] {
  const results = new Map(report.rules.map((r) => [r.id, r]));
  return [...groupBy(sortFindings(findings), (f) => f.ruleId)].map(([ruleId, list]) => {
    const result = results.get(ruleId);
    const fix = result?.fix ?? context.rules.get(ruleId)?.fix;
    return {
      ruleId,
      severity: result?.severity ?? list[0].severity,
      title: result?.title ?? context.rules.get(ruleId)?.title ?? '',
      ...(result ? { result } : {}),
      ...(fix !== undefined ? { fix } : {}),
      findings: list,
    };
  });
}

/** Items grouped by key, groups in order of first appearance, each in the items' order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Findings that fail the run, and those a waiver or the baseline suppressed. */
export function splitFindings(report: Report): { active: Finding[]; suppressed: Finding[] } {
  const sorted = sortFindings(report.findings);
  return { active: sorted.filter((f) => !f.suppression), suppressed: sorted.filter((f) => f.suppression) };
}

export function notEvaluated(report: Report): RuleResult[] {
  return withStatus(report, 'not-evaluated');
}

/** Rules that ran but had no record in scope, most severe first. */
export function checkedNothing(report: Report): RuleResult[] {
  return withStatus(report, 'checked-nothing');
}

function withStatus(report: Report, status: RuleResult['status']): RuleResult[] {
  return report.rules.filter((r) => r.status === status).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.id, b.id));
}

/** All rules, most severe first, then by id. */
export function sortedRules(report: Report): RuleResult[] {
  return [...report.rules].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.id, b.id));
}

/** What a not-evaluated rule lacks, or else everything it reads. */
export function lacking(rule: RuleResult): { label: 'missing' | 'needs'; items: string[] } {
  return rule.missing && rule.missing.length > 0 ? { label: 'missing', items: rule.missing } : { label: 'needs', items: rule.needs };
}

const diagnosticRank: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, note: 2 };

/** Errors first, then warnings, then notes; within each, by file and position. */
export function sortedDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => diagnosticRank[a.severity] - diagnosticRank[b.severity] || compareDiagnostics(a, b));
}

/** `file:line:col`, else `file#pointer`, else the file. */

/** What a reader calls a resource: its name, else its id. */
export function resourceLabel(f: Finding): string {
  return f.resource.name ?? f.resource.id;
}


const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML character data or a quoted attribute value, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** How every human-facing format words a control's status. */
export const CONTROL_STATUS_LABEL: Readonly<Record<ControlStatus, string>> = {
  met: 'met',
  partial: 'passed, partial evidence',
  'not-met': 'not met',
  'not-assessed': 'not assessed',
  'not-covered': 'not covered',
};

/** The controls some rule of the run maps to, and the ids of the rest (listed apart, not as rows). */
export function splitControls(c: ComplianceReport): { covered: ControlResult[]; uncovered: string[] } {
  return { covered: c.controls.filter((x) => x.status !== 'not-covered'), uncovered: c.controls.filter((x) => x.status === 'not-covered').map((x) => x.id) };
}

/** `3 not met · 1 not assessed · 2 passed, partial evidence · 0 met · 27 not covered`. */
export function complianceHeadline(c: ComplianceReport): string {
  const s = c.summary;
  return [
    `${s.notMet} not met`,
    `${s.notAssessed} not assessed`,
    `${s.partial} ${CONTROL_STATUS_LABEL.partial}`,
    `${s.met} met`,
    `${s.notCovered} not covered`,
  ].join(' · ');
}

/** A subscription as people know it: its name, else its id. */
export function subscriptionName(row: { subscriptionId: string; name?: string }): string {
  return row.name ?? row.subscriptionId;
}
