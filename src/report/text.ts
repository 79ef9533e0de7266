/**
 * Showing untrusted export text safely, for every format: a control character, a character XML
 * forbids or a bidi override in a resource name must neither break a report, drive a terminal, nor
 * reorder what a reviewer reads; such characters are shown as `\uXXXX`.
 */
import type { Diagnostic } from '../diagnostics';

export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ALWAYS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff';
/** Keeps tab and line breaks, which multi-line formats (SARIF, JUnit, GitHub) escape their own way. */
const UNSAFE_MULTILINE = new RegExp(`[${ALWAYS}]|${LONE_SURROGATE.source}`, 'g');
/** Also escapes tab and line breaks, for one-line displays (terminal, tables). */
const UNSAFE_ONE_LINE = new RegExp(`[${ALWAYS}\\t\\n\\r]|${LONE_SURROGATE.source}`, 'g');

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with unsafe characters escaped, line breaks kept. */
export function visible(text: string): string {
  return text.replace(UNSAFE_MULTILINE, escape);
}

/** The text on one line, with unsafe characters and line breaks escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE_ONE_LINE, escape);
}

/** `file:line:col`, or `file#pointer` when no line is known, or the file alone. */
export function diagnosticWhere(d: Diagnostic): string {
  const file = d.file ?? '';
  if (d.position) return `${file}:${d.position.line}:${d.position.column}`;
  if (d.pointer !== undefined) return `${file}#${d.pointer}`;
  return file;
}
