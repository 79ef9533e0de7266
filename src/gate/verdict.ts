/**
 * The gate's verdict: judged once, when the report is built, from the findings, the rules'
 * outcomes, the diagnostics and the gate settings. The exit code and every format read it from the
 * report, so a log line, a PR comment and the exit code can never tell different stories.
 */
import { plural } from '../words';
import { severityRank, type Finding, type GateSettings, type GateVerdict, type Summary } from '../report/model';

export const DEFAULT_GATE: GateSettings = { failOn: 'low', maxFindings: 0, strict: false };

/**
 * Exit 2 when anything is unusable (an error diagnostic) or, with strict, a rule was not
 * evaluated; else 1 when more unsuppressed findings at or above the threshold than tolerated;
 * else 0. The line says which, with the counts the verdict rests on.
 */
export function judge(findings: readonly Finding[], summary: Summary, settings: GateSettings): GateVerdict {
  const threshold = severityRank(settings.failOn);
  let failing = 0;
  let waived = 0;
  let baselined = 0;
  let belowThreshold = 0;
  for (const f of findings) {
    if (severityRank(f.severity) < threshold) belowThreshold++;
    else if (f.suppression?.kind === 'waiver') waived++;
    else if (f.suppression?.kind === 'baseline') baselined++;
    else failing++;
  }
  const errors = summary.diagnostics.error;
  const { notEvaluated, checkedNothing } = summary.rules;
  const strictFails = settings.strict && notEvaluated > 0;
  const tooMany = failing > settings.maxFindings;
  const exitCode: 0 | 1 | 2 = errors > 0 || strictFails ? 2 : tooMany ? 1 : 0;
  const status = errors > 0 ? 'error' : exitCode === 0 ? 'passed' : 'failed';

  const counted =
    `${failing === 0 ? 'no' : failing} finding${failing === 1 ? '' : 's'} at or above ${settings.failOn}` +
    (settings.maxFindings > 0 ? (tooMany ? `, more than the ${settings.maxFindings} tolerated` : `, ${settings.maxFindings} tolerated`) : '');
  const uncounted = [waived > 0 && `${waived} waived`, baselined > 0 && `${baselined} baselined`, belowThreshold > 0 && `${belowThreshold} below ${settings.failOn}`].filter(Boolean);
  const clauses: string[] = [];
  // The reason the verdict rests on comes first.
  if (errors > 0) clauses.push(`${plural(errors, 'error')} in the inputs, rules or gate settings`);
  if (strictFails) clauses.push(`--strict: ${plural(notEvaluated, 'rule')} not evaluated`);
  clauses.push(counted + (uncounted.length > 0 ? ` (not counted: ${uncounted.join(', ')})` : ''));
  if (notEvaluated > 0 && !strictFails) clauses.push(`${plural(notEvaluated, 'rule')} not evaluated${settings.strict ? '' : ' (--strict fails on them)'}`);
  if (checkedNothing > 0) clauses.push(`${plural(checkedNothing, 'rule')} checked nothing`);
  const line = `Gate: ${status === 'passed' ? 'PASSED' : status === 'failed' ? 'FAILED' : 'ERROR'} (exit ${exitCode}) — ${clauses.join('; ')}`;
  return { ...settings, status, exitCode, failing, waived, baselined, belowThreshold, notEvaluated, checkedNothing, errors, line };
}
