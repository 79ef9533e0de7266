/**
 * The HTML report's charts as inline SVG: no script, no external resource, readable by screen readers
 * (each chart has a title and description, each bar its own title) and backed by a table of the same
 * numbers.
 */
import { cmp } from '../../diagnostics';
import type { CoverageRow, Report } from '../model';
import { escapeHtml as h, plural, printable, severityTotals } from '../view';

/** Export text as SVG or HTML text: control and bidi characters shown as escapes, markup escaped. */
export function text(value: string): string {
  return h(printable(value));
}

/** Whole percent of part in total; 0 when there is nothing to count. */
function percent(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}

export function severityChart(report: Report): string {
  const totals = severityTotals(report);
  const max = Math.max(1, ...totals.map((t) => t.count));
  const rowH = 30;
  const barX = 96;
  const barMax = 380;
  const height = totals.length * rowH + 8;
  const desc = totals.map((t) => `${t.count} ${t.severity}`).join(', ');
  const rows = totals.map((t, i) => {
    const y = 4 + i * rowH;
    const w = t.count > 0 ? Math.max(3, Math.round((t.count / max) * barMax)) : 0;
    const bar = w > 0 ? `<rect class="sev-${t.severity}" x="${barX}" y="${y + 4}" width="${w}" height="${rowH - 10}" rx="3"><title>${plural(t.count, `${t.severity} finding`)}</title></rect>` : '';
    return (
      `<g>` +
      `<text class="label" x="${barX - 10}" y="${y + rowH / 2 + 1}" text-anchor="end" dominant-baseline="middle">${t.severity}</text>` +
      bar +
      `<text class="value${t.count === 0 ? ' zero' : ''}" x="${barX + w + 8}" y="${y + rowH / 2 + 1}" dominant-baseline="middle">${t.count}</text>` +
      `</g>`
    );
  });
  return (
    `<svg id="severity-chart" class="chart" viewBox="0 0 ${barX + barMax + 60} ${height}" width="${barX + barMax + 60}" height="${height}" role="img" aria-labelledby="severity-chart-title severity-chart-desc">` +
    `<title id="severity-chart-title">Findings that fail the run, by severity</title>` +
    `<desc id="severity-chart-desc">${desc}</desc>` +
    rows.join('') +
    `</svg>`
  );
}

/** One stacked bar of rules passed, failed and not evaluated: a run that checked little shows. */
export function rulesChart(report: Report): string {
  const r = report.summary.rules;
  const parts = [
    { cls: 'rules-passed', label: 'passed', count: r.passed },
    { cls: 'rules-failed', label: 'failed', count: r.failed },
    ...(r.checkedNothing > 0 ? [{ cls: 'rules-checked-nothing', label: 'checked nothing', count: r.checkedNothing }] : []),
    { cls: 'rules-not-evaluated', label: 'not evaluated', count: r.notEvaluated },
  ];
  const legendStep = parts.length > 3 ? 105 : 140;
  const barW = 420;
  let x = 0;
  const segments = parts.map((p) => {
    const w = r.total > 0 ? (p.count / r.total) * barW : 0;
    const rect = w > 0 ? `<rect class="${p.cls}" x="${x.toFixed(1)}" y="4" width="${w.toFixed(1)}" height="26"><title>${plural(p.count, 'rule')} ${p.label}</title></rect>` : '';
    x += w;
    return rect;
  });
  const legend = parts.map(
    (p, i) =>
      `<rect class="${p.cls}" x="${i * legendStep}" y="44" width="14" height="14" rx="2"/>` +
      `<text class="label" x="${i * legendStep + 20}" y="52" dominant-baseline="middle"><tspan class="value">${p.count}</tspan> ${p.label}</text>`,
  );
  const empty = r.total === 0 ? `<rect class="track" x="0" y="4" width="${barW}" height="26"/>` : '';
  return (
    `<svg id="rules-chart" class="chart" viewBox="0 0 ${barW} 64" width="${barW}" height="64" role="img" aria-labelledby="rules-chart-title rules-chart-desc">` +
    `<title id="rules-chart-title">Rules by outcome</title>` +
    `<desc id="rules-chart-desc">${parts.map((p) => `${p.count} ${p.label}`).join(', ')} of ${plural(r.total, 'rule')}</desc>` +
    empty +
    segments.join('') +
    legend.join('') +
    `</svg>`
  );
}

