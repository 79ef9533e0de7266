#!/usr/bin/env bash
# Renders the HTML report of the demo snapshot in headless Chromium and checks what a reader gets:
# the severity and coverage charts and the findings table are drawn, the filter script ran (only the
# script shows its controls, so a Content-Security-Policy hash that does not match the script is
# caught), the page wrote nothing to the console, the compliance matrix (--framework mcsb) is drawn,
# and the severity filter and search hide the right rows. Saves a screenshot of the page, and one
# of its compliance section.
#
# Not part of `npm test`: Chromium is not installed in CI.
#
# Usage: scripts/check-html-report.sh [SCREENSHOT [COMPLIANCE_SCREENSHOT]]
#        (defaults: report-screenshot.png, compliance-screenshot.png)
# Needs: node, and Chromium (Debian's `chromium` package; installed with apt-get when missing and
# running as root). Set CHROMIUM to use another binary.
set -euo pipefail

readonly PROG=check-html-report
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly SNAPSHOT=fixtures/snapshots/contoso
SCREENSHOT="${1:-report-screenshot.png}"
case "$SCREENSHOT" in /*) ;; *) SCREENSHOT="$PWD/$SCREENSHOT" ;; esac
COMPLIANCE_SCREENSHOT="${2:-compliance-screenshot.png}"
case "$COMPLIANCE_SCREENSHOT" in /*) ;; *) COMPLIANCE_SCREENSHOT="$PWD/$COMPLIANCE_SCREENSHOT" ;; esac

fail() {
  echo "$PROG: $*" >&2
  exit 1
}

find_chromium() {
  command -v chromium || command -v chromium-browser
}

if [ -n "${CHROMIUM:-}" ]; then
  BROWSER="$(command -v "$CHROMIUM")" || fail "CHROMIUM=$CHROMIUM is not a command"
elif ! BROWSER="$(find_chromium)"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "$PROG: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    BROWSER="$(find_chromium)" || fail "chromium is still missing after apt-get install"
  else
    echo "$PROG: Chromium not found. Install it (Debian/Ubuntu: sudo apt-get install -y chromium)," >&2
    echo "$PROG: or point CHROMIUM at a Chromium or Chrome binary." >&2
    exit 2
  fi
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Offline and quiet: no sync, updates or background requests; a throwaway profile; no sandbox
# because CI containers run as root.
FLAGS=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --disable-default-apps --user-data-dir="$WORK/profile"
  --virtual-time-budget=5000)

# Console messages reach stderr as `...:CONSOLE:...` lines.
console_lines() {
  grep -E ':CONSOLE[:(]|Uncaught' "$1" || true
}

render_dom() { # page, dom out, log out
  "$BROWSER" "${FLAGS[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2" 2>"$3" ||
    fail "chromium failed on $1 (log: $(tail -n 3 "$3"))"
}

cd "$ROOT"
npm run build --silent >"$WORK/build.log" 2>&1 || fail "npm run build failed:
$(tail -n 20 "$WORK/build.log")"

# The console check must be able to fail: a page that logs an error has to show up in the log.
cat >"$WORK/canary.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><script>console.error('posture-lint canary');</script></body></html>
EOF
render_dom "$WORK/canary.html" "$WORK/canary.dom" "$WORK/canary.log"
console_lines "$WORK/canary.log" | grep -q 'posture-lint canary' ||
  fail "cannot see console messages with $BROWSER --enable-logging=stderr; the console check would pass blindly"

status=0
node dist/src/cli/bin.js lint "$SNAPSHOT" --framework mcsb --format html --output "$WORK/report.html" || status=$?
# 1 only says the demo estate has findings, which it is meant to.
[ "$status" -le 1 ] || fail "lint exited $status on $SNAPSHOT"

render_dom "$WORK/report.html" "$WORK/report.dom" "$WORK/report.log"
errors="$(console_lines "$WORK/report.log")"
[ -z "$errors" ] || fail "the report wrote to the console:
$errors"

# Checks on the DOM after the script ran, in node rather than grep so each says what it counted.
node - "$WORK/report.dom" <<'EOF'
const dom = require('node:fs').readFileSync(process.argv[2], 'utf8');
const problems = [];
function element(id, tag) {
  const start = dom.indexOf(`<${tag} id="${id}"`);
  if (start < 0) return undefined;
  const end = dom.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : dom.slice(start, end);
}
function count(text, pattern) {
  return text === undefined ? 0 : (text.match(pattern) || []).length;
}
const severity = element('severity-chart', 'svg');
const coverage = element('coverage-chart', 'svg');
const table = element('findings-table', 'table');
const bars = count(severity, /<rect class="sev-/g);
const coverageBars = count(coverage, /<rect class="cov-/g);
const rows = count(table && table.slice(table.indexOf('<tbody')), /<tr[\s>]/g);
const matrix = element('compliance-mcsb-v1', 'table');
const controls = count(matrix && matrix.slice(matrix.indexOf('<tbody')), /<tr class="control-/g);
const failingCells = count(matrix, /class="num cell-bad"/g);
if (controls === 0) problems.push('compliance matrix: no controls');
if (failingCells === 0) problems.push('compliance matrix: no failing cells');
if (bars === 0) problems.push('severity chart: no bars');
if (coverageBars === 0) problems.push('coverage chart: no bars');
if (rows === 0) problems.push('findings table: no rows');
if (!/<div id="filters" class="filters" role="search">/.test(dom)) problems.push('filters still hidden: the filter script did not run');
const shown = /<output id="filter-count"[^>]*>all (\d+) shown<\/output>/.exec(dom);
if (!shown || Number(shown[1]) !== rows) problems.push(`filter count says ${shown ? shown[1] : 'nothing'}, table has ${rows} rows`);
if (problems.length) {
  console.error(`check-html-report: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`rendered: ${bars} severity bars, ${coverageBars} coverage bars, ${rows} findings rows, ${controls} controls in the compliance matrix (${failingCells} failing cells), filters active, no console output`);
EOF

# The filters, driven as a reader would: a copy of the page (without its policy, so a probe script
# may run) picks a severity, then searches a rule id in upper case, and records how many rows each
# left visible against how many the embedded index says should match.
node - "$WORK/report.html" "$WORK/probe.html" <<'EOF'
const fs = require('node:fs');
const page = fs.readFileSync(process.argv[2], 'utf8');
const probe = `<script>
(function () {
  var index = JSON.parse(document.getElementById('finding-index').textContent);
  var rows = document.querySelectorAll('#findings-table tbody tr');
  function visible() { return Array.prototype.filter.call(rows, function (r) { return !r.hidden; }).length; }
  function matching(test) { return index.filter(test).length; }
  var severity = document.getElementById('filter-severity');
  var text = document.getElementById('filter-text');
  var first = index[0];
  severity.value = first.severity;
  severity.dispatchEvent(new Event('change', { bubbles: true }));
  var bySeverity = [visible(), matching(function (e) { return e.severity === first.severity; })];
  severity.value = '';
  var word = first.text.split(String.fromCharCode(10))[0];
  text.value = word.toUpperCase();
  text.dispatchEvent(new Event('input', { bubbles: true }));
  var byText = [visible(), matching(function (e) { return e.text.indexOf(word) !== -1; })];
  document.body.setAttribute('data-probe', JSON.stringify({ bySeverity: bySeverity, byText: byText }));
})();
</script></body>`;
fs.writeFileSync(process.argv[3], page.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('</body>', probe));
EOF
render_dom "$WORK/probe.html" "$WORK/probe.dom" "$WORK/probe.log"
node - "$WORK/probe.dom" <<'EOF'
const dom = require('node:fs').readFileSync(process.argv[2], 'utf8');
const m = /data-probe="([^"]*)"/.exec(dom);
if (!m) {
  console.error('check-html-report: the filter probe did not run');
  process.exit(1);
}
const r = JSON.parse(m[1].replace(/&quot;/g, '"'));
const bad = Object.values(r).some(([shown, expected]) => shown !== expected || expected === 0);
if (bad) {
  console.error(`check-html-report: the filters show the wrong rows ([shown, expected]): ${JSON.stringify(r)}`);
  process.exit(1);
}
console.log(`filters: a severity left ${r.bySeverity[0]} rows, a search ${r.byText[0]}, as the index says`);
EOF

"$BROWSER" "${FLAGS[@]}" --hide-scrollbars --force-device-scale-factor=1 --window-size="${WINDOW_SIZE:-1400,2000}" \
  --screenshot="$SCREENSHOT" "file://$WORK/report.html" >/dev/null 2>"$WORK/screenshot.log" ||
  fail "chromium could not take the screenshot (log: $(tail -n 3 "$WORK/screenshot.log"))"
[ -s "$SCREENSHOT" ] || fail "no screenshot written to $SCREENSHOT"
echo "screenshot: $SCREENSHOT"

# The compliance section alone: a copy of the page with only that section, for its own screenshot.
node - "$WORK/report.html" "$WORK/compliance.html" <<'EOF'
const fs = require('node:fs');
const page = fs.readFileSync(process.argv[2], 'utf8');
const start = page.indexOf('<section id="compliance">');
if (start < 0) {
  console.error('check-html-report: no compliance section');
  process.exit(1);
}
const end = page.indexOf('</section>', start) + '</section>'.length;
const head = page.slice(0, page.indexOf('<body>') + '<body>'.length);
fs.writeFileSync(process.argv[3], `${head}\n<main>${page.slice(start, end)}</main>\n</body>\n</html>\n`);
EOF
"$BROWSER" "${FLAGS[@]}" --hide-scrollbars --force-device-scale-factor=1 --window-size="${COMPLIANCE_WINDOW_SIZE:-1400,1230}" \
  --screenshot="$COMPLIANCE_SCREENSHOT" "file://$WORK/compliance.html" >/dev/null 2>"$WORK/compliance-screenshot.log" ||
  fail "chromium could not take the compliance screenshot (log: $(tail -n 3 "$WORK/compliance-screenshot.log"))"
[ -s "$COMPLIANCE_SCREENSHOT" ] || fail "no screenshot written to $COMPLIANCE_SCREENSHOT"
echo "screenshot: $COMPLIANCE_SCREENSHOT"
