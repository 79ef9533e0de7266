import { expect } from 'chai';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findCases, runCase } from '../src/testing/rule-tester';

const RULES_DIR = 'rules';
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('built-in rules', () => {
  for (const file of ruleFiles) {
    const id = file.replace(/\.yaml$/, '');
    describe(id, () => {
      it('has its docs with the fixed sections', () => {
        const doc = path.join(RULES_DIR, `${id}.md`);
        expect(existsSync(doc), `${doc} exists`).to.equal(true);
        const text = readFileSync(doc, 'utf8');
        for (const section of ['## Why it matters', '## How to fix', '## Exports it needs', '## References']) {
          expect(text, `${doc} has '${section}'`).to.include(section);
        }
      });

      it('has at least one passing and one failing case', async () => {
        const { cases, diagnostics } = await findCases(path.join(RULES_DIR, file));
        expect(diagnostics, 'case files read cleanly, no duplicate cases').to.deep.equal([]);
        const statuses = cases.map((c) => c.expect.status);
        expect(statuses).to.include('passed');
        expect(statuses).to.include('failed');
      });

      it('passes each of its cases', async () => {
        const { cases } = await findCases(path.join(RULES_DIR, file));
        const failures: string[] = [];
        for (const c of cases) {
          const outcome = await runCase(c);
          if (!outcome.ok) failures.push(`${c.name}:\n    ${outcome.problems.map((p) => [p.message, ...(p.diff ?? [])].join('\n      ')).join('\n    ')}`);
        }
        expect(failures, failures.join('\n')).to.deep.equal([]);
      });
    });
  }
});
