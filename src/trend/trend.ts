/**
 * Posture over time from a series of reports: per rule the failing findings in each, per control
 * (with a framework) its status and failing resources, and between consecutive reports the
 * findings fixed and the new ones, told apart by fingerprint. Pure: reports in, a Trend out.
 *
 * Fail closed: a rule that a report did not run, or ran without a verdict (not evaluated, checked
 * nothing), has no count there (null), never 0; a finding whose rule has no verdict in the later
 * report is "no longer checked", and one a waiver or the baseline suppresses there is "suppressed":
 * neither is fixed.
 */
import { cmp } from '../diagnostics';
import type { ControlStatus, Report, ResourceRef } from '../report/model';
import { assessCompliance } from '../compliance/assess';
import type { Framework } from '../compliance/frameworks';
import type { ReadReport } from './read';
import { plural } from '../words';

export const TREND_VERSION = '1';

export interface TrendPoint {
  file: string;
  /** The snapshot time the report carries (1.1 reports whose snapshot declared takenAt). */
  takenAt?: string;
  toolVersion: string;
  schemaVersion: string;
  /** Findings that fail the run, and error diagnostics: the report's own totals. */
  failing: number;
  errors: number;
}

export interface RuleSeries {
  id: string;
  title: string;
  /** Per report: findings that fail the run, or null when the report has no verdict for the rule. */
  failing: (number | null)[];
}

export interface ControlSeries {
  id: string;
  title: string;
  /** Per report: the control's status, or null when the report carries no control mappings (1.0). */
  status: (ControlStatus | null)[];
  /** Per report: resources failing the control, or null when it was not assessed there. */
  failing: (number | null)[];
}

export interface FindingRef {
  ruleId: string;
  fingerprint: string;
  resource: ResourceRef;
}

export interface Change {
  from: number;
  to: number;
  fixed: FindingRef[];
  new: FindingRef[];
  /** Failing in the earlier report, waived or baselined in the later: still there, so not fixed. */
  suppressed: FindingRef[];
  /** Waived or baselined in the earlier report, failing in the later: counted again, not new. */
  unsuppressed: FindingRef[];
  /** Findings of the earlier report whose rule has no verdict in the later one: neither fixed nor failing. */
  noLongerChecked: FindingRef[];
}

export interface Trend {
  trendVersion: typeof TREND_VERSION;
  points: TrendPoint[];
  rules: RuleSeries[];
  framework?: { key: string; name: string; version: string };
  controls?: ControlSeries[];
  changes: Change[];
  /** What makes two reports less than comparable: other rules, another tool version, no snapshot time, errors. */
  warnings: string[];
}

const ran = (status: string | undefined) => status === 'passed' || status === 'failed';

/** Reports by snapshot time when every report has one; otherwise as given, with a warning. */
function order(reports: readonly ReadReport[], warnings: string[]): ReadReport[] {
  const undated = reports.filter((r) => r.report.snapshot.takenAt === undefined);
  if (undated.length > 0) {
    if (reports.length > 1) {
      warnings.push(
        `${undated.map((r) => r.file).join(', ')} ${undated.length === 1 ? 'has' : 'have'} no snapshot time (takenAt in snapshot.yaml, carried by reports of format 1.1): reports are shown in the order given`,
      );
    }
    return [...reports];
  }
  const sorted = [...reports].sort((a, b) => cmp(a.report.snapshot.takenAt!, b.report.snapshot.takenAt!) || cmp(a.file, b.file));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].report.snapshot.takenAt === sorted[i - 1].report.snapshot.takenAt) {
      warnings.push(`${sorted[i - 1].file} and ${sorted[i].file} are of the same snapshot time ${sorted[i].report.snapshot.takenAt}: the same export linted twice?`);
    }
  }
  return sorted;
}

function comparability(reports: readonly ReadReport[], warnings: string[]): void {
  for (let i = 1; i < reports.length; i++) {
    const a = reports[i - 1];
    const b = reports[i];
    const before = new Set(a.report.rules.map((r) => r.id));
    const after = new Set(b.report.rules.map((r) => r.id));
    const added = [...after].filter((id) => !before.has(id)).sort(cmp);
    const removed = [...before].filter((id) => !after.has(id)).sort(cmp);
    if (added.length + removed.length > 0) {
      warnings.push(
        `${a.file} and ${b.file} ran different rule sets` +
          (added.length > 0 ? `; added: ${added.join(', ')}` : '') +
          (removed.length > 0 ? `; removed: ${removed.join(', ')}` : '') +
          ': their totals do not compare, the rules both ran do',
      );
    }
    // A rule both ran but only one gave a verdict for: its findings are in one total only.
    const verdicts = (r: Report) => new Set(r.rules.filter((x) => ran(x.status)).map((x) => x.id));
    const [va, vb] = [verdicts(a.report), verdicts(b.report)];
    const lost = [...va].filter((id) => after.has(id) && !vb.has(id)).sort(cmp);
    const gained = [...vb].filter((id) => before.has(id) && !va.has(id)).sort(cmp);
    if (lost.length > 0) warnings.push(`${b.file} has no verdict for ${lost.join(', ')}, which ${a.file} checked: the totals do not compare, since their findings count in the earlier report only`);
    if (gained.length > 0) warnings.push(`${b.file} has a verdict for ${gained.join(', ')}, which ${a.file} had none for: the totals do not compare, since their findings count in the later report only`);
    if (a.report.tool.version !== b.report.tool.version) {
      warnings.push(`${a.file} was written by posture-lint ${a.report.tool.version}, ${b.file} by ${b.report.tool.version}: rules of the same id may check differently`);
    }
    if (a.report.schemaVersion !== b.report.schemaVersion) {
      warnings.push(`${a.file} is report format ${a.report.schemaVersion}, ${b.file} ${b.report.schemaVersion}: controls and subscriptions exist only in format 1.1 and later`);
    }
  }
  for (const r of reports) {
    if (r.report.summary.diagnostics.error > 0) warnings.push(`${r.file} records ${plural(r.report.summary.diagnostics.error, 'error')} in its inputs or rules: its counts rest on unusable data`);
  }
}

