/** `posture-lint validate <rules...>`: check rule files without a snapshot, like a compiler. */
import { COLLECTIONS } from '../../lint';
import { loadRules } from '../../rules/load';
import { compareDiagnostics } from '../../diagnostics';
import { formatProblem, UsageError, type CliIo } from '../io';
import { parseArgs } from 'node:util';

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length === 0) throw new UsageError('validate needs rule files or folders');
  const { rules, diagnostics } = await loadRules(positionals, { collections: COLLECTIONS });
  for (const d of [...diagnostics].sort(compareDiagnostics)) io.stdout(`${formatProblem(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  io.stdout(`${rules.length} rules valid, ${errors} errors, ${warnings} warnings\n`);
  return errors > 0 ? 2 : 0;
}
