/**
 * `posture-lint validate [rules...]`: check rule files, and the named conditions files among them,
 * without a snapshot, like a compiler. Without
 * arguments it checks the configuration's rule folders, as `test` does; `--max-warnings` makes
 * warnings fail it (exit 1) in a pipeline.
 */
import { COLLECTIONS } from '../../lint';
import { loadRules } from '../../rules/load';
import { compareDiagnostics } from '../../diagnostics';
import { plural } from '../../report/view';
import { formatProblem, type CliIo } from '../io';
import { countOption, parseCommandArgs } from '../args';
import { configuredRulePaths } from '../options';

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { config: { type: 'string' }, 'max-warnings': { type: 'string' } });
  const maxWarnings = countOption(values, 'max-warnings');
  const inputs = await configuredRulePaths(positionals, values.config, io, 'validate');
  if (inputs === undefined) return 2;
  const { rules, conditions, diagnostics } = await loadRules(inputs, { collections: COLLECTIONS });
  for (const d of [...diagnostics].sort(compareDiagnostics)) io.stdout(`${formatProblem(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const named = conditions.length > 0 ? `, ${plural(conditions.length, 'named condition')} valid` : '';
  io.stdout(`${plural(rules.length, 'rule')} valid${named}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  if (errors > 0) return 2;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    io.stdout(`validate fails: ${plural(warnings, 'warning')}, more than --max-warnings ${maxWarnings}\n`);
    return 1;
  }
  return 0;
}
