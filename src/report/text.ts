/**
 * Showing untrusted text safely, for every format and every command's terminal output: a control
 * character, a character XML forbids or a bidi control in a resource name, a rule id or a file name
 * must neither break a report, drive a terminal (set its title, clear the screen, hide text), nor
 * reorder what a reviewer reads; such characters are shown as `\uXXXX` (a JSON escape too, so JSON
 * text stays the same JSON).
 */
import type { Diagnostic } from '../diagnostics';

export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** C0 and C1 controls but tab and line breaks, line and paragraph separators, non-characters, and every bidi control (marks U+200E, U+200F, U+061C; embeddings and overrides U+202A–U+202E; isolates U+2066–U+2069). */
const ALWAYS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff';
/** Keeps tab and line breaks, which multi-line formats (SARIF, JUnit, GitHub) escape their own way. */
const UNSAFE_MULTILINE = new RegExp(`[${ALWAYS}]|${LONE_SURROGATE.source}`, 'g');
/** Also escapes tab and line breaks, for one-line displays (terminal, tables). */
const UNSAFE_ONE_LINE = new RegExp(`[${ALWAYS}\\t\\n\\r]|${LONE_SURROGATE.source}`, 'g');
/** Keeps tab and line feeds, for what commands print: a carriage return could overwrite a line. */
const UNSAFE_TERMINAL = new RegExp(`[${ALWAYS}\\r]|${LONE_SURROGATE.source}`, 'g');

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * CI runners read commands out of a step's log: the Azure Pipelines agent finds `##vso[` anywhere
 * in a line of stdout or stderr (Microsoft Learn, "Logging commands"; the agent's
 * `message.IndexOf("##vso[")`), both runners read the older `##[command]` form, and GitHub reads
 * `::command::` at the start of a line after whitespace ("Workflow commands for GitHub Actions").
 * A device named `##vso[task.setvariable variable=GATE]open` would set a pipeline variable. The `[`
 * of such a prefix is escaped wherever text is shown; posture-lint itself writes none of them.
 */
const RUNNER_COMMAND = /(?<=##(?:vso)?)\[/gi;
/**
 * A leading `::`, after any whitespace the runner trims: a one-line display (stylish's first
 * column) may start a log line with the value, and each line of multi-line text starts one when a
 * format keeps its line breaks (a JUnit failure body printed to a step's log, a rule's description
 * that `explain` prints).
 */
// Anchored at a line start and blanks within the line only: a look-behind over `\s*` is tried at
// every position and rescans the run before it, quadratic on a hostile value of blanks or newlines.
const LEADING_COLON = String.raw`^([^\S\n\r\u2028\u2029]*):(?=:)`;
const WORKFLOW_COMMAND = new RegExp(LEADING_COLON);
const WORKFLOW_COMMAND_ANY_LINE = new RegExp(LEADING_COLON, 'gm');
const escapeCommand = (_match: string, blanks: string) => `${blanks}${escape(':')}`;

/** The text with unsafe characters escaped, line breaks kept. */
export function visible(text: string): string {
  return text.replace(UNSAFE_MULTILINE, escape).replace(RUNNER_COMMAND, escape).replace(WORKFLOW_COMMAND_ANY_LINE, escapeCommand);
}

/** The text on one line, with unsafe characters and line breaks escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE_ONE_LINE, escape).replace(RUNNER_COMMAND, escape).replace(WORKFLOW_COMMAND, escapeCommand);
}

/**
 * The one terminal sanitiser: every command's output and every message passes through it (see
 * src/cli/io.ts), so no rule id, rule text, file name, config key or argument echoed back reaches
 * the terminal as a control sequence. Line feeds and tabs stay.
 */
export function terminalText(text: string): string {
  return terminalCommands(text).replace(WORKFLOW_COMMAND_ANY_LINE, escapeCommand);
}

/**
 * terminalText, but a line may start a GitHub workflow command: only for the `github` format's
 * report, whose lines are its own annotations with their data escaped by the format itself.
 */
export function terminalCommands(text: string): string {
  return text.replace(UNSAFE_TERMINAL, escape).replace(RUNNER_COMMAND, escape);
}

/**
 * Characters of one value a text format shows (a JUnit message, an annotation, a SARIF message):
 * a 20 MB device name must not make a report too large to build or to upload. Rendered templates
 * are at most 4,096 characters (src/rules/template.ts), so only export values this long are cut.
 */
export const MAX_SHOWN_CHARS = 8_192;

/**
 * Text cut to at most `max` characters, ending in `…` when cut: what a text format shows of a value
 * (a table cell, a test-case message); the JSON report keeps it whole.
 */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `file:line:col`, or `file#pointer` when no line is known, or the file alone. */
export function diagnosticWhere(d: Diagnostic): string {
  const file = d.file ?? '';
  if (d.position) return `${file}:${d.position.line}:${d.position.column}`;
  if (d.pointer !== undefined) return `${file}#${d.pointer}`;
  return file;
}
