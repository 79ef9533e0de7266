/**
 * `trend` output: a terminal table (text), GitHub Markdown (markdown), a self-contained HTML page
 * with SVG charts (html), or the Trend as JSON (json). Pure functions of the Trend; report text is
 * shown through the same escaping the lint formats use.
 */
import { CONTROL_STATUS_LABEL, plural, printable } from '../report/view';
import { htmlPage } from '../report/formatters/html-assets';
import { lineChart, text } from '../report/formatters/html-charts';
import { code, mdText } from '../report/formatters/markdown';
import type { Change, Trend } from './trend';

export type TrendFormat = 'text' | 'markdown' | 'html' | 'json';
export const TREND_FORMATS: readonly TrendFormat[] = ['text', 'markdown', 'html', 'json'];

/** Findings a change lists by name before it only counts the rest. */
const LISTED = 10;

/** A report's column heading: its snapshot day, else its file. */
function label(t: Trend, i: number): string {
  const p = t.points[i];
  return p.takenAt ? p.takenAt.slice(0, 16).replace('T', ' ') : p.file;
}

const cell = (v: number | null) => (v === null ? '—' : String(v));

function delta(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2 || values[values.length - 1] === null) return '';
  const d = known[known.length - 1] - known[0];
  return d === 0 ? '±0' : d > 0 ? `+${d}` : String(d);
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd());
}

function changeLine(t: Trend, c: Change): string {
  const more = [
    c.suppressed.length > 0 ? `${c.suppressed.length} newly waived or baselined (not fixed)` : '',
    c.unsuppressed.length > 0 ? `${c.unsuppressed.length} failing again as their waiver or baseline no longer applies` : '',
    c.noLongerChecked.length > 0 ? `${c.noLongerChecked.length} no longer checked (their rules gave no verdict)` : '',
  ].filter(Boolean);
  return `${label(t, c.from)} → ${label(t, c.to)}: ${plural(c.fixed.length, 'finding')} fixed, ${c.new.length} new${more.map((m) => `, ${m}`).join('')}`;
}

export function trendText(t: Trend): string {
  const heads = t.points.map((_, i) => label(t, i));
  const lines: string[] = [`posture-lint trend over ${plural(t.points.length, 'report')}`, ''];
  lines.push(...pad([['failing findings by rule', ...heads, 'change'], ...t.rules.map((r) => [printable(r.id), ...r.failing.map(cell), delta(r.failing)]), ['total', ...t.points.map((p) => String(p.failing)), delta(t.points.map((p) => p.failing))]]));
  if (t.controls && t.framework) {
    lines.push('', ...pad([[`${t.framework.name} ${t.framework.version}: failing resources by control`, ...heads, 'now'], ...t.controls.filter((c) => c.status.some((s) => s !== null && s !== 'not-covered')).map((c) => [`${printable(c.id)} ${printable(c.title)}`, ...c.failing.map(cell), c.status[c.status.length - 1] === null ? '—' : CONTROL_STATUS_LABEL[c.status[c.status.length - 1]!]])]));
  }
  if (t.changes.length > 0) {
    lines.push('', 'Changes (by finding fingerprint)');
    for (const c of t.changes) {
      lines.push(`  ${changeLine(t, c)}`);
      for (const f of c.new.slice(0, LISTED)) lines.push(`    + ${printable(f.ruleId)}  ${printable(f.resource.name ?? f.resource.id)}`);
      if (c.new.length > LISTED) lines.push(`    + … ${c.new.length - LISTED} more`);
      for (const f of c.fixed.slice(0, LISTED)) lines.push(`    - ${printable(f.ruleId)}  ${printable(f.resource.name ?? f.resource.id)}`);
      if (c.fixed.length > LISTED) lines.push(`    - … ${c.fixed.length - LISTED} more`);
    }
  }
  if (t.warnings.length > 0) lines.push('', 'Not comparable as they stand:', ...t.warnings.map((w) => `  ! ${printable(w)}`));
  lines.push('', '— no verdict: the report did not run the rule, or ran it without data (not evaluated, checked nothing).');
  return `${lines.join('\n')}\n`;
}

function mdTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

