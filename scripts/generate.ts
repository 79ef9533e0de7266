// Writes the files generated from code tables: the rule and conditions schemas, the operator reference, the
// export reference, the README's tables of rules and exports, and the golden report of the demo
// snapshot. A test fails when one is stale, so run `npm run generate` (from the repository root)
// after changing them.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildConditionsSchema, buildRuleSchema } from '../src/rules/schema';
import { operatorReference } from '../src/rules/reference';
import { exportsReference } from '../src/snapshot/exports-reference';
import { DEMO_REPORT_FILE, demoReport } from './demo-report';
import { readmeRegions, withRegions } from '../src/readme-tables';

const root = path.join(__dirname, '..');
const outputs: [string, string][] = [
  ['schemas/rule.schema.json', `${JSON.stringify(buildRuleSchema(), null, 2)}\n`],
  ['schemas/conditions.schema.json', `${JSON.stringify(buildConditionsSchema(), null, 2)}\n`],
  ['docs/operators.md', operatorReference()],
  ['docs/exports.md', exportsReference()],
];
void (async () => {
  outputs.push(['README.md', withRegions(readFileSync(path.join(root, 'README.md'), 'utf8'), await readmeRegions())]);
  outputs.push([DEMO_REPORT_FILE, await demoReport()]);
  for (const [file, text] of outputs) {
    writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
})();
