/**
 * The one finding model shared by the engine and every formatter. Formatters import this file
 * and nothing else from the engine.
 */
import type { Diagnostic } from '../diagnostics';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export interface ResourceRef {
  /** Collection the resource was read from, e.g. `mde.machines`. */
  kind: string;
  /** Stable identity: ARM id, MDE machine id, or the scope for grouped rules. */
  id: string;
  name?: string;
}

export interface Location {
  file: string;
  pointer: string;
}

/** Why a finding does not fail the run: an accepted risk (waiver) or a known finding (baseline). */
export interface Suppression {
  kind: 'waiver' | 'baseline';
  /** The waivers or baseline file. */
  source: string;
  justification?: string;
  owner?: string;
  /** Waiver expiry date (YYYY-MM-DD). */
  expires?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  resource: ResourceRef;
  locations: Location[];
  /**
   * Stable identity of the finding: rule id + resource identity, independent of file names,
   * positions, record order, id casing and timestamps, so re-exports of an unchanged estate keep
   * it (SARIF partialFingerprints, baselines).
   */
  fingerprint: string;
  /**
   * The subscription the resource lies in (lower case), when it can be told: from an ARM id, or a
   * Defender for Endpoint device's VM metadata. Absent for tenant-wide resources and devices that
   * are not Azure VMs.
   */
  subscriptionId?: string;
  suppression?: Suppression;
}

/** How the run is gated: from the command line, else the configuration file, else the defaults. */
export interface GateSettings {
  /** Lowest severity that fails the run (default low). */
  failOn: Severity;
  /** Failing findings tolerated before the run fails (default 0). */
  maxFindings: number;
  /** Rules not evaluated, and a configuration that weakens the rule set, fail the run (exit 2). */
  strict: boolean;
}

/**
 * The gate's verdict, judged once when the report is built so that every format and the exit code
 * tell the same story.
 */
export interface GateVerdict extends GateSettings {
  /** `error`: the inputs, rules or gate settings are unusable; `failed`: exit 1, or 2 with --strict. */
  status: 'passed' | 'failed' | 'error';
  exitCode: 0 | 1 | 2;
  /** Findings at or above failOn that are not suppressed: what the gate counts. */
  failing: number;
  /** Findings at or above failOn that a waiver or the baseline suppressed: not counted. */
  waived: number;
  baselined: number;
  /** Findings below failOn: reported, not counted. */
  belowThreshold: number;
  notEvaluated: number;
  checkedNothing: number;
  errors: number;
  /** One line: the verdict, the threshold, the counts and why the run failed or passed. */
  line: string;
}

/** Defender coverage of one subscription, for the HTML report's charts. */
export interface CoverageRow {
  subscriptionId: string;
  name?: string;
  /** Servers in the subscription: Azure VMs, scale-set instances and Arc-enabled servers. */
  vms: number;
  /** Servers with an onboarded (live or excluded) Defender for Endpoint device. */
  onboarded: number;
  /** Of those devices, how many show antivirus real-time protection on. */
  realTimeProtection: number;
  /** Of those devices, how many are in a device group (not the default one). */
  inDeviceGroup: number;
}

/**
 * `checked-nothing`: the rule ran on the inputs it needs but no record was in its scope (an empty
 * export, or a `where` that no record matched), so it proves nothing; it is never a pass.
 */
export type RuleStatus = 'passed' | 'failed' | 'checked-nothing' | 'not-evaluated';

/** One control a rule evidences: a rule file's `controls` entry. */
export interface ControlRef {
  /** The framework version, `<id>@<version>` as under frameworks/: `mcsb@v1`, `cis-azure@3.0.0`. */
  framework: string;
  /** The framework's own control id: `ES-2`, `3.1.3.3`, `SI-3`. */
  id: string;
  /** `partial`: the rule evidences only part of the control, so it alone never makes it met. */
  coverage: 'full' | 'partial';
  note?: string;
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  rationale?: string;
  remediation?: string;
  /** One line: how to fix a finding (the rule's `fix`, else its remediation's first sentence). */
  fix?: string;
  references: string[];
  tags: string[];
  /** The framework controls the rule evidences; undefined when its file has no `controls`. */
  controls?: ControlRef[];
  /** Rule file, relative to its rules root. */
  file: string;
}

