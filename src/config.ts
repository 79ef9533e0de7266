/**
 * The configuration file, `posture-lint.yaml`: which rules run (rule set, own rule folders,
 * disabled rules), their severities and parameters, and the failing severity. Found in the working
 * directory or given with --config; command-line options override it. One file shape, no cascade.
 */
import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { diagnostic, type Diagnostic, type Position } from './diagnostics';
import { schemaValidator } from './snapshot/validate';
import type { Severity } from './report/model';
import { positionIn, readYamlDocument, type YamlFile } from './yaml-file';
import { didYouMean } from './suggest';
import type { CompiledRule } from './rules/types';
import { parameterProblem } from './rules/parameters';

export const CONFIG_FILE = 'posture-lint.yaml';

export interface Config {
  /** The file as users see it (relative to the working directory). */
  file: string;
  ruleset?: string;
  /** Rule paths, resolved against the config file's folder. */
  rules: string[];
  failOn?: Severity;
  maxFindings?: number;
  /** Waivers and baseline files, resolved against the config file's folder. */
  waivers?: string;
  baseline?: string;
  disable: string[];
  severity: Record<string, Severity>;
  parameters: Record<string, Record<string, unknown>>;
  /** Globs, relative to each snapshot folder, of files not to stop on (see loadSnapshot's `ignore`). */
  ignore: string[];
  /**
   * Where each setting is, for messages at the right line (see positionOf). Plain data, like the
   * rest: a configuration read once is handed to worker threads as it is.
   */
  positions: Map<string, Position>;
}

type Section = 'disable' | 'severity' | 'parameters';

function positionKey(section: Section, id: string, parameter?: string, value = false): string {
  return [section, id, ...(parameter === undefined ? [] : [parameter, value ? 'value' : 'key'])].join('\u0000');
}

/** Where a rule id (or one of its parameters, or that parameter's value) is named in the file. */
export function positionOf(config: Config, section: Section, id: string, parameter?: string, value = false): Position {
  return config.positions.get(positionKey(section, id, parameter, value)) ?? { line: 1, column: 1 };
}

/** Where a top-level setting such as `failOn` is, for messages about it. */
export function positionOfKey(config: Config, key: 'ruleset' | 'failOn' | 'maxFindings'): Position {
  return config.positions.get(key) ?? { line: 1, column: 1 };
}

interface RawConfig {
  ruleset?: string;
  maxFindings?: number;
  waivers?: string;
  baseline?: string;
  rules?: string[];
  failOn?: Severity;
  disable?: string[];
  severity?: Record<string, Severity>;
  parameters?: Record<string, Record<string, unknown>>;
  ignore?: string[];
}


/**
 * Reads the config at `explicit`, or `posture-lint.yaml` in `cwd` when there is one. An explicit
 * file that cannot be read is an error; a missing default file is simply no configuration.
 */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<{ config?: Config; diagnostics: Diagnostic[] }> {
  const abs = path.resolve(cwd, explicit ?? CONFIG_FILE);
  const file = path.relative(cwd, abs).split(path.sep).join('/') || CONFIG_FILE;
  const { yaml, diagnostics } = await readYamlDocument(abs, file, {
    code: 'config-invalid',
    what: 'configuration',
    kind: 'config',
    optional: explicit === undefined,
    // --config may name a link (a mounted file); posture-lint.yaml found in the folder may not.
    followLinks: explicit !== undefined,
    validate: () => schemaValidator('schemas/config.schema.json'),
  });
  if (!yaml) return { diagnostics };
  const raw = yaml.data as RawConfig;
  const dir = path.dirname(abs);
  const outside = await pathsOutside(dir, raw, yaml, file);
  if (outside.length > 0) return { diagnostics: outside };
  return {
    config: {
      file,
      ruleset: raw.ruleset,
      rules: (raw.rules ?? []).map((r) => path.relative(cwd, path.resolve(dir, r)) || '.'),
      failOn: raw.failOn,
      maxFindings: raw.maxFindings,
      waivers: raw.waivers === undefined ? undefined : path.relative(cwd, path.resolve(dir, raw.waivers)),
      baseline: raw.baseline === undefined ? undefined : path.relative(cwd, path.resolve(dir, raw.baseline)),
      disable: raw.disable ?? [],
      severity: raw.severity ?? {},
      parameters: raw.parameters ?? {},
      ignore: raw.ignore ?? [],
      positions: positions(yaml),
    },
    diagnostics: [],
  };
}

/**
 * The config's own paths (rules, waivers, baseline) must stay inside its folder, through no link:
 * the file may come from a pull request, and `baseline: /proc/self/environ` or `rules: [/usr]`
 * would read what the repository does not hold. Each such path is an error at its line.
 */
