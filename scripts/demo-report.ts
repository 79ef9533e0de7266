/**
 * The golden report: the JSON report of the demo snapshot with every built-in rule, exactly as
 * `posture-lint lint fixtures/snapshots/contoso --ruleset all --format json` prints it from the
 * repository root. test/demo-report.test.ts holds the suite to it, so a change to what users see
 * (a finding, a message, a location, a diagnostic) is a reviewed change to this file, never a
 * side effect. `npm run generate` writes it.
 */
import * as path from 'node:path';
import { lint } from '../src/lint';
import { json } from '../src/report/formatters/json';

export const DEMO_REPORT_FILE = 'test/fixtures/golden/contoso-report.json';

export async function demoReport(): Promise<string> {
  const root = path.join(__dirname, '..');
  const { report, rules } = await lint({ snapshot: 'fixtures/snapshots/contoso', ruleset: 'all', cwd: root });
  return json(report, { rules, color: false });
}
