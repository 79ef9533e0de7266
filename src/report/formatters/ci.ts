/**
 * What the CI formats (sarif, junit, github) say alike: the level a severity maps to, the words for
 * a finding, a not-evaluated rule and a suppression, which files lie in the snapshot folder, and
 * text made safe to show.
 */
import * as path from 'node:path';
import { cmp } from '../../diagnostics';
import { severityRank, type FormatContext, type Finding, type Report, type RuleResult, type Severity, type Suppression } from '../model';

export type CiLevel = 'error' | 'warning' | 'note';

/** critical and high are errors, medium a warning, low and info a note (SARIF's and GitHub's scale). */
export function ciLevel(severity: Severity): CiLevel {
  const rank = severityRank(severity);
  return rank >= severityRank('high') ? 'error' : rank === severityRank('medium') ? 'warning' : 'note';
}

/** The finding's message with the resource it is about, which the message alone may not name. */
export function findingText(f: Finding): string {
  return `${f.message} (${f.resource.id})`;
}

/** `not evaluated: needs <inputs the snapshot lacks, else all it reads> (<reason>)`. */
export function notEvaluatedText(rule: RuleResult): string {
  const missing = rule.missing ?? [];
  const needs = (missing.length > 0 ? missing : rule.needs).join(', ');
  return `not evaluated: needs ${needs}${rule.reason ? ` (${rule.reason})` : ''}`;
}

/** `checked nothing: no record of <what it reads> was in its scope`. */
export function checkedNothingText(rule: RuleResult): string {
  return `checked nothing: no record of ${rule.needs.join(', ')} was in its scope, so it proves nothing`;
}

/** `waived: <justification> (owner …, expires …; <waivers file>)` or `baseline: …`. */
export function suppressionText(s: Suppression): string {
  if (s.kind === 'baseline') return `baseline: known finding recorded in ${s.source}`;
  const details = [s.owner && `owner ${s.owner}`, s.expires && `expires ${s.expires}`].filter(Boolean).join(', ');
  return `waived: ${s.justification ?? 'no justification given'} (${details ? `${details}; ` : ''}${s.source})`;
}

/** Rules sorted by id, plus a bare entry for any rule that has findings but no result. */
export function rulesOf(report: Report): RuleResult[] {
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  for (const f of report.findings) {
    if (!rules.has(f.ruleId)) {
      rules.set(f.ruleId, { id: f.ruleId, title: f.ruleId, severity: f.severity, status: 'failed', evaluated: 0, passed: 0, failed: 0, needs: [] });
    }
  }
  return [...rules.values()].sort((a, b) => cmp(a.id, b.id));
}

/** The manifest's default name: its diagnostics name it relative to the snapshot folder. */
const MANIFEST = 'snapshot.yaml';
/** Diagnostics about files in the snapshot folder that are neither exports nor its manifest (stray manifests): named relative to the folder too. */
const ABOUT_SNAPSHOT_FILES = new Set(['manifest-misnamed', 'manifest-nested']);

/**
 * Whether a finding location or diagnostic file is a file in the snapshot folder (its path is then
 * relative to that folder). Rule, waiver and baseline files are not; neither is the `snapshot`
 * pseudo-file that locates records of the snapshot's description of itself.
 */
export function snapshotFiles(report: Report): (file: string) => boolean {
  const files = new Set(report.snapshot.files.map((f) => f.file));
  for (const d of report.diagnostics) if (d.file !== undefined && ABOUT_SNAPSHOT_FILES.has(d.code)) files.add(d.file);
  return (file) => files.has(file) || file === MANIFEST;
}

/**
 * A snapshot file's path from the repository root, where GitHub resolves SARIF locations and
 * annotation files: below the snapshot folder's place in the repository when the CLI found it, else
 * below the folder as given on the command line (right when the job runs at the repository root).
 */
export function repositoryPath(report: Report, context: FormatContext): (file: string) => string {
  const folder = context.snapshotInRepository ?? report.snapshot.path.split(path.sep).join('/');
  return (file) => path.posix.join(folder, file);
}

/**
 * A diagnostic's file from the repository root: a snapshot file below the snapshot folder; a rule,
 * waiver or baseline file, named from the working directory, below the working directory's place
 * in the repository. As given when that place is unknown or the file lies outside the repository.
 */
export function diagnosticPath(report: Report, context: FormatContext): (file: string) => string {
  const inSnapshot = snapshotFiles(report);
  const inRepository = repositoryPath(report, context);
  const cwd = context.workingDirectoryInRepository;
  return (file) => {
    if (inSnapshot(file)) return inRepository(file);
    if (cwd === undefined || path.posix.isAbsolute(file) || /^[A-Za-z]:\//.test(file)) return file;
    const joined = path.posix.join(cwd, file);
    return joined === '..' || joined.startsWith('../') ? file : joined;
  };
}
