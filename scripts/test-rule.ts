// Runs the test cases of the given rule files (or of every rule under rules/) and prints each
// case with its outcome. Until `posture-lint test` exists, this is how rule authors iterate:
//   npx ts-node --transpile-only scripts/test-rule.ts rules/my-rule.yaml
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { findCases, runCase } from '../src/testing/rule-tester';

async function main(files: string[]): Promise<number> {
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    for (const c of await findCases(file)) {
      const outcome = await runCase(c);
      if (outcome.ok) passed++;
      else failed++;
      console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${path.basename(file)} › ${c.name}`);
      for (const p of outcome.problems) console.log(`       ${p}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

const args = process.argv.slice(2);
const files = args.length ? args : readdirSync('rules').filter((f) => f.endsWith('.yaml')).map((f) => path.join('rules', f));
main(files).then((code) => (process.exitCode = code));
