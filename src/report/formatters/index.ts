/**
 * Output formats by name. Each format is one pure function in its own file; adding one means adding
 * it here, and the type keeps the name list and the table in step.
 */
import { cmp } from '../../diagnostics';
import type { Formatter } from '../model';
import { github } from './github';
import { html } from './html';
import { json } from './json';
import { junit } from './junit';
import { markdown, markdownComment } from './markdown';
import { sarif } from './sarif';
import { stylish } from './stylish';

export type FormatName = 'stylish' | 'json' | 'markdown' | 'markdown-comment' | 'html' | 'sarif' | 'junit' | 'github';

export const FORMATTERS: Readonly<Record<FormatName, Formatter>> = Object.freeze({
  stylish,
  json,
  markdown,
  'markdown-comment': markdownComment,
  html,
  sarif,
  junit,
  github,
});

/**
 * Formats whose report is CI runner commands of their own (GitHub workflow commands), each value
 * in them escaped by the format: printed with a line's leading `::` kept (terminalCommands).
 */
export const WRITES_WORKFLOW_COMMANDS: ReadonlySet<Formatter> = new Set([github]);

/** Sorted, for usage messages and help text. */
export function formatterNames(): string[] {
  return Object.keys(FORMATTERS).sort(cmp);
}

/** The formatter for a user-given name; undefined for anything else (the CLI reports a usage error). */
export function getFormatter(name: string): Formatter | undefined {
  // Own keys only: `toString` or `__proto__` must not resolve to something from Object.prototype.
  return Object.prototype.hasOwnProperty.call(FORMATTERS, name) ? FORMATTERS[name as FormatName] : undefined;
}