async function pathsOutside(dir: string, raw: RawConfig, yaml: YamlFile, file: string): Promise<Diagnostic[]> {
  const named: [string, (string | number)[]][] = [
    ...(raw.rules ?? []).map((r, i): [string, (string | number)[]] => [r, ['rules', i]]),
    ...(raw.waivers === undefined ? [] : [[raw.waivers, ['waivers']] as [string, string[]]]),
    ...(raw.baseline === undefined ? [] : [[raw.baseline, ['baseline']] as [string, string[]]]),
  ];
  const out: Diagnostic[] = [];
  for (const [value, at] of named) {
    const problem = await escapes(dir, path.resolve(dir, value));
    if (problem) out.push(diagnostic('error', 'config-invalid', `${at[0]}: '${value}' ${problem}; paths in ${path.basename(file)} must stay inside its folder`, { file, position: positionIn(yaml, at) }));
  }
  return out;
}

/** Why `target` is not inside `dir` (lexically, then through no symbolic link), or undefined. */
async function escapes(dir: string, target: string): Promise<string | undefined> {
  const rel = path.relative(dir, target);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return 'is outside the folder of the configuration file';
  let current = dir;
  for (const part of rel.split(path.sep).filter((p) => p !== '')) {
    current = path.join(current, part);
    const st = await lstat(current).catch(() => undefined);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) return `goes through a symbolic link (${path.relative(dir, current).split(path.sep).join('/')}), which posture-lint does not follow`;
  }
  return undefined;
}

/** Where every setting the messages may name is: top-level keys, rule ids, parameters and their values. */
function positions(yaml: YamlFile): Map<string, Position> {
  const raw = yaml.data as RawConfig;
  const out = new Map<string, Position>();
  for (const key of ['ruleset', 'failOn', 'maxFindings']) out.set(key, positionIn(yaml, [key], { key: true }));
  (raw.disable ?? []).forEach((id, i) => {
    // The first mention of an id names it.
    if (!out.has(positionKey('disable', id))) out.set(positionKey('disable', id), positionIn(yaml, ['disable', i]));
  });
  for (const id of Object.keys(raw.severity ?? {})) out.set(positionKey('severity', id), positionIn(yaml, ['severity', id], { key: true }));
  for (const [id, values] of Object.entries(raw.parameters ?? {})) {
    out.set(positionKey('parameters', id), positionIn(yaml, ['parameters', id], { key: true }));
    for (const name of Object.keys(values ?? {})) {
      out.set(positionKey('parameters', id, name), positionIn(yaml, ['parameters', id, name], { key: true }));
      out.set(positionKey('parameters', id, name, true), positionIn(yaml, ['parameters', id, name]));
    }
  }
  return out;
}

/**
 * Applies the configuration to loaded rules: drops disabled rules, replaces severities, and
 * reports every rule id or parameter it names that does not exist, at its line in the file.
 */
export function applyConfig(rules: CompiledRule[], config: Config | undefined): { rules: CompiledRule[]; diagnostics: Diagnostic[] } {
  if (!config) return { rules, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const unknownRule = (section: 'disable' | 'severity' | 'parameters', id: string) => {
    diagnostics.push(
      diagnostic('error', 'config-invalid', `${section}: no rule '${id}' is loaded${didYouMean(id, byId.keys())}`, {
        file: config.file,
        position: positionOf(config, section, id),
      }),
    );
  };
  for (const id of config.disable) if (!byId.has(id)) unknownRule('disable', id);
  for (const [id, severity] of Object.entries(config.severity)) {
    const rule = byId.get(id);
    if (rule) rule.meta.severity = severity;
    else unknownRule('severity', id);
  }
  for (const [id, values] of Object.entries(config.parameters)) {
    const rule = byId.get(id);
    if (!rule) {
      unknownRule('parameters', id);
      continue;
    }
    for (const [name, value] of Object.entries(values)) {
      const decl = Object.hasOwn(rule.parameters, name) ? rule.parameters[name] : undefined;
      if (decl) {
        // A value of the wrong type is not used (the rule keeps its default) and fails the run.
        const problem = parameterProblem(decl, value);
        if (problem) {
          diagnostics.push(
            diagnostic('error', 'config-invalid', `parameters: ${id}.${name}: ${problem}`, { file: config.file, position: positionOf(config, 'parameters', id, name, true) }),
          );
        }
        continue;
      }
      const declared = Object.keys(rule.params);
      diagnostics.push(
        diagnostic('error', 'config-invalid', `parameters: rule '${id}' has no parameter '${name}'${didYouMean(name, declared)} (it has: ${declared.join(', ') || 'none'})`, {
          file: config.file,
          position: positionOf(config, 'parameters', id, name),
        }),
      );
    }
  }
  const disabled = new Set(config.disable);
  return { rules: rules.filter((r) => !disabled.has(r.meta.id)), diagnostics };
}
