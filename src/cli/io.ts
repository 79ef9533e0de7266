/** What commands need from the process, passed in so commands stay testable and never exit. */
import type { Diagnostic } from '../diagnostics';
import { diagnosticWhere } from '../report/text';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour by default). */
  isTTY: boolean;
  /** Working directory (config discovery, relative paths). */
  cwd: string;
}

/** A mistake in the command line: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/** `file:line:col  severity  message  code`, the one line shape for problems outside a report. */
export function formatProblem(d: Diagnostic): string {
  return `${diagnosticWhere(d) || 'posture-lint'}  ${d.severity}  ${d.message}  ${d.code}`;
}

/** Prints error diagnostics to stderr; true when there was one. */
export function reportErrors(diagnostics: readonly Diagnostic[], io: CliIo): boolean {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.stderr(`${formatProblem(d)}\n`);
  return errors.length > 0;
}
