/**
 * Runs a rule's own test cases. Each case is a folder beside the rule, `<rule-id>.tests/<case>/`,
 * holding a small snapshot (exports in their real shapes, optionally a snapshot.yaml) and a
 * `case.yaml` saying what the rule must report on it:
 *
 *   description: Passive Linux device fails
 *   expect:
 *     status: failed            # passed | failed | not-evaluated
 *     findings:                 # every finding, by resource id; [] for none
 *       - resource: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 *         message: avMode Passive   # optional: text the message must contain
 *     diagnostics: [incomplete-paging]   # optional: codes of expected diagnostics
 *
 * Only the rule under test runs. The same runner serves `npm test` and rule authors.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import fg from 'fast-glob';
import { parse } from 'yaml';
import { cmp } from '../diagnostics';
import { lint } from '../lint';
import type { Report } from '../report/model';

export interface ExpectedFinding {
  resource: string;
  message?: string;
}

export interface RuleCase {
  rule: string;
  name: string;
  dir: string;
  description: string;
  now?: string;
  expect: { status: string; findings: ExpectedFinding[]; diagnostics: string[] };
}

export interface CaseOutcome {
  case: RuleCase;
  ok: boolean;
  problems: string[];
  report: Report;
}

/** Test-case folders of a rule file (`x.yaml` -> `x.tests/*\/case.yaml`). */
export async function findCases(ruleFile: string): Promise<RuleCase[]> {
  const testsDir = ruleFile.replace(/\.ya?ml$/i, '.tests');
  const files = (await fg('*/case.yaml', { cwd: testsDir, onlyFiles: true, followSymbolicLinks: false })).sort(cmp);
  const out: RuleCase[] = [];
  for (const f of files) {
    const raw = parse(await readFile(path.join(testsDir, f), 'utf8'), { maxAliasCount: 10 }) as Record<string, unknown>;
    const expect = (raw.expect ?? {}) as Record<string, unknown>;
    out.push({
      rule: ruleFile,
      name: path.dirname(f),
      dir: path.join(testsDir, path.dirname(f)),
      description: String(raw.description ?? path.dirname(f)),
      now: raw.now === undefined ? undefined : String(raw.now instanceof Date ? raw.now.toISOString() : raw.now),
      expect: {
        status: String(expect.status ?? ''),
        findings: Array.isArray(expect.findings) ? (expect.findings as ExpectedFinding[]) : [],
        diagnostics: Array.isArray(expect.diagnostics) ? (expect.diagnostics as string[]) : [],
      },
    });
  }
  return out;
}

export async function runCase(c: RuleCase): Promise<CaseOutcome> {
  const { report } = await lint({ snapshot: c.dir, ruleset: 'none', rules: [c.rule], now: c.now ? new Date(c.now) : undefined });
  const problems: string[] = [];
  const ruleResult = report.rules[0];
  if (!ruleResult) problems.push('the rule did not load');
  else if (ruleResult.status !== c.expect.status) {
    problems.push(`status: expected ${c.expect.status}, got ${ruleResult.status}${ruleResult.missing ? ` (missing: ${ruleResult.missing.join('; ')})` : ''}`);
  }
  const unmatched = [...report.findings];
  for (const exp of c.expect.findings) {
    const i = unmatched.findIndex(
      (f) => f.resource.id.toLowerCase() === String(exp.resource).toLowerCase() && (exp.message === undefined || f.message.includes(exp.message)),
    );
    if (i < 0) problems.push(`expected a finding on ${exp.resource}${exp.message ? ` with message containing '${exp.message}'` : ''}`);
    else unmatched.splice(i, 1);
  }
  for (const f of unmatched) problems.push(`unexpected finding on ${f.resource.id}: ${f.message}`);
  const codes = report.diagnostics.filter((d) => d.severity !== 'note').map((d) => d.code);
  const expectedCodes = [...c.expect.diagnostics].sort(cmp);
  if (JSON.stringify([...codes].sort(cmp)) !== JSON.stringify(expectedCodes)) {
    const detail = report.diagnostics.filter((d) => d.severity !== 'note').map((d) => `${d.file ?? ''}${d.position ? `:${d.position.line}:${d.position.column}` : ''} ${d.code}: ${d.message}`);
    problems.push(`diagnostics: expected [${expectedCodes.join(', ')}], got [${detail.join(' | ')}]`);
  }
  return { case: c, ok: problems.length === 0, problems, report };
}
