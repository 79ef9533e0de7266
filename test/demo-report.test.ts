/**
 * The golden report (test/fixtures/golden/contoso-report.json): everything users see of the demo
 * snapshot with every built-in rule, byte for byte. Changes for speed or memory must leave it as
 * it is; a change that is meant to change what users see (a rule, a message, the demo estate, the
 * report format) regenerates it with `npm run generate` and shows the difference in review.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { DEMO_REPORT_FILE, demoReport } from '../scripts/demo-report';

describe('the golden report of the demo snapshot', () => {
  it(`is what lint prints today (if the change is intended, run \`npm run generate\` and review the diff of ${DEMO_REPORT_FILE})`, async () => {
    const actual = await demoReport();
    const golden = readFileSync(DEMO_REPORT_FILE, 'utf8');
    if (actual !== golden) {
      const a = actual.split('\n');
      const g = golden.split('\n');
      const line = a.findIndex((l, i) => l !== g[i]);
      expect.fail(
        `lint's JSON report of fixtures/snapshots/contoso (--ruleset all) differs from ${DEMO_REPORT_FILE} from line ${line + 1}:\n` +
          `  golden: ${g[line] ?? '(end of file)'}\n  now:    ${a[line] ?? '(end of file)'}\n` +
          'If the change is intended, run `npm run generate` from the repository root and review the diff; if not, the change altered what users see.',
      );
    }
  });
});
