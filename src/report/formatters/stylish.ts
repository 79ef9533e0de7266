/**
 * Terminal output for an admin: findings grouped by rule, then the rules that could not run and
 * what they lacked, then input and rule-file problems, then one summary line.
 */
import { plural } from '../../words';
import { clip, diagnosticWhere, printable } from '../text';
import { compareDiagnostics, cmp, type Diagnostic } from '../../diagnostics';
import {
  severityRank,
  type FormatContext,
  type Formatter,
  type Finding,
  type Report,
  type RuleResult,
  type Severity,
  type Summary,
} from '../model';
import { fromPieces } from './pieces';
import { CONTROL_STATUS_LABEL, complianceHeadline, groupByRule, splitControls, subscriptionName } from '../view';
import type { ComplianceReport, ControlStatus } from '../model';

type Paint = (text: string) => string;

interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  green: Paint;
  cyan: Paint;
}

/** SGR codes with their specific closers, so nested styles do not reset each other. */
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\x1b[${open}m${text}\x1b[${close}m`;

const ANSI: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};

const plain: Paint = (text) => text;
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };

function severityPaint(p: Palette, severity: Severity | Diagnostic['severity']): Paint {
  switch (severity) {
    case 'critical':
      return (t) => p.bold(p.red(t));
    case 'high':
    case 'error':
      return p.red;
    case 'medium':
    case 'warning':
      return p.yellow;
    case 'low':
    case 'note':
      return p.cyan;
    case 'info':
      return p.dim;
  }
}


interface Cell {
  text: string;
  paint?: Paint;
}

/** Characters of one cell shown, and the widest a column is padded to: one huge value neither crashes the table nor pads every row. */
const MAX_CELL = 500;
const MAX_PAD = 60;
/** Findings' name column is narrower: a longer name runs over, so one long name cannot widen every line. */
const MAX_COLUMN = 40;

/**
 * Lines with every column but the last padded to its widest cell (at most `maxWidth`); padding
 * stays outside colour. The rows are made twice, to measure and then to write, so the million rows
 * of one rule of a large estate are never held at once.
 */
function* columns(rows: () => Iterable<Cell[]>, indent: string, maxWidth = MAX_PAD): Generator<string> {
  const widths: number[] = [];
  for (const row of rows()) {
    for (let i = 0; i < row.length - 1; i++) widths[i] = Math.min(maxWidth, Math.max(widths[i] ?? 0, Math.min(row[i].text.length, MAX_CELL)));
  }
  for (const row of rows()) {
    const cells = row.map((cell, i) => {
      const text = clip(cell.text, MAX_CELL);
      const pad = i < row.length - 1 ? ' '.repeat(Math.max(0, widths[i] - text.length)) : '';
      return (cell.paint ?? plain)(text) + pad;
    });
    yield (indent + cells.join('  ')).trimEnd();
  }
}

/** `<mark> <rule id>  <severity>  <title>`: the heading of a failed and of a not-evaluated rule. */
function ruleHeading(p: Palette, mark: string, rule: Pick<RuleResult, 'id' | 'severity' | 'title'>): string {
  return `${mark} ${p.bold(printable(rule.id))}  ${severityPaint(p, rule.severity)(rule.severity)}  ${printable(rule.title)}`;
}

/** A finding's rows: resource and message, then the id a waiver names, then where it was found. */
function* findingRows(findings: readonly Finding[], p: Palette): Generator<Cell[]> {
  for (const f of findings) {
    // A waived or baselined finding is shown, marked, and dim: it does not fail the run.
    const note = f.suppression ? ` [${suppressionNote(f)}]` : '';
    yield [{ text: printable(f.resource.name ?? f.resource.id), ...(f.suppression ? { paint: p.dim } : {}) }, { text: printable(f.message + note), ...(f.suppression ? { paint: p.dim } : {}) }];
    // The id is what a waiver or baseline entry names; the name alone would not match it.
    if (f.resource.name !== undefined && f.resource.name !== f.resource.id) yield [{ text: '' }, { text: printable(`resource: ${f.resource.id}`), paint: p.dim }];
    for (const loc of f.locations) {
      yield [{ text: '' }, { text: printable(`${loc.file}#${loc.pointer}`), paint: p.dim }];
    }
  }
}