interface Measure {
  key: 'onboarded' | 'realTimeProtection' | 'inDeviceGroup';
  label: string;
  /** How one VM counted by this measure is described in a bar's title. */
  phrase: string;
}

/** Each a share of the subscription's VMs; each is a subset of the one before. */
const MEASURES: readonly Measure[] = [
  { key: 'onboarded', label: 'Onboarded to MDE', phrase: 'onboarded to Defender for Endpoint' },
  { key: 'realTimeProtection', label: 'Real-time protection', phrase: 'with real-time protection on' },
  { key: 'inDeviceGroup', label: 'In a device group', phrase: 'in a device group' },
];

function subscriptionLabel(row: CoverageRow): string {
  return row.name ?? row.subscriptionId;
}

/** Subscriptions in a stable order: by name (or id), then id. */
function sortedCoverage(report: Report): CoverageRow[] {
  return [...report.coverage].sort((a, b) => cmp(subscriptionLabel(a), subscriptionLabel(b)) || cmp(a.subscriptionId, b.subscriptionId));
}

function coverageBlock(row: CoverageRow, y: number, geometry: { labelW: number; barW: number; barH: number; gap: number }): string {
  const { labelW, barW, barH, gap } = geometry;
  const name = subscriptionLabel(row);
  const heading =
    `<text class="sub-name" x="0" y="${y + 14}">${text(name)}` +
    (row.name ? `<tspan class="sub-id" dx="10">${text(row.subscriptionId)}</tspan>` : '') +
    `<tspan class="sub-vms" dx="10">${plural(row.vms, 'VM')}</tspan></text>`;
  if (row.vms === 0) {
    return `<g>${heading}<text class="muted" x="${labelW}" y="${y + 22 + barH}">no VMs in this subscription</text></g>`;
  }
  const bars = MEASURES.map((m, i) => {
    const by = y + 24 + i * (barH + gap);
    const count = row[m.key];
    const pct = percent(count, row.vms);
    const w = Math.round((Math.min(count, row.vms) / row.vms) * barW);
    const title = `${text(name)}: ${count} of ${plural(row.vms, 'VM')} ${m.phrase} (${pct}%)`;
    return (
      `<g>` +
      `<title>${title}</title>` +
      `<text class="label" x="${labelW - 10}" y="${by + barH / 2 + 1}" text-anchor="end" dominant-baseline="middle">${m.label}</text>` +
      `<rect class="track" x="${labelW}" y="${by}" width="${barW}" height="${barH}" rx="3"/>` +
      (w > 0 ? `<rect class="cov-${m.key}" x="${labelW}" y="${by}" width="${w}" height="${barH}" rx="3"/>` : '') +
      `<text class="value${pct < 100 ? ' gap' : ''}" x="${labelW + barW + 10}" y="${by + barH / 2 + 1}" dominant-baseline="middle">${pct}%<tspan class="muted" dx="6">${count}/${row.vms}</tspan></text>` +
      `</g>`
    );
  });
  return `<g>${heading}${bars.join('')}</g>`;
}

export function coverageChart(report: Report): string {
  const rows = sortedCoverage(report);
  const geometry = { labelW: 170, barW: 480, barH: 18, gap: 6 };
  // A subscription without VMs gets one line of text instead of three bars.
  const blockH = (row: CoverageRow): number => (row.vms === 0 ? 56 : 24 + MEASURES.length * (geometry.barH + geometry.gap) + 18);
  const legendH = 30;
  const width = geometry.labelW + geometry.barW + 110;
  const tops: number[] = [];
  let height = legendH;
  for (const r of rows) {
    tops.push(height);
    height += blockH(r);
  }
  const legend = MEASURES.map(
    (m, i) =>
      `<rect class="cov-${m.key}" x="${geometry.labelW + i * 170}" y="4" width="14" height="14" rx="2"/>` +
      `<text class="label" x="${geometry.labelW + i * 170 + 20}" y="12" dominant-baseline="middle">${m.label}</text>`,
  );
  const desc = rows
    .map((r) => `${subscriptionLabel(r)}: ${plural(r.vms, 'VM')}, ` + MEASURES.map((m) => `${r[m.key]} ${m.phrase}`).join(', '))
    .join('; ');
  return (
    `<svg id="coverage-chart" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="coverage-chart-title coverage-chart-desc">` +
    `<title id="coverage-chart-title">Defender coverage by subscription, as a share of each subscription's VMs</title>` +
    `<desc id="coverage-chart-desc">${text(desc)}</desc>` +
    `<g>${legend.join('')}</g>` +
    rows.map((r, i) => coverageBlock(r, tops[i], geometry)).join('') +
    `</svg>`
  );
}

