/**
 * What a configuration file does to the gate the command line set up. posture-lint.yaml is found
 * in the working directory and often changed by the pull request being gated, so each setting that
 * lets fewer findings fail the run is named at its line: a warning in every report, an error that
 * fails the run (exit 2) with --strict. Settings given on the command line win over the file, and
 * a file setting they replace weakens nothing.
 */
import * as path from 'node:path';
import type { Position } from '../diagnostics';
import { severityRank, type GateSettings, type Severity } from '../report/model';
import { positionOf, positionOfKey, type Config } from '../config';
import type { CompiledRule } from '../rules/types';
import { DEFAULT_RULESET, selectRuleset } from '../rules/rulesets';
import { DEFAULT_GATE } from './verdict';

export interface Weakening {
  message: string;
  position: Position;
}

/** What the command line chose, which the configuration file may not weaken. */
export interface CommandLineGate {
  ruleset?: string;
  /** Rule paths given on the command line. */
  rules?: readonly string[];
  failOn?: Severity;
  maxFindings?: number;
}

function isInside(file: string, folder: string, cwd: string): boolean {
  const rel = path.relative(path.resolve(cwd, folder), path.resolve(cwd, file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The rule set's rules and the command line's own rule files are the gate; rules the configuration
 * file adds itself are its own business. Needs the rules as loaded, before the configuration
 * changed their severities.
 */
export async function ruleWeakenings(config: Config, rules: readonly CompiledRule[], commandLine: CommandLineGate, cwd = process.cwd()): Promise<Weakening[]> {
  const out: Weakening[] = [];
  if (commandLine.ruleset === undefined && config.ruleset !== undefined) {
    const chosen = await selectRuleset(config.ruleset);
    const standard = await selectRuleset(DEFAULT_RULESET);
    // An unknown rule set is an error of its own; `all` (no ids) leaves nothing out.
    if (typeof chosen !== 'string' && typeof standard !== 'string' && chosen.ids && standard.ids) {
      const left = [...standard.ids].filter((id) => !chosen.ids!.has(id));
      if (left.length > 0) {
        out.push({
          message: `ruleset: '${config.ruleset}' leaves out ${left.length} of the ${standard.ids.size} rules of ${standard.label}; pin the rule set with --ruleset on the command line`,
          position: positionOfKey(config, 'ruleset'),
        });
      }
    }
  }
  const gated = (r: CompiledRule) => r.builtin || (commandLine.rules ?? []).some((p) => isInside(r.meta.file, p, cwd));
  const byId = new Map(rules.filter(gated).map((r) => [r.meta.id, r]));
  for (const id of config.disable) {
    if (byId.has(id)) out.push({ message: `disable: turns off rule '${id}'`, position: positionOf(config, 'disable', id) });
  }
  for (const [id, severity] of Object.entries(config.severity)) {
    const rule = byId.get(id);
    if (rule && severityRank(severity) < severityRank(rule.meta.severity)) {
      out.push({ message: `severity: lowers rule '${id}' from ${rule.meta.severity} to ${severity}`, position: positionOf(config, 'severity', id) });
    }
  }
  for (const [id, values] of Object.entries(config.parameters)) {
    const rule = byId.get(id);
    if (!rule) continue;
    // Whether a value loosens a rule depends on what the parameter means (more exempt platforms
    // loosen, more Linux platforms tighten): every change counts.
    for (const name of Object.keys(values).filter((n) => n in rule.params)) {
      out.push({ message: `parameters: changes rule '${id}' parameter '${name}', which may loosen it`, position: positionOf(config, 'parameters', id, name) });
    }
  }
  return out;
}

/** failOn above the default and maxFindings above zero, unless the command line set them. */
export function thresholdWeakenings(config: Config, commandLine: CommandLineGate): Weakening[] {
  const out: Weakening[] = [];
  if (commandLine.failOn === undefined && config.failOn !== undefined && severityRank(config.failOn) > severityRank(DEFAULT_GATE.failOn)) {
    out.push({ message: `failOn: ${config.failOn} lets findings below ${config.failOn} pass (default ${DEFAULT_GATE.failOn}); set --fail-on on the command line`, position: positionOfKey(config, 'failOn') });
  }
  if (commandLine.maxFindings === undefined && config.maxFindings !== undefined && config.maxFindings > DEFAULT_GATE.maxFindings) {
    out.push({ message: `maxFindings: tolerates ${config.maxFindings} failing findings (default ${DEFAULT_GATE.maxFindings}); set --max-findings on the command line`, position: positionOfKey(config, 'maxFindings') });
  }
  return out;
}

/** The gate settings in force: the command line's, else the configuration file's, else the defaults. */
export function gateSettings(config: Config | undefined, commandLine: CommandLineGate & { strict?: boolean }): GateSettings {
  return {
    failOn: commandLine.failOn ?? config?.failOn ?? DEFAULT_GATE.failOn,
    maxFindings: commandLine.maxFindings ?? config?.maxFindings ?? DEFAULT_GATE.maxFindings,
    strict: commandLine.strict ?? DEFAULT_GATE.strict,
  };
}
