/**
 * Where the time goes inside one lint: loads a snapshot once with the built library (dist/), then
 * evaluates each rule of the pack on its own and prints the load time and each rule's time,
 * slowest first, as JSON. Each rule builds its own join indexes here (a full run shares them), so
 * the rule times add up to a little more than the evaluation of a full run.
 *
 *   node per-rule.js <package-root> <snapshot-folder> [--ruleset all]
 *
 * Transpiled and run with plain node by bench/run.ts (`--per-rule`); requires dist/ at run time, so
 * it measures exactly the code the CLI runs.
 */
import { join } from 'path';
import type { CompiledRule } from '../src/rules/types';
import type { Snapshot } from '../src/snapshot/types';
import type { Budget } from '../src/engine/budget';

interface Library {
  loadSnapshot(root: string): Promise<Snapshot>;
  evaluate(rules: readonly CompiledRule[], snapshot: Snapshot, now: number, budgetFor?: (ruleId: string, records: number) => Budget): {
    results: { id: string; evaluated: number; failed: number; status: string }[];
    diagnostics?: { severity: string; message: string }[];
  };
  COLLECTIONS: ReadonlySet<string>;
}
type SelectRules = (o: { collections: ReadonlySet<string>; ruleset: string }) => Promise<{ rules: CompiledRule[] }>;

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

async function main(args: string[]): Promise<number> {
  const [packageRoot, snapshotDir] = args;
  const rulesetAt = args.indexOf('--ruleset');
  const ruleset = rulesetAt >= 0 ? args[rulesetAt + 1] : 'all';
  if (!packageRoot || !snapshotDir) {
    process.stderr.write('usage: node per-rule.js <package-root> <snapshot-folder> [--ruleset all]\n');
    return 2;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lib = require(join(packageRoot, 'dist', 'src', 'index.js')) as Library;
  const { Budget } = require(join(packageRoot, 'dist', 'src', 'engine', 'budget.js')) as { Budget: typeof import('../src/engine/budget').Budget };
  const { loadSelectedRules } = require(join(packageRoot, 'dist', 'src', 'rules', 'select.js')) as { loadSelectedRules: SelectRules };
  let t = process.hrtime.bigint();
  const snapshot = await lib.loadSnapshot(snapshotDir);
  const load = seconds(t);
  const { rules } = await loadSelectedRules({ collections: lib.COLLECTIONS, ruleset });
  const now = snapshot.takenAt ? Date.parse(snapshot.takenAt) : Date.now();
  const perRule = rules.map((rule) => {
    t = process.hrtime.bigint();
    let budget: Budget | undefined;
    const evaluation = lib.evaluate([rule], snapshot, now, (_id, records) => (budget = Budget.forRecords(records)));
    const [result] = evaluation.results;
    const errors = (evaluation.diagnostics ?? []).filter((d) => d.severity === 'error').map((d) => d.message);
    // Steps spent of the budget: how the rule's work grows with the snapshot, whatever the machine's load.
    const steps = budget === undefined ? undefined : { used: budget.used, limit: budget.limit };
    return { id: rule.meta.id, seconds: seconds(t), status: result.status, evaluated: result.evaluated, failed: result.failed, steps, errors };
  });
  perRule.sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? -1 : 1));
  const loadErrors = snapshot.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file ?? ''}: ${d.message}`);
  process.stdout.write(`${JSON.stringify({ loadSeconds: load, loadErrors, rules: perRule })}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