function* findingsSection(report: Report, context: FormatContext, p: Palette): Generator<string> {
  for (const { ruleId, severity, title, result, fix, findings } of groupByRule(report.findings, report, context)) {
    // Pass counts beside failures show the rule really looked at the estate.
    const tally = result ? p.dim(`  (${result.failed} of ${result.evaluated} failed)`) : '';
    yield ruleHeading(p, p.red('✖'), { id: ruleId, severity, title }) + tally;
    yield* columns(() => findingRows(findings, p), '  ', MAX_COLUMN);
    const explain = `posture-lint explain ${printable(ruleId)}`;
    if (fix === undefined) {
      yield `  ${p.cyan('how to fix:')} ${explain}`;
    } else {
      // On the fix line when both fit in 120 columns, else on a line of its own.
      const apart = 2 + 'fix: '.length + printable(fix).length + 4 + explain.length > 120;
      yield `  ${p.cyan('fix:')} ${printable(fix)}${apart ? `\n       ${p.dim(`(${explain})`)}` : `  ${p.dim(`(${explain})`)}`}`;
    }
    yield '';
  }
}

function suppressionNote(f: Finding): string {
  const s = f.suppression!;
  return s.kind === 'waiver' ? `waived until ${s.expires} by ${s.owner}: ${s.justification}` : `in baseline ${s.source}`;
}

/** Rules that ran but found no record in scope: shown apart, so an empty check never reads as a pass. */
function checkedNothingSection(rules: readonly RuleResult[], p: Palette): string[] {
  const empty = rules
    .filter((r) => r.status === 'checked-nothing')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.id, b.id));
  if (empty.length === 0) return [];
  const lines = [p.bold(p.yellow(`Checked nothing: ${plural(empty.length, 'rule')} found no record in scope`))];
  for (const r of empty) {
    lines.push(`  ${ruleHeading(p, p.yellow('○'), r)}`, `      read: ${printable(r.needs.join(', '))}`);
  }
  lines.push('');
  return lines;
}

function notEvaluatedSection(rules: readonly RuleResult[], p: Palette): string[] {
  const skipped = rules
    .filter((r) => r.status === 'not-evaluated')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.id, b.id));
  if (skipped.length === 0) return [];
  const lines = [p.bold(p.yellow(`Not evaluated: ${plural(skipped.length, 'rule')} could not run`))];
  // Rules kept from running for the same reason (one broken export stops every rule that reads
  // it) are listed together, the reason once, where the most severe of them would stand.
  const groups = new Map<string, { explanation: string[]; rules: RuleResult[] }>();
  for (const r of skipped) {
    const explanation = explanationLines(r);
    const key = explanation.join('\n');
    const group = groups.get(key);
    if (group) group.rules.push(r);
    else groups.set(key, { explanation, rules: [r] });
  }
  for (const { explanation, rules } of groups.values()) {
    for (const r of rules) lines.push(`  ${ruleHeading(p, p.yellow('⚠'), r)}`);
    lines.push(...explanation);
  }
  lines.push('');
  return lines;
}

/** What kept a rule from running: the inputs it lacks (or, when the engine did not say, those it reads), and why. */
function explanationLines(r: RuleResult): string[] {
  const missing = r.missing ?? [];
  const lines = [missing.length > 0 ? `      missing: ${printable(missing.join(', '))}` : `      needs: ${printable(r.needs.join(', '))}`];
  if (r.reason) lines.push(`      reason: ${printable(r.reason)}`);
  return lines;
}


function* diagnosticsSection(diagnostics: readonly Diagnostic[], p: Palette): Generator<string> {
  if (diagnostics.length === 0) return;
  const sorted = [...diagnostics].sort(compareDiagnostics);
  // The message and its code share the last column: a long message must not pad every other line.
  function* rows(): Generator<Cell[]> {
    for (const d of sorted) {
      yield [
        { text: printable(diagnosticWhere(d)) },
        { text: d.severity, paint: severityPaint(p, d.severity) },
        { text: `${printable(d.message)}  ${p.dim(printable(d.code))}` },
      ];
    }
  }
  yield p.bold('Problems');
  yield* columns(rows, '  ');
  yield '';
}

