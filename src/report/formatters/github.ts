/**
 * GitHub Actions workflow commands: printed in a job's log, each line becomes an annotation on the
 * run (and on the file, when the snapshot is in the repository). The gate's verdict comes first.
 * GitHub keeps 10 error, 10 warning and 10 notice annotations per step and 50 per job, and drops the
 * rest without a word, so each level gets at most 10, the most severe first; one notice then says
 * how many more there are, and those follow as plain log lines, which are no commands.
 */
import { compareDiagnostics } from '../../diagnostics';
import { severityRank, type Formatter } from '../model';
import { sortFindings } from '../summary';
import { fromPieces } from './pieces';
import { checkedNothingText, ciLevel, diagnosticPath, findingText, notEvaluatedText, repositoryPath, rulesOf, snapshotFiles, type CiLevel } from './ci';
import { clip, MAX_SHOWN_CHARS, printable, visible } from '../text';

type Command = 'error' | 'warning' | 'notice';

const COMMAND: Readonly<Record<CiLevel, Command>> = { error: 'error', warning: 'warning', note: 'notice' };

/**
 * GitHub's annotation limits: "GitHub Actions are limited to 10 warning annotations and 10 error
 * annotations per step" (REST docs, Checks: create a check run), the same for notices, and 50
 * annotations per job. 3 × 10 per step stays within the 50 of a job.
 */
export const ANNOTATIONS = Object.freeze({ perLevelPerStep: 10, perJob: 50 });

// GitHub's escaping: `%` and line breaks in the message; also `:` and `,` in property values, which
// would otherwise end the value. Other control characters are shown, not sent to the log viewer.
function escapeData(text: string): string {
  return visible(clip(text, MAX_SHOWN_CHARS)).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Properties = Partial<Record<'file' | 'line' | 'col' | 'title', string | number>>;

interface Annotation {
  level: Command;
  /** Higher first within a level: problems that make the run unreliable, then by severity. */
  rank: number;
  properties: Properties;
  message: string;
}

function command(a: Annotation): string {
  const props = Object.entries(a.properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${a.level}${props ? ` ${props}` : ''}::${escapeData(a.message)}`;
}

/** A log line that is no workflow command: it starts with `posture-lint`, never with `::`. */
function logLine(a: Annotation): string {
  const where = [a.properties.file, a.properties.line, a.properties.col].filter((p) => p !== undefined).join(':');
  return printable(clip(`posture-lint ${a.level}: ${where ? `${where}: ` : ''}${a.properties.title ?? ''}: ${a.message}`, MAX_SHOWN_CHARS));
}

const LEVELS: readonly Command[] = ['error', 'warning', 'notice'];

/** Above everything a finding can rank: an input or rule error, then a rule that checked nothing. */
const DIAGNOSTIC_RANK = severityRank('critical') + 2;
const NOT_EVALUATED_RANK = severityRank('critical') + 1;

// In pieces, a line each: a million findings are more text than one string holds (pieces.ts).
export const github: Formatter = fromPieces(function* (report, context) {
  const inSnapshot = snapshotFiles(report);
  // Annotations attach to files by their path from the repository root.
  const inRepository = repositoryPath(report, context);
  const diagnosticFile = diagnosticPath(report, context);
  const annotations: Annotation[] = [];
  for (const f of sortFindings(report.findings)) {
    if (f.suppression) continue;
    // The `snapshot` pseudo-file (the snapshot's description of itself) is no file to annotate.
    const own = f.locations[0]?.file;
    const file = own !== undefined && inSnapshot(own) ? inRepository(own) : undefined;
    annotations.push({ level: COMMAND[ciLevel(f.severity)], rank: severityRank(f.severity), properties: { file, title: f.ruleId }, message: findingText(f) });
  }
  for (const r of rulesOf(report)) {
    if (r.status === 'not-evaluated') annotations.push({ level: 'notice', rank: NOT_EVALUATED_RANK, properties: { title: r.id }, message: `rule ${r.id} ${notEvaluatedText(r)}` });
    if (r.status === 'checked-nothing') annotations.push({ level: 'notice', rank: NOT_EVALUATED_RANK, properties: { title: r.id }, message: `rule ${r.id} ${checkedNothingText(r)}` });
  }
  for (const d of [...report.diagnostics].sort(compareDiagnostics)) {
    const file = d.file === undefined ? undefined : diagnosticFile(d.file);
    const rank = d.severity === 'error' ? DIAGNOSTIC_RANK : 0;
    annotations.push({ level: COMMAND[d.severity], rank, properties: { file, line: d.position?.line, col: d.position?.column, title: d.code }, message: d.message });
  }
  // The verdict the exit code follows comes first, and takes one place of its level: a viewer that
  // shows only so many annotations must still show it.
  const gate: Annotation = { level: report.gate.exitCode === 0 ? 'notice' : 'error', rank: 0, properties: { title: 'posture-lint gate' }, message: report.gate.line };
  const shown: Annotation[] = [gate];
  const rest: Annotation[] = [];
  const taken = (level: Command) => (gate.level === level ? 1 : 0);
  const overflow = LEVELS.some((level) => annotations.filter((a) => a.level === level).length + taken(level) > ANNOTATIONS.perLevelPerStep);
  for (const level of LEVELS) {
    // A stable sort: equal ranks keep report order.
    const ofLevel = annotations.filter((a) => a.level === level).sort((a, b) => b.rank - a.rank);
    // The notice that counts the rest takes the last notice place.
    const room = ANNOTATIONS.perLevelPerStep - taken(level) - (level === 'notice' && overflow ? 1 : 0);
    // Loops, not push(...): a million-device estate has more findings than a call takes arguments.
    for (const [i, a] of ofLevel.entries()) (i < room ? shown : rest).push(a);
  }
  for (const a of shown) yield `${command(a)}\n`;
  if (rest.length > 0) {
    const counts = LEVELS.map((level) => [level, rest.filter((a) => a.level === level).length] as const)
      .filter(([, n]) => n > 0)
      .map(([level, n]) => `${n} ${level}${n === 1 ? '' : 's'}`)
      .join(', ');
    const more: Annotation = {
      level: 'notice',
      rank: 0,
      properties: { title: 'posture-lint: more not annotated' },
      message:
        `${rest.length} more not annotated (${counts}): GitHub shows ${ANNOTATIONS.perLevelPerStep} annotations of each level per step. ` +
        `This step's log lists them after this line, and the json report holds them all.`,
    };
    yield `${command(more)}\n`;
    for (const a of rest) yield `${logLine(a)}\n`;
  }
});
