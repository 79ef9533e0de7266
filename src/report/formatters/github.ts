/**
 * GitHub Actions workflow commands: printed in a job's log, each line becomes an annotation on the
 * run (and on the file, when the snapshot is in the repository). The gate's verdict first, then one
 * line per finding that fails the run, per rule that could not run or checked nothing, and per
 * problem with the inputs or rules.
 */
import * as path from 'node:path';
import { compareDiagnostics } from '../../diagnostics';
import { sortFindings } from '../summary';
import type { Formatter } from '../model';
import { checkedNothingText, ciLevel, findingText, notEvaluatedText, rulesOf, snapshotFiles, type CiLevel } from './ci';
import { visible } from '../text';

type Command = 'error' | 'warning' | 'notice';

const COMMAND: Readonly<Record<CiLevel, Command>> = { error: 'error', warning: 'warning', note: 'notice' };

// GitHub's escaping: `%` and line breaks in the message; also `:` and `,` in property values, which
// would otherwise end the value. Other control characters are shown, not sent to the log viewer.
function escapeData(text: string): string {
  return visible(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Properties = Partial<Record<'file' | 'line' | 'col' | 'title', string | number>>;

function command(level: Command, properties: Properties, message: string): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export const github: Formatter = (report) => {
  const inSnapshot = snapshotFiles(report);
  // Annotations attach to files by their path from the repository root, where the job runs, so a
  // snapshot file is named through the snapshot folder as it was given.
  const inFolder = (file: string): string => path.posix.join(report.snapshot.path, file);
  // The verdict the exit code follows comes first: a viewer that shows only so many annotations
  // must still show it.
  const lines = [command(report.gate.exitCode === 0 ? 'notice' : 'error', { title: 'posture-lint gate' }, report.gate.line)];
  for (const f of sortFindings(report.findings)) {
    if (f.suppression) continue;
    // The `snapshot` pseudo-file (the snapshot's description of itself) is no file to annotate.
    const own = f.locations[0]?.file;
    const file = own !== undefined && inSnapshot(own) ? inFolder(own) : undefined;
    lines.push(command(COMMAND[ciLevel(f.severity)], { file, title: f.ruleId }, findingText(f)));
  }
  for (const r of rulesOf(report)) {
    if (r.status === 'not-evaluated') lines.push(command('notice', { title: r.id }, `rule ${r.id} ${notEvaluatedText(r)}`));
    if (r.status === 'checked-nothing') lines.push(command('notice', { title: r.id }, `rule ${r.id} ${checkedNothingText(r)}`));
  }
  for (const d of [...report.diagnostics].sort(compareDiagnostics)) {
    // Rule, waiver and baseline files are named as posture-lint was given them.
    const file = d.file === undefined ? undefined : inSnapshot(d.file) ? inFolder(d.file) : d.file;
    lines.push(command(COMMAND[d.severity], { file, line: d.position?.line, col: d.position?.column, title: d.code }, d.message));
  }
  return lines.map((l) => `${l}\n`).join('');
};
