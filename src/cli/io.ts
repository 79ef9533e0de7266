/** What commands need from the process, passed in so commands stay testable and never exit. */
import type { Diagnostic } from '../diagnostics';
import { diagnosticWhere, printable, terminalText } from '../report/text';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Output a formatter made safe itself (stylish's colours, github's workflow commands): written as it is. */
  styled?: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour by default). */
  isTTY: boolean;
  /** Whether stderr is a terminal (lint's progress line), and its width. */
  stderrIsTTY?: boolean;
  stderrColumns?: number;
  /** Writes stderr as it is: only lint's progress line, which holds counts and its own erase sequence. */
  status?: (text: string) => void;
  /** Working directory (config discovery, relative paths). */
  cwd: string;
}

/**
 * The io every command gets: stdout and stderr pass through the one terminal sanitiser, so a rule
 * id, rule text, file name, config key or argument cannot drive the terminal whichever command
 * prints it; only `styled` (a formatter's coloured report) and `status` (the progress line, counts
 * and its erase sequence) are written as they are.
 */
export function terminalIo(io: CliIo): CliIo {
  return { ...io, stdout: (t) => io.stdout(terminalText(t)), stderr: (t) => io.stderr(terminalText(t)), styled: io.styled ?? io.stdout };
}

/** A mistake in the command line: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/**
 * `file:line:col  severity  message  code`, the one line shape for problems outside a report. The
 * file starts the line, so it is shown as one line's value: a file named `::error …::` is no
 * workflow command in a CI log.
 */
export function formatProblem(d: Diagnostic): string {
  return `${printable(diagnosticWhere(d)) || 'posture-lint'}  ${d.severity}  ${d.message}  ${d.code}`;
}

/** Prints error diagnostics to stderr; true when there was one. */
export function reportErrors(diagnostics: readonly Diagnostic[], io: CliIo): boolean {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.stderr(`${formatProblem(d)}\n`);
  return errors.length > 0;
}
