/**
 * The library's main entry: snapshot folder + rule paths in, Report out. The CLI is a thin shell
 * around this; so are tests and other tools that embed posture-lint.
 */
import { cmp, compareDiagnostics, diagnostic, type Diagnostic } from './diagnostics';
import { evaluate, ruleNeeds } from './engine/evaluate';
import { coverage, COVERAGE_READS } from './engine/coverage';
import { planProjection, type FieldRead, type Projection } from './snapshot/projection';
import type { CompiledRule } from './rules/types';
import { resolve } from 'node:path';
import { loadSnapshot, type ExportFile } from './snapshot/load';
import { EXPORT_KINDS } from './snapshot/kinds';
import { SELF_COLLECTIONS } from './snapshot/self';
import { sortFindings, summarize } from './report/summary';
import type { Finding, GateSettings, Report, RuleMeta, RuleResult } from './report/model';
import { judge } from './gate/verdict';
import { checkScopeRequirements } from './gate/requirements';
import { gateSettings, thresholdWeakenings } from './gate/weakenings';
import { packageVersion } from './paths';
import { loadConfiguredRules } from './rules/select';
import type { Config } from './config';
import { applyWaivers, loadWaivers } from './gate/waivers';
import { applyBaseline, loadBaseline } from './gate/baseline';
import type { Snapshot } from './snapshot/types';
import { newestObservation } from './snapshot/timestamps';
import { CLOCK_SKEW_MS } from './time';
import { SUBSCRIPTION_READS, subscriptionLocator } from './engine/subscriptions';
import { resolveFramework, unknownFramework, type Framework } from './compliance/frameworks';
import { assessCompliance } from './compliance/assess';
import { REPORT_SCHEMA_VERSION } from './report/model';
import type { ProgressSink } from './progress';

export interface LintOptions {
  /** Snapshot folder. */
  snapshot: string;
  /** Which built-in rules run: a rule set name, `name@version`, `all` or `none` (default recommended). */
  ruleset?: string;
  /** Rule files or folders to run besides the built-in rules of the rule set. */
  rules?: string[];
  /** Manifest path, when not `snapshot.yaml` in the folder. */
  manifest?: string;
  /** Evaluation time; defaults to the manifest's `takenAt`, else the current time. */
  now?: Date;
  /** The configuration file's settings (see loadConfig); options above override it. */
  config?: Config;
  /** Waivers file: accepted risks that do not fail the run until they expire. */
  waivers?: string;
  /** Baseline file: known findings that do not fail the run. */
  baseline?: string;
  /** Folder relative paths (snapshot, manifest, rules, waivers, baseline) are resolved against (default: the process's working directory). */
  cwd?: string;
  /** The snapshot's export files, when the caller has listed them (listExportFiles): the folder is not listed again. */
  files?: readonly ExportFile[];
  /** Gate settings given by the caller (the command line): they win over the configuration file's. */
  gate?: GateOptions;
  /** Frameworks to report compliance with: `mcsb`, `cis-azure@2.0.0`, … (see frameworks/). */
  frameworks?: string[];
  /**
   * Keep every record whole instead of only the fields the rules read: the same run without the
   * projection, for tests that prove it changes nothing in a report.
   */
  wholeRecords?: boolean;
  /** Told how far the run has got (files, bytes, records, rules): a progress display, never the report. */
  progress?: ProgressSink;
}

/** Gate settings a caller may give; each one left out comes from the configuration file, else the default. */
export type GateOptions = Partial<GateSettings>;

export interface LintResult {
  report: Report;
  rules: Map<string, RuleMeta>;
}

/** Every collection a rule may name: the export kinds and the snapshot's description of itself. */
export const COLLECTIONS: ReadonlySet<string> = new Set([...EXPORT_KINDS.map((k) => k.id), ...SELF_COLLECTIONS]);

function evaluationTime(snapshot: Snapshot, explicit: Date | undefined, diagnostics: Diagnostic[]): { now: number; source: string } {
  if (explicit) return { now: explicit.getTime(), source: '--now' };
  const t = snapshot.takenAt ? Date.parse(snapshot.takenAt) : NaN;
  if (!Number.isNaN(t)) return { now: t, source: 'takenAt in the snapshot manifest' };
  diagnostics.push(
    diagnostic('note', 'no-taken-at', 'the snapshot has no takenAt (snapshot.yaml): ages are measured from the current time, so reports may differ from day to day'),
  );
  return { now: Date.now(), source: 'the current time' };
}

/**
 * Data newer than the evaluation time (beyond the clock skew) means the time is wrong or the data
 * is: either way every age is measured short and expired waivers look alive, so it is an error.
 */
function checkDataNotNewer(snapshot: Snapshot, now: number, source: string): Diagnostic[] {
  const newest = newestObservation(snapshot);
  if (!newest || newest.time <= now + CLOCK_SKEW_MS) return [];
  const hours = Math.round((newest.time - now) / 360_000) / 10;
  return [
    diagnostic(
      'error',
      'data-after-snapshot-time',
      `${newest.collection} ${newest.field} ${String(newest.value)} is ${hours} hours after the evaluation time ${new Date(now).toISOString()} (${source}): ` +
        'a snapshot cannot hold data observed after it was taken, and ages measured from too early a time look younger than they are (expired waivers too). ' +
        'Set takenAt to when the export finished, or correct the record.',
      { file: newest.file, pointer: newest.pointer },
    ),
  ];
}

/**
 * What the loader keeps of each record: what the selected rules, the coverage report and the
 * subscription of each finding (for compliance) read. A
 * rule whose reads were not worked out keeps every collection it names whole.
 */
