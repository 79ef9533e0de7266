/** The rules a run uses: the built-in rules of the chosen rule set, plus the user's own rule paths. */
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { BUILTIN_RULES_DIR } from '../paths';
import { loadRules } from './load';
import { DEFAULT_RULESET, selectRuleset } from './rulesets';
import type { CompiledRule } from './types';
import { applyConfig, type Config } from '../config';
import { ruleWeakenings } from '../gate/weakenings';

export interface RuleSelectionOptions {
  collections: ReadonlySet<string>;
  /** Rule set name, `name@version`, `all` or `none` (default recommended). */
  ruleset?: string;
  /** The user's rule files or folders, run beside the rule set. */
  rules?: readonly string[];
  parameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Folder rule paths are resolved against (default: the working directory). */
  cwd?: string;
}

/**
 * The rules a run uses once the configuration file has had its say: its rule set and rule folders
 * beside the caller's, its parameters, disabled rules and severities applied; and each of those
 * settings that weakens the rules the caller (the command line) chose.
 */
export async function loadConfiguredRules(options: { collections: ReadonlySet<string>; ruleset?: string; rules?: readonly string[]; config?: Config; cwd?: string }) {
  const { config } = options;
  const loaded = await loadSelectedRules({
    collections: options.collections,
    ruleset: options.ruleset ?? config?.ruleset,
    rules: [...(config?.rules ?? []), ...(options.rules ?? [])],
    parameters: config?.parameters,
    cwd: options.cwd,
  });
  // Before applyConfig, which replaces the severities the weakenings compare with.
  const weakenings = config ? await ruleWeakenings(config, loaded.rules, { ruleset: options.ruleset, rules: options.rules }, options.cwd) : [];
  const configured = applyConfig(loaded.rules, config);
  return { rules: configured.rules, diagnostics: [...loaded.diagnostics, ...configured.diagnostics], weakenings };
}

export async function loadSelectedRules(options: RuleSelectionOptions): Promise<{ rules: CompiledRule[]; diagnostics: Diagnostic[] }> {
  const selection = await selectRuleset(options.ruleset ?? DEFAULT_RULESET);
  if (typeof selection === 'string') return { rules: [], diagnostics: [diagnostic('error', 'ruleset-unknown', selection)] };
  const withBuiltins = selection.ids?.size !== 0;
  const inputs = [...(withBuiltins ? [BUILTIN_RULES_DIR] : []), ...(options.rules ?? [])];
  const loaded = await loadRules(inputs, { collections: options.collections, parameters: options.parameters, builtinDir: BUILTIN_RULES_DIR, cwd: options.cwd });
  const ids = selection.ids;
  if (!ids || !withBuiltins) return loaded;
  const builtinIds = new Set(loaded.rules.filter((r) => r.builtin).map((r) => r.meta.id));
  const diagnostics = [...loaded.diagnostics];
  for (const id of [...ids].filter((i) => !builtinIds.has(i)).sort(cmp)) {
    diagnostics.push(diagnostic('error', 'ruleset-rule-missing', `rule set ${selection.label} names rule '${id}', which is not a built-in rule`));
  }
  return { rules: loaded.rules.filter((r) => !r.builtin || ids.has(r.meta.id)), diagnostics };
}
