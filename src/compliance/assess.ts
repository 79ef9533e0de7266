/**
 * Each control of a framework judged from a report: the rules of the run that map to it (their
 * `controls`, carried in `report.rules`), their outcomes, and the resources that fail them, per
 * subscription. Pure: it reads the report only, so a report read back from JSON (trend) is judged
 * the same way as the run that wrote it.
 *
 * Fail closed: a control is met only when every rule behind it passed and one of them evidences
 * all of it; a rule behind it that was not evaluated or checked nothing, or any error in the run,
 * leaves it not assessed; a failed rule makes it not met even when waivers suppress the findings
 * (they are listed, as accepted risks, not compliance). A configuration file that weakens the rule
 * set (turns rules off, changes their parameters: a warning without --strict) leaves every control
 * its rules passed not assessed: the pull request being gated may have made them pass.
 */
import { cmp } from '../diagnostics';
import type { ComplianceReport, ControlRef, ControlResult, ControlStatus, Finding, Report, ResourceCounts, RuleResult } from '../report/model';
import type { Framework } from './frameworks';
import { plural } from '../words';
import { groupBy } from '../report/view';

const zero = (): ResourceCounts => ({ failing: 0, waived: 0, baselined: 0 });

type Outcome = 'failing' | 'waived' | 'baselined';

/** A resource with findings of several rules: failing if any fails the run, else waived if any is waived. */
function worse(a: Outcome | undefined, b: Outcome): Outcome {
  const rank: Record<Outcome, number> = { failing: 2, waived: 1, baselined: 0 };
  return a !== undefined && rank[a] >= rank[b] ? a : b;
}

function outcomeOf(f: Finding): Outcome {
  return f.suppression === undefined ? 'failing' : f.suppression.kind === 'waiver' ? 'waived' : 'baselined';
}

/** The code of lint's diagnostic for each configuration setting that weakens the gate (src/lint.ts). */
const WEAKENS_GATE = 'config-weakens-gate';

function statusOf(rules: readonly RuleResult[], errors: number, weakenings: number, anyFull: boolean): { status: ControlStatus; reason: string } {
  if (rules.length === 0) {
    // The report does not say which rules the configuration turned off, so any of them may be
    // this control's: "not covered" would let a pull request hide a failing control.
    return weakenings > 0
      ? { status: 'not-assessed', reason: `no rule of this run evidences it, and the configuration file weakens the rule set (${plural(weakenings, `${WEAKENS_GATE} warning`)}): a rule it turned off may be one that does` }
      : { status: 'not-covered', reason: 'no rule of this run evidences it' };
  }
  const failed = rules.filter((r) => r.status === 'failed');
  if (failed.length > 0) return { status: 'not-met', reason: `${plural(failed.length, 'rule')} failed: ${failed.map((r) => r.id).join(', ')}` };
  const unknown = rules.filter((r) => r.status === 'not-evaluated' || r.status === 'checked-nothing');
  if (unknown.length > 0) {
    return { status: 'not-assessed', reason: unknown.map((r) => `${r.id} ${r.status === 'not-evaluated' ? 'was not evaluated' : 'checked nothing'}`).join('; ') };
  }
  if (errors > 0) return { status: 'not-assessed', reason: `the run had ${plural(errors, 'error')} in its inputs, rules or gate settings, so no control is reported met` };
  if (weakenings > 0) {
    return { status: 'not-assessed', reason: `the configuration file weakens the rule set (${plural(weakenings, `${WEAKENS_GATE} warning`)}), so no control is reported met` };
  }
  return anyFull
    ? { status: 'met', reason: `${plural(rules.length, 'rule')} passed, at least one evidencing the whole control` }
    : { status: 'partial', reason: `${plural(rules.length, 'rule')} passed, but they evidence only part of the control` };
}

/** A rule of the run and its mapping to one control. */
type Mapping = { rule: RuleResult; ref: ControlRef };

/** What every control reads of the report, worked out once rather than per control. */
interface RunFacts {
  names: ReadonlyMap<string, string>;
  findingsOf: ReadonlyMap<string, readonly Finding[]>;
  mappingsOf: ReadonlyMap<string, readonly Mapping[]>;
  errors: number;
  weakenings: number;
}

