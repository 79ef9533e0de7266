/**
 * The HTML report's control matrix (`lint --framework`): one row per control some rule maps to,
 * one column per subscription, each cell the resources failing that control there; then the rules
 * and waivers behind each control. Controls no rule maps to are named below the matrix.
 */
import { cmp } from '../../diagnostics';
import type { ComplianceReport, ControlResult, Report } from '../model';
import { CONTROL_STATUS_LABEL, complianceHeadline, plural, splitControls, subscriptionName } from '../view';
import { text } from './html-charts';

/** Every subscription of the report (coverage) and any other a control counts, by name. */
function subscriptionColumns(report: Report, c: ComplianceReport): { subscriptionId: string; name?: string }[] {
  const all = new Map<string, { subscriptionId: string; name?: string }>();
  for (const row of report.coverage) all.set(row.subscriptionId.toLowerCase(), { subscriptionId: row.subscriptionId.toLowerCase(), ...(row.name ? { name: row.name } : {}) });
  for (const control of c.controls) for (const s of control.bySubscription) if (!all.has(s.subscriptionId)) all.set(s.subscriptionId, s);
  return [...all.values()].sort((a, b) => cmp(subscriptionName(a), subscriptionName(b)) || cmp(a.subscriptionId, b.subscriptionId));
}

/** A count cell: red when resources fail there, grey when the control could not be judged. */
function cell(failing: number, suppressed: number, control: ControlResult): string {
  const cls = failing > 0 ? 'cell-bad' : control.status === 'not-assessed' ? 'cell-unknown' : 'cell-zero';
  const extra = suppressed > 0 ? ` <span class="muted small" title="${plural(suppressed, 'resource')} waived or baselined">+${suppressed}</span>` : '';
  return `<td class="num ${cls}">${failing}${extra}</td>`;
}

function rulesCell(c: ControlResult): string {
  return c.rules
    .map((r) => `<div><a href="#rule-${text(r.id)}"><code>${text(r.id)}</code></a> <span class="rule-chip rule-chip-${r.status}">${r.status}</span>${r.coverage === 'partial' ? ' <span class="muted small" title="' + text(r.note ?? 'evidences part of the control') + '">partial</span>' : ''}</div>`)
    .join('');
}

function waiversCell(c: ControlResult): string {
  return c.waivers
    .map((w) => `<div><code>${text(w.ruleId)}</code> ×${w.findings}<div class="muted small">${[w.owner, w.expires && `until ${w.expires}`, w.justification].filter(Boolean).map((x) => text(String(x))).join(' · ')}</div></div>`)
    .join('');
}

function matrix(report: Report, c: ComplianceReport): string {
  const { covered, uncovered } = splitControls(c);
  const subs = subscriptionColumns(report, c);
  const head =
    `<tr><th>Status</th><th>Control</th>` +
    subs.map((s) => `<th class="num sub-col" title="${text(s.subscriptionId)}">${text(subscriptionName(s))}</th>`).join('') +
    `<th class="num sub-col">No subscription</th><th>Rules</th><th>Waivers</th></tr>`;
  const rows = covered.map((control) => {
    const bySub = new Map(control.bySubscription.map((s) => [s.subscriptionId, s]));
    const cells = subs.map((s) => {
      const row = bySub.get(s.subscriptionId);
      return cell(row?.failing ?? 0, (row?.waived ?? 0) + (row?.baselined ?? 0), control);
    });
    const o = control.outsideSubscriptions;
    return (
      `<tr class="control-${control.status}">` +
      `<td><span class="control-status control-status-${control.status}">${CONTROL_STATUS_LABEL[control.status]}</span></td>` +
      `<td><a href="${text(control.source)}" rel="noopener noreferrer"><code>${text(control.id)}</code></a> ${text(control.title)}<div class="muted small">${text(control.reason)}</div></td>` +
      cells.join('') +
      cell(o.failing, o.waived + o.baselined, control) +
      `<td>${rulesCell(control)}</td><td>${waiversCell(control)}</td></tr>`
    );
  });
  const id = `compliance-${c.framework.key.replace(/[^a-z0-9-]/gi, '-')}`;
  return (
    `<div class="framework"><h3>${text(c.framework.name)} ${text(c.framework.version)}</h3>` +
    `<p class="headline-small">${text(complianceHeadline(c))}</p>` +
    `<div class="scroll"><table id="${id}" class="data control-matrix"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>` +
    (uncovered.length > 0 ? `<p class="muted">Not covered by any rule of this run: ${uncovered.map((u) => `<code>${text(u)}</code>`).join(' ')}</p>` : '') +
    `<p class="muted small">Catalogue: <a href="${text(c.framework.source)}" rel="noopener noreferrer">${text(c.framework.source)}</a> — ${text(c.framework.scope)}</p>` +
    `</div>`
  );
}

export function complianceSection(report: Report): string {
  const all = report.compliance ?? [];
  if (all.length === 0) return '';
  return (
    `<section id="compliance"><h2>Compliance</h2>` +
    `<p class="muted">Failing resources per control and subscription. A control is met only when every rule behind it passed and one of them evidences all of it; ` +
    `a rule that was not evaluated or checked nothing leaves it not assessed, and waived findings still leave it not met (the waivers are listed as accepted risks).</p>` +
    all.map((c) => matrix(report, c)).join('') +
    `</section>`
  );
}
