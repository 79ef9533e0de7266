/** Options several commands share: where rules come from, and the configuration file. */
import type { ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config';
import { reportErrors, type CliIo } from './io';

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
