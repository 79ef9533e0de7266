// Writes the files generated from code tables: the rule schema, the operator reference and the
// export reference. A test fails when one is stale, so run `npm run generate` after changing them.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildRuleSchema } from '../src/rules/schema';
import { operatorReference } from '../src/rules/reference';
import { exportsReference } from '../src/snapshot/exports-reference';

const root = path.join(__dirname, '..');
const outputs: [string, string][] = [
  ['schemas/rule.schema.json', `${JSON.stringify(buildRuleSchema(), null, 2)}\n`],
  ['docs/operators.md', operatorReference()],
  ['docs/exports.md', exportsReference()],
];
for (const [file, text] of outputs) {
  writeFileSync(path.join(root, file), text);
  console.log(`wrote ${file}`);
}
