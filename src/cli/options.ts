/** Options several commands share: where rules come from, and the configuration file. */
import type { ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config';
import { reportErrors, UsageError, type CliIo } from './io';

export const RULE_OPTIONS = {
  config: { type: 'string' },
  ruleset: { type: 'string' },
  rules: { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

/** Loads --config (or ./posture-lint.yaml); prints its errors and returns undefined on failure. */
export async function configFor(explicit: string | undefined, io: CliIo): Promise<{ config?: Config } | undefined> {
  const { config, diagnostics } = await loadConfig(explicit, io.cwd);
  return reportErrors(diagnostics, io) ? undefined : { config };
}

/**
 * The rule paths `validate` and `test` work on: the arguments, else the configuration's rule
 * folders. Undefined when the configuration has errors (printed).
 */
export async function configuredRulePaths(positionals: string[], configFile: string | undefined, io: CliIo, command: string): Promise<string[] | undefined> {
  if (positionals.length > 0) return positionals;
  const loaded = await configFor(configFile, io);
  if (!loaded) return undefined;
  const rules = loaded.config?.rules ?? [];
  if (rules.length === 0) throw new UsageError(`${command} needs rule files or folders, or a posture-lint.yaml that names rule folders (rules: [./rules])`);
  return rules;
}
