/**
 * `posture-lint test [rules...]`: run each rule's test cases, print every case with its outcome
 * (a diff of expected and actual findings on failure, pointing at the case's file and line), and
 * end with `N passed, N failed`. Exit 1 on any failure, 2 when rules or cases cannot be read or no
 * case ran at all.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { typeName } from '../../input-file';
import { findCases, runCase } from '../../testing/rule-tester';
import { formatProblem, UsageError, type CliIo } from '../io';
import { findRuleFiles } from '../../rules/load';
import { configuredRulePaths } from '../options';
import { parseCommandArgs } from '../args';

/**
 * Rule files named by the arguments, found as `validate` and `lint --rules` find them; the
 * `*.conditions.yaml` files among them hold named conditions the rules may use. A path that does
 * not exist or holds no rule file is a usage error, and so are paths holding conditions files alone,
 * and a named pipe or a device: its cases would be looked for, none found, and the run would pass on
 * a rule never read.
 */
async function ruleFiles(inputs: string[]): Promise<{ rules: string[]; conditions: string[] }> {
  for (const input of inputs) {
    const st = await stat(input).catch(() => undefined);
    if (st && !st.isFile() && !st.isDirectory()) throw new UsageError(`${input} is ${typeName(st)}, not a rule file or a folder of rules`);
  }
  const { files, diagnostics } = await findRuleFiles(inputs);
  if (diagnostics.length > 0) throw new UsageError(diagnostics.map((d) => d.message).join('; '));
  const rules = files.filter((f) => !f.conditions).map((f) => f.given);
  // Conditions files alone are a valid rules path beside rules, but have no cases: run alone they
  // would test nothing and pass.
  if (rules.length === 0) throw new UsageError(`no rule file in ${inputs.join(', ')}, only conditions files, which have no test cases`);
  return { rules, conditions: files.filter((f) => f.conditions).map((f) => f.given) };
}

export async function testCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { config: { type: 'string' } });
  const inputs = await configuredRulePaths(positionals, values.config, io, 'test');
  if (inputs === undefined) return 2;
  let passed = 0;
  let failed = 0;
  let unreadable = false;
  const files = await ruleFiles(inputs);
  for (const file of files.rules) {
    const { cases, diagnostics } = await findCases(file);
    io.stdout(`${file.split(path.sep).join('/')}\n`);
    // A case that cannot be read is a case that failed, under its own name, not a line beside the passes.
    const byCase = new Map<string, typeof diagnostics>();
    for (const d of diagnostics) byCase.set(d.file ?? '', [...(byCase.get(d.file ?? '') ?? []), d]);
    for (const [caseFile, problems] of byCase) {
      const name = path.basename(path.dirname(caseFile));
      const duplicate = problems.every((d) => d.code === 'case-duplicate');
      io.stdout(`  ✖ ${name}  ${duplicate ? 'repeats another case' : 'case.yaml cannot be used'}\n`);
      for (const d of problems) io.stdout(`      ${formatProblem(d)}\n`);
      failed++;
    }
    if (diagnostics.some((d) => d.severity === 'error' && d.code !== 'case-duplicate')) unreadable = true;
    if (cases.length === 0 && diagnostics.length === 0) io.stdout('  (no test cases: add <rule>.tests/<case>/case.yaml)\n');
    for (const c of cases) {
      const outcome = await runCase(c, { conditions: files.conditions });
      if (outcome.ok) {
        passed++;
        io.stdout(`  ✔ ${c.name}\n`);
        continue;
      }
      failed++;
      io.stdout(`  ✖ ${c.name}  ${c.description}\n`);
      for (const p of outcome.problems) {
        io.stdout(`      ${c.file}${p.position ? `:${p.position.line}:${p.position.column}` : ''}  ${p.message}\n`);
        for (const line of p.diff ?? []) io.stdout(`        ${line}\n`);
      }
    }
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  // Errors win, as in lint: a case that cannot be read is exit 2 even beside failing cases.
  if (unreadable) return 2;
  // A run that tested nothing (rules without cases, a case folder given for the rules) must not
  // pass a pipeline as if its rules had been tested: a usage error, as conditions files alone are.
  if (passed + failed === 0) throw new UsageError('no test case ran: add <rule>.tests/<case>/case.yaml beside the rules');
  return failed > 0 ? 1 : 0;
}