function assessControl(control: Framework['controls'][number], run: RunFacts): ControlResult {
  const { names, findingsOf } = run;
  const mapped = run.mappingsOf.get(control.id) ?? [];
  const ruleIds = new Set(mapped.map((m) => m.rule.id));
  const { status, reason } = statusOf(
    mapped.map((m) => m.rule),
    run.errors,
    run.weakenings,
    mapped.some((m) => m.ref.coverage === 'full'),
  );
  // One outcome per resource (kind and id, ids case-folded as fingerprints fold them).
  const resources = new Map<string, { outcome: Outcome; subscriptionId?: string }>();
  const waivers = new Map<string, ControlResult['waivers'][number]>();
  for (const f of [...ruleIds].flatMap((id) => findingsOf.get(id) ?? [])) {
    const key = `${f.resource.kind}\u0000${f.resource.id.toLowerCase()}`;
    const prior = resources.get(key);
    resources.set(key, { outcome: worse(prior?.outcome, outcomeOf(f)), subscriptionId: prior?.subscriptionId ?? f.subscriptionId });
    const s = f.suppression;
    if (s?.kind === 'waiver') {
      const wkey = JSON.stringify([f.ruleId, s.source, s.owner, s.justification, s.expires]);
      const w = waivers.get(wkey) ?? {
        ruleId: f.ruleId,
        source: s.source,
        ...(s.owner !== undefined ? { owner: s.owner } : {}),
        ...(s.justification !== undefined ? { justification: s.justification } : {}),
        ...(s.expires !== undefined ? { expires: s.expires } : {}),
        findings: 0,
      };
      w.findings++;
      waivers.set(wkey, w);
    }
  }
  const total = zero();
  const outside = zero();
  const bySub = new Map<string, ResourceCounts>();
  for (const r of resources.values()) {
    total[r.outcome]++;
    if (r.subscriptionId === undefined) outside[r.outcome]++;
    else {
      const row = bySub.get(r.subscriptionId) ?? zero();
      row[r.outcome]++;
      bySub.set(r.subscriptionId, row);
    }
  }
  return {
    id: control.id,
    title: control.title,
    section: control.section,
    source: control.source,
    status,
    reason,
    rules: mapped
      .map(({ rule, ref }) => ({ id: rule.id, coverage: ref.coverage, ...(ref.note !== undefined ? { note: ref.note } : {}), status: rule.status, failed: rule.failed }))
      .sort((a, b) => cmp(a.id, b.id)),
    resources: total,
    bySubscription: [...bySub.entries()]
      .map(([subscriptionId, counts]) => ({ subscriptionId, ...(names.has(subscriptionId) ? { name: names.get(subscriptionId) } : {}), ...counts }))
      .sort((a, b) => b.failing - a.failing || cmp(a.name ?? a.subscriptionId, b.name ?? b.subscriptionId) || cmp(a.subscriptionId, b.subscriptionId)),
    outsideSubscriptions: outside,
    waivers: [...waivers.values()].sort((a, b) => cmp(a.ruleId, b.ruleId) || cmp(a.owner ?? '', b.owner ?? '') || cmp(a.expires ?? '', b.expires ?? '')),
  };
}

/** The framework's controls, in its catalogue's order, each with its status in this report. */
export function assessCompliance(report: Report, framework: Framework): ComplianceReport {
  const names = new Map(report.coverage.filter((c) => c.name !== undefined).map((c) => [c.subscriptionId.toLowerCase(), c.name!]));
  // Findings by rule once, not a pass over every finding per control: estates have a million.
  const findingsOf = groupBy(report.findings, (f) => f.ruleId);
  // The framework's mappings by control, in the order of the report's rules.
  const mappingsOf = new Map<string, Mapping[]>();
  for (const rule of report.rules) {
    for (const ref of rule.controls ?? []) {
      if (ref.framework !== framework.key) continue;
      const list = mappingsOf.get(ref.id);
      if (list) list.push({ rule, ref });
      else mappingsOf.set(ref.id, [{ rule, ref }]);
    }
  }
  const weakenings = report.diagnostics.filter((d) => d.code === WEAKENS_GATE).length;
  const run: RunFacts = { names, findingsOf, mappingsOf, errors: report.summary.diagnostics.error, weakenings };
  const controls = framework.controls.map((c) => assessControl(c, run));
  const count = (s: ControlStatus) => controls.filter((c) => c.status === s).length;
  const { key, id, version, name, source, scope } = framework;
  return {
    framework: { key, id, version, name, source, scope },
    summary: { met: count('met'), partial: count('partial'), notMet: count('not-met'), notAssessed: count('not-assessed'), notCovered: count('not-covered') },
    controls,
  };
}