export function trendMarkdown(t: Trend): string {
  const heads = t.points.map((_, i) => mdText(label(t, i)));
  const lines = [`## posture-lint trend over ${plural(t.points.length, 'report')}`, ''];
  if (t.warnings.length > 0) lines.push(...t.warnings.map((w) => `> ⚠️ ${mdText(w)}`), '');
  lines.push('### Failing findings by rule', '', ...mdTable(['Rule', ...heads, 'Change'], [...t.rules.map((r) => [code(r.id), ...r.failing.map(cell), delta(r.failing)]), ['**total**', ...t.points.map((p) => `**${p.failing}**`), delta(t.points.map((p) => p.failing))]]));
  if (t.controls && t.framework) {
    const rows = t.controls.filter((c) => c.status.some((s) => s !== null && s !== 'not-covered'));
    lines.push(`### ${mdText(t.framework.name)} ${mdText(t.framework.version)}: failing resources by control`, '', ...mdTable(['Control', ...heads, 'Now'], rows.map((c) => [`${code(c.id)} ${mdText(c.title)}`, ...c.failing.map(cell), c.status[c.status.length - 1] === null ? '—' : CONTROL_STATUS_LABEL[c.status[c.status.length - 1]!]])));
  }
  if (t.changes.length > 0) {
    lines.push('### Changes', '');
    for (const c of t.changes) {
      lines.push(`- ${mdText(changeLine(t, c))}`);
      for (const f of c.new.slice(0, LISTED)) lines.push(`  - new: ${code(f.ruleId)} ${mdText(f.resource.name ?? f.resource.id)}`);
      for (const f of c.fixed.slice(0, LISTED)) lines.push(`  - fixed: ${code(f.ruleId)} ${mdText(f.resource.name ?? f.resource.id)}`);
    }
    lines.push('');
  }
  lines.push('_— : no verdict (the report did not run the rule, or ran it without data)._');
  return `${lines.join('\n')}\n`;
}


export function trendHtml(t: Trend): string {
  const heads = t.points.map((_, i) => label(t, i));
  const table = (header: string[], rows: string[][]) =>
    `<div class="scroll"><table class="data"><thead><tr>${header.map((x, i) => `<th${i > 0 ? ' class="num"' : ''}>${x}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r) => `<tr>${r.map((x, i) => `<td${i > 0 ? ' class="num"' : ''}>${x}</td>`).join('')}</tr>`)
      .join('')}</tbody></table></div>`;
  const failingRules = t.rules.filter((r) => r.failing.some((v) => v !== null && v > 0));
  const parts: string[] = [
    `<header><div class="title"><h1>posture-lint trend</h1></div><p class="headline">${plural(t.points.length, 'report')}, ${text(heads[0] ?? '')} to ${text(heads[heads.length - 1] ?? '')}</p></header>`,
    `<main>`,
  ];
  if (t.warnings.length > 0) parts.push(`<section class="callout"><h2>Not comparable as they stand</h2><ul>${t.warnings.map((w) => `<li>${text(w)}</li>`).join('')}</ul></section>`);
  parts.push(
    `<section id="findings-trend"><h2>Failing findings</h2>` +
      lineChart('total-chart', 'Failing findings per report, in total and for each rule that failed', heads, [
        { label: 'all rules', values: t.points.map((p) => p.failing) },
        ...failingRules.map((r) => ({ label: r.id, values: r.failing })),
      ]) +
      table(['Rule', ...heads.map(text), 'Change'], [...t.rules.map((r) => [`<code>${text(r.id)}</code>`, ...r.failing.map(cell), delta(r.failing)]), ['<strong>total</strong>', ...t.points.map((p) => `<strong>${p.failing}</strong>`), delta(t.points.map((p) => p.failing))]]) +
      `</section>`,
  );
  if (t.controls && t.framework) {
    const rows = t.controls.filter((c) => c.status.some((s) => s !== null && s !== 'not-covered'));
    parts.push(
      `<section id="controls-trend"><h2>${text(t.framework.name)} ${text(t.framework.version)}: failing resources by control</h2>` +
        lineChart('controls-chart', 'Failing resources per control', heads, rows.map((c) => ({ label: c.id, values: c.failing }))) +
        table(['Control', ...heads.map(text), 'Now'], rows.map((c) => [`<code>${text(c.id)}</code> ${text(c.title)}`, ...c.failing.map(cell), c.status[c.status.length - 1] === null ? '—' : CONTROL_STATUS_LABEL[c.status[c.status.length - 1]!]])) +
        `</section>`,
    );
  }
  if (t.changes.length > 0) {
    const items = t.changes.map(
      (c) =>
        `<li>${text(changeLine(t, c))}<ul>` +
        c.new.map((f) => `<li class="new">new: <code>${text(f.ruleId)}</code> ${text(f.resource.name ?? f.resource.id)}</li>`).join('') +
        c.fixed.map((f) => `<li class="fixed">fixed: <code>${text(f.ruleId)}</code> ${text(f.resource.name ?? f.resource.id)}</li>`).join('') +
        `</ul></li>`,
    );
    parts.push(`<section id="changes"><h2>Changes, by finding fingerprint</h2><ul>${items.join('')}</ul></section>`);
  }
  parts.push(`<p class="muted">— : no verdict (the report did not run the rule, or ran it without data).</p></main>`);
  return htmlPage(`posture-lint trend: ${t.points.length} reports`, parts, { script: false });
}

export function trendJson(t: Trend): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

export const TREND_FORMATTERS: Readonly<Record<TrendFormat, (t: Trend) => string>> = { text: trendText, markdown: trendMarkdown, html: trendHtml, json: trendJson };
