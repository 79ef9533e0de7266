/** `posture-lint rules` and `posture-lint explain`: the rules a run would use, and a rule's docs. */
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics';
import { decodeText } from '../../decode';
import { readInput } from '../../input-file';
import { cmp } from '../../diagnostics';
import { COLLECTIONS } from '../../lint';
import { loadConfiguredRules } from '../../rules/select';
import { ruleNeeds } from '../../engine/evaluate';
import { severityRank, type RuleMeta } from '../../report/model';
import type { Config } from '../../config';
import { didYouMean } from '../../suggest';
import { reportErrors, UsageError, type CliIo } from '../io';
import { configFor, RULE_OPTIONS } from '../options';
import { parseCommandArgs } from '../args';
import { plural } from '../../words';
import type { CompiledRule } from '../../rules/types';

export interface CatalogEntry {
  meta: RuleMeta;
  builtin: boolean;
  needs: string[];
  /** Named conditions the rule uses. */
  conditions: NonNullable<CompiledRule['conditions']>;
}

export async function ruleCatalog(options: { ruleset?: string; rules?: string[]; config?: Config }): Promise<{ entries: CatalogEntry[]; diagnostics: Diagnostic[] }> {
  const { rules, diagnostics } = await loadConfiguredRules({ collections: COLLECTIONS, ...options });
  const entries = rules
    .map((r) => ({ meta: r.meta, builtin: r.builtin, needs: ruleNeeds(r), conditions: r.conditions ?? [] }))
    .sort((a, b) => severityRank(b.meta.severity) - severityRank(a.meta.severity) || cmp(a.meta.id, b.meta.id));
  return { entries, diagnostics };
}

/** The catalogue fits a 120-column terminal: titles wrap in their column, the exports go below. */
const WIDTH = 120;

/** `text` in lines of at most `width` characters, broken at spaces (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  return [...lines, current];
}

export function formatCatalog(entries: readonly CatalogEntry[]): string {
  const idWidth = Math.max(4, ...entries.map((e) => e.meta.id.length));
  const sevWidth = 'SEVERITY'.length;
  const titleAt = idWidth + 2 + sevWidth + 2;
  const out = [`${'RULE'.padEnd(idWidth)}  ${'SEVERITY'.padEnd(sevWidth)}  TITLE / EXPORTS NEEDED`];
  for (const e of entries) {
    const [first, ...rest] = wrap(e.meta.title, WIDTH - titleAt);
    out.push(`${e.meta.id.padEnd(idWidth)}  ${e.meta.severity.padEnd(sevWidth)}  ${first}`);
    for (const line of rest) out.push(`${' '.repeat(titleAt)}${line}`);
    for (const line of wrap(`needs: ${e.needs.join(', ')}`, WIDTH - titleAt)) out.push(`${' '.repeat(titleAt)}${line}`);
  }
  return `${out.join('\n')}\n\n${plural(entries.length, 'rule')}. 'posture-lint explain <rule>' prints a rule's documentation.\n`;
}

/** The named conditions a rule uses, each with what it means and where it is defined: they are part of what it checks. */
function conditionsSection(entry: CatalogEntry): string {
  if (entry.conditions.length === 0) return '';
  const lines = entry.conditions.map((c) => `- \`${c.name}\` (${c.builtin ? 'posture-lint\'s own, ' : ''}${c.file}): ${c.description}`);
  return ['', '## Named conditions it uses', ...lines, ''].join('\n');
}

/**
 * The rule's Markdown docs beside its file, or its metadata when it has none, and the named
 * conditions it uses. The docs come from
 * the rule's folder, so they are read like any untrusted file: a link or a FIFO named `<rule>.md`
 * is refused, never followed.
 */
export async function explainRule(entry: CatalogEntry): Promise<{ text: string } | { problem: string }> {
  const doc = path.resolve(entry.meta.file.replace(/\.ya?ml$/i, '.md'));
  const read = await readInput(doc, 'rule-doc');
  if ('problem' in read && read.problem.code !== 'missing') return { problem: `${path.relative(process.cwd(), doc)}: the rule's docs ${read.problem.message}` };
  if ('bytes' in read) {
    const decoded = decodeText(read.bytes);
    if ('error' in decoded) return { problem: `${path.relative(process.cwd(), doc)}: the rule's docs: ${decoded.error}` };
    return { text: `${decoded.text.endsWith('\n') ? decoded.text : `${decoded.text}\n`}${conditionsSection(entry)}` };
  }
  const m = entry.meta;
  const parts = [`# ${m.id}`, '', `**${m.title}** Severity: ${m.severity}.`, '', m.description];
  if (m.rationale) parts.push('', '## Why it matters', m.rationale);
  if (m.remediation) parts.push('', '## How to fix', m.remediation);
  parts.push('', '## Exports it needs', ...entry.needs.map((n) => `- ${n}`));
  if (m.references.length) parts.push('', '## References', ...m.references.map((r) => `- ${r}`));
  return { text: `${parts.join('\n')}\n${conditionsSection(entry)}` };
}

export async function rulesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, RULE_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const loaded = await configFor(values.config, io);
  if (!loaded) return 2;
  const { entries, diagnostics } = await ruleCatalog({ ruleset: values.ruleset, rules: values.rules, config: loaded.config });
  if (reportErrors(diagnostics, io)) return 2;
  io.stdout(formatCatalog(entries));
  return 0;
}

export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, RULE_OPTIONS);
  if (positionals.length !== 1) throw new UsageError('explain needs one rule id');
  const loaded = await configFor(values.config, io);
  if (!loaded) return 2;
  const { entries, diagnostics } = await ruleCatalog({ ruleset: values.ruleset ?? 'all', rules: values.rules, config: loaded.config });
  if (reportErrors(diagnostics, io)) return 2;
  const id = positionals[0];
  const entry = entries.find((e) => e.meta.id === id);
  if (!entry) {
    throw new UsageError(`no rule '${id}'${didYouMean(id, entries.map((e) => e.meta.id))}; 'posture-lint rules --ruleset all' lists them`);
  }
  const explained = await explainRule(entry);
  if ('problem' in explained) {
    io.stderr(`posture-lint: ${explained.problem}\n`);
    return 2;
  }
  io.stdout(explained.text);
  return 0;
}