function failingByRule(report: Report): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of report.findings) if (f.suppression === undefined) out.set(f.ruleId, (out.get(f.ruleId) ?? 0) + 1);
  return out;
}

/**
 * Findings told apart by fingerprint and by whether they fail the run: a finding a waiver or the
 * baseline took out of the failing count is still in the estate, so it is neither fixed nor new.
 */
/** A report's fingerprints, failing and suppressed: each report is compared with its neighbours on both sides. */
interface Fingerprints {
  failing: ReadonlySet<string>;
  suppressed: ReadonlySet<string>;
}

function fingerprintsOf(report: Report): Fingerprints {
  const failing = new Set<string>();
  const suppressed = new Set<string>();
  for (const f of report.findings) (f.suppression === undefined ? failing : suppressed).add(f.fingerprint);
  return { failing, suppressed };
}

function change(a: Report, b: Report, fa: Fingerprints, fb: Fingerprints, from: number, to: number): Change {
  const sb = new Map(b.rules.map((r) => [r.id, r.status]));
  const ref = (f: Report['findings'][number]): FindingRef => ({ ruleId: f.ruleId, fingerprint: f.fingerprint, resource: f.resource });
  const [failingA, failingB, suppressedA, suppressedB] = [fa.failing, fb.failing, fa.suppressed, fb.suppressed];
  const fixed: FindingRef[] = [];
  const suppressed: FindingRef[] = [];
  const noLongerChecked: FindingRef[] = [];
  for (const f of a.findings) {
    if (f.suppression !== undefined || failingB.has(f.fingerprint)) continue;
    (suppressedB.has(f.fingerprint) ? suppressed : ran(sb.get(f.ruleId)) ? fixed : noLongerChecked).push(ref(f));
  }
  // A finding of a rule the earlier report ran without a verdict was not seen before: still new.
  const fresh: FindingRef[] = [];
  const unsuppressed: FindingRef[] = [];
  for (const f of b.findings) {
    if (f.suppression !== undefined || failingA.has(f.fingerprint)) continue;
    (suppressedA.has(f.fingerprint) ? unsuppressed : fresh).push(ref(f));
  }
  const byRule = (x: FindingRef, y: FindingRef) => cmp(x.ruleId, y.ruleId) || cmp(x.resource.id, y.resource.id);
  return {
    from,
    to,
    fixed: fixed.sort(byRule),
    new: fresh.sort(byRule),
    suppressed: suppressed.sort(byRule),
    unsuppressed: unsuppressed.sort(byRule),
    noLongerChecked: noLongerChecked.sort(byRule),
  };
}

export function trend(input: readonly ReadReport[], framework?: Framework): Trend {
  const warnings: string[] = [];
  const reports = order(input, warnings);
  comparability(reports, warnings);
  const points: TrendPoint[] = reports.map(({ file, report }) => ({
    file,
    ...(report.snapshot.takenAt !== undefined ? { takenAt: report.snapshot.takenAt } : {}),
    toolVersion: report.tool.version,
    schemaVersion: report.schemaVersion,
    failing: report.summary.findings,
    errors: report.summary.diagnostics.error,
  }));
  const titles = new Map<string, string>();
  for (const { report } of reports) for (const r of report.rules) if (!titles.has(r.id)) titles.set(r.id, r.title);
  const counts = reports.map(({ report }) => ({ failing: failingByRule(report), status: new Map(report.rules.map((r) => [r.id, r.status])) }));
  const rules: RuleSeries[] = [...titles.keys()].sort(cmp).map((id) => ({
    id,
    title: titles.get(id)!,
    failing: counts.map((c) => (ran(c.status.get(id)) ? (c.failing.get(id) ?? 0) : null)),
  }));
  const fingerprints = reports.map(({ report }) => fingerprintsOf(report));
  const changes = reports.slice(1).map((r, i) => change(reports[i].report, r.report, fingerprints[i], fingerprints[i + 1], i, i + 1));
  const out: Trend = { trendVersion: TREND_VERSION, points, rules, changes, warnings };
  if (framework) {
    const mapped = reports.map(({ report }) => report.rules.some((r) => r.controls !== undefined));
    const assessed = reports.map(({ report }, i) => (mapped[i] ? assessCompliance(report, framework) : undefined));
    out.framework = { key: framework.key, name: framework.name, version: framework.version };
    out.controls = framework.controls.map((c, k) => ({
      id: c.id,
      title: c.title,
      status: assessed.map((a) => (a ? a.controls[k].status : null)),
      failing: assessed.map((a) => (a && (a.controls[k].status === 'not-met' || a.controls[k].status === 'met' || a.controls[k].status === 'partial') ? a.controls[k].resources.failing : null)),
    }));
    const unmapped = reports.filter((_, i) => !mapped[i]).map((r) => r.file);
    if (unmapped.length > 0) warnings.push(`${unmapped.join(', ')} carry no control mappings (report format 1.0, or rules that declare none): their controls are shown as unknown`);
  }
  return out;
}
