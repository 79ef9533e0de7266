/**
 * The HTML report's stylesheet and its one script, inlined into every report. Their sha256 hashes go
 * into the page's Content-Security-Policy, so any other script or style (say, markup smuggled in
 * through export text that escaped escaping) would not run. htmlPage is the one place that builds
 * a page around them, so every HTML output gets the same policy.
 */
import { createHash } from 'node:crypto';
import { text } from './html-charts';

export const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--panel:#f6f8fa;
--critical:#8b0a2a;--high:#cf222e;--medium:#bc4c00;--low:#0969da;--info:#6e7781;
--onboarded:#0969da;--realTimeProtection:#1a7f37;--inDeviceGroup:#8250df;--track:#eaeef2}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px 16px;border-bottom:1px solid var(--line);border-top:6px solid var(--info);background:var(--panel)}
header.verdict-error,header.verdict-findings{border-top-color:var(--high)}
header.verdict-incomplete{border-top-color:var(--medium)}
header.verdict-clean{border-top-color:var(--realTimeProtection)}
.title{display:flex;align-items:center;gap:12px}
h1{font-size:22px;margin:0}
h2{font-size:18px;margin:0 0 12px}
.badge{font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em;padding:2px 10px;border-radius:12px;color:#fff;background:var(--info)}
.verdict-error .badge,.verdict-findings .badge{background:var(--high)}
.verdict-incomplete .badge{background:var(--medium)}
.verdict-clean .badge{background:var(--realTimeProtection)}
.headline{font-size:16px;margin:6px 0 10px}
.gate{font-weight:600;margin:0 0 10px}
.meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 14px}
.meta div{display:flex;gap:8px}
.meta dt{color:var(--muted)}
.meta dd{margin:0}
.stats{display:flex;flex-wrap:wrap;gap:10px}
.stat{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:110px}
.stat-value{display:block;font-size:22px;font-weight:600}
.stat-label{color:var(--muted);font-size:12px}
.stat.bad .stat-value{color:var(--high)}
.stat.warn .stat-value{color:var(--medium)}
nav{position:sticky;top:0;z-index:1;display:flex;gap:4px;padding:6px 28px;background:var(--bg);border-bottom:1px solid var(--line)}
nav a{padding:4px 10px;border-radius:6px;color:var(--fg);text-decoration:none}
nav a:hover{background:var(--panel)}
main{padding:8px 32px 32px;max-width:1400px}
section{margin:24px 0}
.callout{border:1px solid var(--medium);border-left:6px solid var(--medium);background:#fff8f0;border-radius:6px;padding:14px 18px}
.callout h2{color:var(--medium)}
.callout ul{margin:0;padding-left:18px}
.callout li{margin:4px 0}
.needs{color:var(--fg);font-size:13px}
.muted{color:var(--muted)}
.small{font-size:12px}
.ok{color:var(--realTimeProtection)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
code{background:var(--panel);padding:1px 4px;border-radius:4px}
.scroll{overflow-x:auto}
.charts{display:flex;flex-wrap:wrap;gap:24px 64px;align-items:flex-start}
.charts h3{font-size:14px;margin:0 0 8px;color:var(--muted);font-weight:600}
.chart{max-width:100%;height:auto;font-size:13px}
.chart .label{fill:var(--fg)}
.chart .value{fill:var(--fg);font-weight:600}
.chart .value.zero,.chart .muted{fill:var(--muted);font-weight:400}
.chart .value.gap{fill:var(--high)}
.chart .sub-name{font-weight:600;font-size:14px;fill:var(--fg)}
.chart .sub-id,.chart .sub-vms{font-weight:400;font-size:12px;fill:var(--muted)}
.chart .track{fill:var(--track)}
.sev-critical{fill:var(--critical)}.sev-high{fill:var(--high)}.sev-medium{fill:var(--medium)}.sev-low{fill:var(--low)}.sev-info{fill:var(--info)}
.rules-passed{fill:var(--realTimeProtection)}.rules-failed{fill:var(--high)}.rules-not-evaluated{fill:var(--medium)}.rules-checked-nothing{fill:var(--low)}
.cov-onboarded{fill:var(--onboarded)}.cov-realTimeProtection{fill:var(--realTimeProtection)}.cov-inDeviceGroup{fill:var(--inDeviceGroup)}
span.sev,span.diag{display:inline-block;min-width:64px;text-align:center;font-size:12px;font-weight:600;color:#fff;border-radius:10px;padding:0 8px}
span.sev-critical{background:var(--critical)}span.sev-high{background:var(--high)}span.sev-medium{background:var(--medium)}span.sev-low{background:var(--low)}span.sev-info{background:var(--info)}
span.diag-error{background:var(--high)}span.diag-warning{background:var(--medium)}span.diag-note{background:var(--info)}
table.data{border-collapse:collapse;width:100%}
table.data th,table.data td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
table.data th{background:var(--panel);font-weight:600}
table.data .num{text-align:right;white-space:nowrap}
table.data td{overflow-wrap:break-word}
#findings-table{table-layout:fixed;min-width:1100px}
#findings-table th:nth-child(1){width:96px}#findings-table th:nth-child(2){width:230px}#findings-table th:nth-child(3){width:250px}#findings-table th:nth-child(5){width:250px}#findings-table th:nth-child(6){width:130px}
#findings-table td:nth-child(5){overflow-wrap:anywhere}
.kind{font-size:11px;color:var(--muted)}
a{color:var(--low)}
tr:target td{background:#fff8c5}
tr.suppressed td{background:#f6f8fa;color:var(--muted)}
.framework h3{font-size:15px;margin:16px 0 4px}
.headline-small{margin:0 0 8px}
table.control-matrix td.cell-bad{background:#ffebe9;color:var(--high);font-weight:600}
table.control-matrix td.cell-zero{color:var(--muted)}
table.control-matrix td.cell-unknown{background:#fff8f0;color:var(--medium)}
table.control-matrix th.sub-col{max-width:120px;white-space:normal}
span.control-status{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:0 8px;color:#fff;background:var(--info);white-space:nowrap}
span.control-status-not-met{background:var(--high)}span.control-status-not-assessed{background:var(--medium)}span.control-status-partial{background:#9a6700}span.control-status-met{background:var(--realTimeProtection)}
.trend-chart .grid{stroke:var(--line);stroke-width:1}
.trend-chart .line{fill:none;stroke-width:2.5}
.line-0{stroke:var(--fg);fill:var(--fg)}.line-1{stroke:var(--high);fill:var(--high)}.line-2{stroke:var(--low);fill:var(--low)}.line-3{stroke:var(--realTimeProtection);fill:var(--realTimeProtection)}
.line-4{stroke:var(--inDeviceGroup);fill:var(--inDeviceGroup)}.line-5{stroke:var(--medium);fill:var(--medium)}.line-6{stroke:var(--critical);fill:var(--critical)}.line-7{stroke:var(--info);fill:var(--info)}
.trend-chart polyline.line{fill:none}
li.new{color:var(--high)}li.fixed{color:var(--realTimeProtection)}
span.rule-chip{font-size:11px;border-radius:8px;padding:0 6px;background:var(--panel);border:1px solid var(--line)}
span.rule-chip-failed{color:var(--high)}span.rule-chip-passed{color:var(--realTimeProtection)}span.rule-chip-not-evaluated,span.rule-chip-checked-nothing{color:var(--medium)}
.status-active{color:var(--high);font-weight:600;white-space:nowrap}
.status-waiver,.status-baseline{font-weight:600;color:var(--muted);border:1px solid var(--line);border-radius:10px;padding:0 8px}
tr.rule-not-evaluated td,tr.rule-checked-nothing td{background:#fff8f0}
tr.rule-failed .rule-status{color:var(--high);font-weight:600}
tr.rule-passed .rule-status{color:var(--realTimeProtection);font-weight:600}
tr.rule-not-evaluated .rule-status,tr.rule-checked-nothing .rule-status{color:var(--medium);font-weight:600}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin:8px 0 12px}
.filters input,.filters select{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px}
.filters input{width:320px}
details{margin-top:10px}
summary{cursor:pointer;color:var(--muted)}
footer{padding:16px 32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{nav,.filters{display:none!important}}
`;

/** Filters the findings table by text, severity and status; rows and index entries share one order. */
export const SCRIPT = `
(function () {
  'use strict';
  var data = document.getElementById('finding-index');
  var filters = document.getElementById('filters');
  if (!data || !filters) return;
  var index = JSON.parse(data.textContent);
  var rows = document.querySelectorAll('#findings-table tbody tr');
  var text = document.getElementById('filter-text');
  var severity = document.getElementById('filter-severity');
  var status = document.getElementById('filter-status');
  var count = document.getElementById('filter-count');
  function matches(entry, words) {
    if (severity.value && entry.severity !== severity.value) return false;
    if (status.value === 'active' && entry.status !== 'active') return false;
    if (status.value === 'suppressed' && entry.status === 'active') return false;
    return words.every(function (w) { return entry.text.indexOf(w) !== -1; });
  }
  function apply() {
    var words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var show = matches(index[i], words);
      rows[i].hidden = !show;
      if (show) shown++;
    }
    count.textContent = shown === rows.length ? 'all ' + rows.length + ' shown' : shown + ' of ' + rows.length + ' shown';
  }
  filters.addEventListener('input', apply);
  filters.addEventListener('change', apply);
  filters.hidden = false;
  apply();
})();
`;

const hash = (source: string): string => `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;

const policy = (script: boolean): string =>
  ["default-src 'none'", `style-src ${hash(STYLE)}`, ...(script ? [`script-src ${hash(SCRIPT)}`] : []), "base-uri 'none'", "form-action 'none'"].join('; ');
const PAGE_POLICY = policy(false);
const SCRIPTED_PAGE_POLICY = policy(true);

/**
 * A self-contained page: the stylesheet, the script when asked for, and a policy that lets only
 * those two run. `title` is plain text; `body` is markup its caller has already escaped.
 */
export function htmlPage(title: string, body: readonly string[], options: { script: boolean }): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${options.script ? SCRIPTED_PAGE_POLICY : PAGE_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    ...(options.script ? [`<script>${SCRIPT}</script>`] : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