export interface RuleResult {
  id: string;
  /** The framework controls the rule evidences (absent for rules that declare none). */
  controls?: ControlRef[];
  title: string;
  severity: Severity;
  status: RuleStatus;
  /** Records (or groups) the assertion was checked on. */
  evaluated: number;
  passed: number;
  failed: number;
  /** Collections and facts the rule reads. */
  needs: string[];
  /** For `not-evaluated`: which needed inputs the snapshot lacks, and why. */
  missing?: string[];
  reason?: string;
  /** How to fix a finding: one line, and the rule's full remediation. */
  fix?: string;
  remediation?: string;
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

export interface Summary {
  /** Findings that fail the run (not suppressed). */
  findings: number;
  /** Findings suppressed by a waiver or the baseline. */
  suppressed: number;
  bySeverity: SeverityCounts;
  rules: { total: number; passed: number; failed: number; checkedNothing: number; notEvaluated: number };
  diagnostics: { error: number; warning: number; note: number };
}

export interface SnapshotInfo {
  /** The snapshot folder as given on the command line. */
  path: string;
  /** When the export was taken (the manifest's takenAt), when the snapshot says; trend orders reports by it. */
  takenAt?: string;
  files: { file: string; kinds: string[]; records: number }[];
  facts: { name: string; value?: string; declared: boolean; conflicting?: string[] }[];
}

/**
 * `met`: every rule behind the control passed and at least one evidences all of it; `partial`: every
 * rule behind it passed but they evidence only part of it; `not-met`: a rule behind it failed (even
 * if waivers suppress its findings); `not-assessed`: a rule behind it was not evaluated or checked
 * nothing, or the run had errors; `not-covered`: no rule that ran maps to it.
 */
export type ControlStatus = 'met' | 'partial' | 'not-met' | 'not-assessed' | 'not-covered';
export const CONTROL_STATUSES: readonly ControlStatus[] = ['not-met', 'not-assessed', 'partial', 'met', 'not-covered'];

/** Resources that fail a control's rules, told apart by what happens to their findings. */
export interface ResourceCounts {
  /** Resources with at least one finding that fails the run. */
  failing: number;
  /** Resources whose findings are all suppressed, at least one by a waiver. */
  waived: number;
  /** Resources whose findings are all suppressed by the baseline. */
  baselined: number;
}

export interface ControlResult {
  id: string;
  title: string;
  section: string;
  source: string;
  status: ControlStatus;
  /** Why, in one line. */
  reason: string;
  /** The rules of the run that map to the control, by id. */
  rules: { id: string; coverage: 'full' | 'partial'; note?: string; status: RuleStatus; failed: number }[];
  resources: ResourceCounts;
  /** The same counts per subscription, subscriptions with failing resources first. */
  bySubscription: (ResourceCounts & { subscriptionId: string; name?: string })[];
  /** Failing resources in no subscription: tenant-wide settings, principals, devices that are not Azure VMs. */
  outsideSubscriptions: ResourceCounts;
  /** The waivers that suppress findings of the control's rules, with how many findings each. */
  waivers: { ruleId: string; source: string; owner?: string; justification?: string; expires?: string; findings: number }[];
}

/** One framework's controls with their status in this run (`lint --framework`). */
export interface ComplianceReport {
  framework: { key: string; id: string; version: string; name: string; source: string; scope: string };
  summary: { met: number; partial: number; notMet: number; notAssessed: number; notCovered: number };
  controls: ControlResult[];
}

export const REPORT_SCHEMA_VERSION = '1.1';

export interface Report {
  /**
   * Version of this report format: the minor part grows when fields are added (1.1 added
   * snapshot.takenAt, rules[].controls, findings[].subscriptionId and compliance), the major part
   * when a field is removed, renamed or changes meaning.
   */
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'posture-lint'; version: string };
  snapshot: SnapshotInfo;
  summary: Summary;
  rules: RuleResult[];
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** The verdict the exit code follows. */
  gate: GateVerdict;
  /** Per-subscription Defender coverage (empty when the snapshot has no subscriptions). */
  coverage: CoverageRow[];
  /** Set when a baseline was given: findings it knew that are gone now. */
  baseline?: { file: string; fixed: { ruleId: string; resource: ResourceRef; fingerprint: string }[] };
  /** Set with `--framework`: per framework, each control's status. */
  compliance?: ComplianceReport[];
}

/** What a formatter may read besides the report: rule metadata, keyed by id. */
export interface FormatContext {
  rules: ReadonlyMap<string, RuleMeta>;
  color: boolean;
  /**
   * The snapshot folder's path from the repository root (`/`-separated, `''` for the root), when
   * known. GitHub resolves SARIF locations and annotation files from the repository root; without
   * it, formatters name files through the snapshot folder as it was given.
   */
  snapshotInRepository?: string;
  /** The working directory's path from the repository root, when inside it: rule, waiver and baseline files are named from it. */
  workingDirectoryInRepository?: string;
  /** SARIF: keep waived and baselined findings as results marked suppressed (default: leave them out). */
  includeSuppressed?: boolean;
  /** The frameworks of `--framework`, as given: SARIF puts their control ids first among a rule's tags. */
  frameworks?: string[];
}

export type Formatter = (report: Report, context: FormatContext) => string;