export function projectionFor(rules: readonly CompiledRule[]): Projection {
  const reads: FieldRead[] = [...COVERAGE_READS, ...SUBSCRIPTION_READS];
  for (const rule of rules) {
    if (rule.reads !== undefined) reads.push(...rule.reads);
    else for (const collection of ruleNeeds(rule)) reads.push({ collection, path: [], whole: true });
  }
  return planProjection(reads);
}

/** A rule's result with how to fix its findings, so every format can say it. */
function withRemediation(result: RuleResult, meta: RuleMeta | undefined): RuleResult {
  return { ...result, ...(meta?.fix ? { fix: meta.fix } : {}), ...(meta?.remediation ? { remediation: meta.remediation } : {}) };
}

/** One finding per rule, resource and message, even when records repeat across pages. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.ruleId, f.resource.kind, f.resource.id.toLowerCase(), f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The catalogues named; an unknown name is an error, never a silently empty compliance section. */
function chosenFrameworks(names: readonly string[], diagnostics: Diagnostic[]): Framework[] {
  const out: Framework[] = [];
  for (const name of names) {
    const f = resolveFramework(name);
    if (f) {
      if (!out.includes(f)) out.push(f);
    } else diagnostics.push(diagnostic('error', 'framework-unknown', unknownFramework(name)));
  }
  return out;
}

export async function lint(options: LintOptions): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadConfiguredRules({ collections: COLLECTIONS, ruleset: options.ruleset, rules: options.rules, config: options.config, cwd });
  const rules = loaded.rules;
  const snapshot = await loadSnapshot(resolve(cwd, options.snapshot), {
    ...(options.manifest ? { manifest: resolve(cwd, options.manifest) } : {}),
    ...(options.files ? { files: options.files } : {}),
    ignore: options.config?.ignore ?? [],
    ...(options.wholeRecords === true ? {} : { projection: projectionFor(rules) }),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const diagnostics = [...snapshot.diagnostics, ...loaded.diagnostics];
  const commandLine = { ruleset: options.ruleset, rules: options.rules, ...options.gate };
  const settings = gateSettings(options.config, commandLine);
  if (options.config) {
    const { file } = options.config;
    for (const w of [...loaded.weakenings, ...thresholdWeakenings(options.config, commandLine)]) {
      const message = `${w.message}${settings.strict ? ' (with --strict the configuration file may not weaken the gate)' : ' (--strict fails on this)'}`;
      diagnostics.push(diagnostic(settings.strict ? 'error' : 'warning', 'config-weakens-gate', message, { file, position: w.position }));
    }
  }
  const { now, source } = evaluationTime(snapshot, options.now, diagnostics);
  diagnostics.push(...checkDataNotNewer(snapshot, now, source));
  const { results, findings, diagnostics: budgetProblems } = evaluate(rules, snapshot, now, undefined, options.progress);
  diagnostics.push(...budgetProblems, ...checkScopeRequirements(snapshot.minChecked ?? [], results));
  const sortedFindings = sortFindings(dedupe(findings));
  const subscriptionOf = subscriptionLocator(snapshot);
  for (const f of sortedFindings) {
    const sub = subscriptionOf(f.resource);
    if (sub !== undefined) f.subscriptionId = sub;
  }
  const chosen = chosenFrameworks(options.frameworks ?? [], diagnostics);
  if (options.waivers) {
    const w = await loadWaivers(options.waivers, cwd);
    diagnostics.push(...w.diagnostics, ...applyWaivers(sortedFindings, w.waivers, w.source, now, rules.map((r) => r.meta.id)));
  }
  let baselineInfo: Report['baseline'];
  if (options.baseline) {
    const b = await loadBaseline(options.baseline, cwd);
    diagnostics.push(...b.diagnostics);
    if (b.baseline) baselineInfo = { file: b.source, fixed: applyBaseline(sortedFindings, b.baseline, b.source) };
  }
  diagnostics.sort(compareDiagnostics);
  const metaById = new Map(rules.map((r) => [r.meta.id, r.meta]));
  const summary = summarize(results, sortedFindings, diagnostics);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'posture-lint', version: packageVersion() },
    snapshot: {
      path: options.snapshot,
      ...(snapshot.takenAt !== undefined ? { takenAt: snapshot.takenAt } : {}),
      files: snapshot.files.map((f) => ({ file: f.file, kinds: f.kinds, records: f.records })).sort((a, b) => cmp(a.file, b.file)),
      facts: [...snapshot.facts.values()]
        .map((f) => ({ name: f.name, declared: f.declared, ...(f.value !== undefined ? { value: f.value } : {}), ...(f.conflicting ? { conflicting: f.conflicting } : {}) }))
        .sort((a, b) => cmp(a.name, b.name)),
    },
    summary,
    rules: results.map((r) => {
      const meta = metaById.get(r.id);
      const controls = meta?.controls;
      const result = withRemediation(r, meta);
      return controls && controls.length > 0 ? { ...result, controls } : result;
    }),
    findings: sortedFindings,
    diagnostics,
    gate: judge(sortedFindings, summary, settings),
    coverage: coverage(snapshot),
    ...(baselineInfo ? { baseline: baselineInfo } : {}),
  };
  if (chosen.length > 0) report.compliance = chosen.map((f) => assessCompliance(report, f));
  return { report, rules: metaById };
}

/**
 * 0 clean, 1 more failing findings (unsuppressed, at or above the threshold) than tolerated,
 * 2 unusable input, rules or gate settings (or, with strict, unchecked rules): the verdict the
 * report carries (see src/gate/verdict.ts).
 */
export function exitCode(report: Report): 0 | 1 | 2 {
  return report.gate.exitCode;
}
