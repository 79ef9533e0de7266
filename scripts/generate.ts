// Writes the files generated from the operator table: the rule schema and the operator reference.
// A test fails when either is stale, so run `npm run generate` after changing src/rules/operators.ts.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildRuleSchema } from '../src/rules/schema';
import { operatorReference } from '../src/rules/reference';

const root = path.join(__dirname, '..');
const outputs: [string, string][] = [
  ['schemas/rule.schema.json', `${JSON.stringify(buildRuleSchema(), null, 2)}\n`],
  ['docs/operators.md', operatorReference()],
];
for (const [file, text] of outputs) {
  writeFileSync(path.join(root, file), text);
  console.log(`wrote ${file}`);
}