/** Per framework, a line per control some rule maps to: status, id, failing resources, where. */
function complianceSection(compliance: readonly ComplianceReport[], p: Palette): string[] {
  const paint: Record<ControlStatus, (t: string) => string> = { 'not-met': p.red, 'not-assessed': p.yellow, partial: p.yellow, met: p.green, 'not-covered': p.dim };
  const lines: string[] = [];
  for (const c of compliance) {
    const { covered, uncovered } = splitControls(c);
    lines.push(p.bold(`Compliance: ${printable(c.framework.name)} ${printable(c.framework.version)} — ${complianceHeadline(c)}`));
    const rows = covered.map((x): Cell[] => {
      const where = [...x.bySubscription.filter((s) => s.failing > 0).map((s) => `${subscriptionName(s)} ${s.failing}`), ...(x.outsideSubscriptions.failing > 0 ? [`no subscription ${x.outsideSubscriptions.failing}`] : [])];
      const failing = x.resources.failing > 0 ? `${plural(x.resources.failing, 'resource')} failing${where.length > 0 ? ` (${where.join(', ')})` : ''}` : '';
      const waived = x.waivers.length > 0 ? `${x.waivers.reduce((n, w) => n + w.findings, 0)} waived` : '';
      return [
        { text: CONTROL_STATUS_LABEL[x.status], paint: paint[x.status] },
        { text: printable(x.id) },
        { text: printable(x.title) },
        { text: printable([failing, waived].filter(Boolean).join('; ') || x.reason) },
      ];
    });
    lines.push(...columns(() => rows, '  '));
    if (uncovered.length > 0) lines.push(p.dim(`  not covered by any rule: ${printable(uncovered.join(', '))}`));
    lines.push('');
  }
  return lines;
}

function summaryLine(s: Summary, p: Palette): string {
  const severities = (Object.keys(s.bySeverity) as Severity[])
    .filter((k) => s.bySeverity[k] > 0)
    .sort((a, b) => severityRank(b) - severityRank(a))
    .map((k) => `${s.bySeverity[k]} ${k}`);
  const findings =
    plural(s.findings, 'finding') + (severities.length > 0 ? ` (${severities.join(', ')})` : '') + (s.suppressed > 0 ? `, ${s.suppressed} suppressed` : '');
  const empty = s.rules.checkedNothing > 0 ? `, ${s.rules.checkedNothing} checked nothing` : '';
  const rules = `rules: ${s.rules.passed} passed, ${s.rules.failed} failed${empty}, ${s.rules.notEvaluated} not evaluated`;
  const problems = [plural(s.diagnostics.error, 'error')];
  if (s.diagnostics.warning > 0) problems.push(plural(s.diagnostics.warning, 'warning'));
  if (s.diagnostics.note > 0) problems.push(plural(s.diagnostics.note, 'note'));
  const line = `${findings} · ${rules} · ${problems.join(', ')}`;
  const tone =
    s.findings > 0 || s.diagnostics.error > 0 ? p.red : s.rules.notEvaluated > 0 ? p.yellow : p.green;
  return p.bold(tone(line));
}

/** The gate's verdict as the report carries it: the last line, so it is what a log shows last. */
function gateLine(report: Report, p: Palette): string {
  const tone = report.gate.status === 'passed' ? p.green : p.red;
  return p.bold(tone(printable(report.gate.line)));
}

export const stylish: Formatter = fromPieces(function* (report, context) {
  const p = context.color ? ANSI : PLAIN;
  // Problems before the rules they kept from running: causes before effects.
  const sections: Iterable<string>[] = [
    findingsSection(report, context, p),
    diagnosticsSection(report.diagnostics, p),
    notEvaluatedSection(report.rules, p),
    checkedNothingSection(report.rules, p),
    complianceSection(report.compliance ?? [], p),
    [summaryLine(report.summary, p), gateLine(report, p)],
  ];
  // In pieces, a line each: a million findings are more text than one string holds (pieces.ts).
  for (const section of sections) for (const line of section) yield `${line}\n`;
});