/** The chart's numbers as a table, for exact values and for readers that skip images. */
export function coverageTable(report: Report): string {
  const cell = (count: number, vms: number): string => `<td class="num">${count} <span class="muted">(${percent(count, vms)}%)</span></td>`;
  const body = sortedCoverage(report).map(
    (r) =>
      `<tr><td>${text(subscriptionLabel(r))}<div class="muted mono">${text(r.subscriptionId)}</div></td><td class="num">${r.vms}</td>` +
      MEASURES.map((m) => cell(r[m.key], r.vms)).join('') +
      `</tr>`,
  );
  return (
    `<table class="data"><thead><tr><th>Subscription</th><th class="num">VMs</th>` +
    MEASURES.map((m) => `<th class="num">${m.label}</th>`).join('') +
    `</tr></thead><tbody>${body.join('')}</tbody></table>`
  );
}

export interface LineSeries {
  label: string;
  /** Per x position; null where there is no value (drawn as a gap, never as 0). */
  values: (number | null)[];
}

/**
 * Lines over a shared x axis (reports in time order): one polyline per series, a point with its
 * value's title at each x, gaps where a value is unknown. Colours cycle through a fixed palette
 * in the stylesheet (`line-0` … `line-7`), and the legend names each series.
 */
export function lineChart(id: string, title: string, xLabels: readonly string[], series: readonly LineSeries[]): string {
  const left = 48;
  const top = 12;
  const plotW = Math.max(240, Math.min(760, 120 * Math.max(1, xLabels.length - 1)));
  const plotH = 200;
  const legendRow = 18;
  const legendH = series.length * legendRow + 8;
  const width = left + plotW + 40;
  const height = top + plotH + 40 + legendH;
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = (i: number) => left + (xLabels.length <= 1 ? plotW / 2 : (i / (xLabels.length - 1)) * plotW);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const ticks = [0, Math.round(max / 2), max].filter((t, i, a) => a.indexOf(t) === i);
  const grid = ticks
    .map((t) => `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text class="label" x="${left - 8}" y="${y(t).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${t}</text>`)
    .join('');
  const axis = xLabels.map((l, i) => `<text class="label" x="${x(i).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${text(l)}</text>`).join('');
  const lines = series.map((s, k) => {
    // Consecutive known values form one segment; an unknown value breaks the line.
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) segments.push([]);
      else segments[segments.length - 1].push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    const paths = segments.filter((seg) => seg.length > 1).map((seg) => `<polyline class="line line-${k % 8}" points="${seg.join(' ')}"/>`);
    const dots = s.values
      .map((v, i) => (v === null ? '' : `<circle class="dot line-${k % 8}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5"><title>${text(s.label)}: ${v} (${text(xLabels[i])})</title></circle>`))
      .join('');
    return `<g>${paths.join('')}${dots}</g>`;
  });
  const legend = series
    .map((s, k) => {
      const ly = top + plotH + 40 + k * legendRow;
      return `<rect class="line-${k % 8} swatch" x="${left}" y="${ly - 6}" width="14" height="4"/><text class="label" x="${left + 22}" y="${ly}" dominant-baseline="middle">${text(s.label)}</text>`;
    })
    .join('');
  const desc = series.map((s) => `${s.label}: ${s.values.map((v) => (v === null ? 'unknown' : String(v))).join(', ')}`).join('; ');
  return (
    `<svg id="${h(id)}" class="chart trend-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${h(id)}-title ${h(id)}-desc">` +
    `<title id="${h(id)}-title">${text(title)}</title><desc id="${h(id)}-desc">${text(desc)}</desc>` +
    grid +
    axis +
    lines.join('') +
    legend +
    `</svg>`
  );
}
