/**
 * Pure helpers the engine uses to finish a Report: the summary counts and the one finding order
 * every formatter relies on.
 */
import { cmp, type Diagnostic } from '../diagnostics';
import { severityRank, type Finding, type Location, type RuleResult, type Summary } from './model';

export function summarize(rules: RuleResult[], findings: Finding[], diagnostics: Diagnostic[]): Summary {
  const summary: Summary = {
    findings: 0,
    suppressed: 0,
    bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    rules: { total: rules.length, passed: 0, failed: 0, checkedNothing: 0, notEvaluated: 0 },
    diagnostics: { error: 0, warning: 0, note: 0 },
  };
  // Counts by severity are of the findings that fail the run; suppressed ones are counted apart.
  for (const f of findings) {
    if (f.suppression) summary.suppressed++;
    else {
      summary.findings++;
      summary.bySeverity[f.severity]++;
    }
  }
  for (const r of rules) {
    if (r.status === 'passed') summary.rules.passed++;
    else if (r.status === 'failed') summary.rules.failed++;
    else if (r.status === 'checked-nothing') summary.rules.checkedNothing++;
    else summary.rules.notEvaluated++;
  }
  for (const d of diagnostics) summary.diagnostics[d.severity]++;
  return summary;
}

/**
 * A new array in report order: most severe first, then rule id, resource id and kind, message,
 * locations. The order is total, so the result never depends on the order the engine produced.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.resource.id, b.resource.id) ||
    cmp(a.resource.kind, b.resource.kind) ||
    cmp(a.message, b.message) ||
    compareLocations(a.locations, b.locations)
  );
}

function compareLocations(a: readonly Location[], b: readonly Location[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i].file, b[i].file) || cmp(a[i].pointer, b[i].pointer);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
