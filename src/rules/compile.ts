/**
 * Turns one schema-valid rule document into a CompiledRule: metadata, parameters, iteration,
 * joins, lets, assertion and message, with every problem reported at its YAML path.
 */
import type { ControlRef, RuleMeta, Severity } from '../report/model';
import { compileCondition, compilePath, isKnownFact, unknownFact, type CompileEnv, type YamlPath } from './conditions';
import { parseTemplate, type Template } from './template';
import { isParamRef, isPlainObject } from './values';
import type { CompiledJoin, CompiledLet, CompiledRule, JoinKeyPair } from './types';
import { headName } from './path';
import { didYouMean } from '../suggest';
import { declarationOf, declarationProblems, parameterProblem, type ParameterDeclaration } from './parameters';
import type { ConditionLibrary } from './named-conditions';
import type { ForwardedArgument } from './expand';

export interface RuleCompileOptions {
  /** Rule file relative to its rules root. */
  file: string;
  /** Whether the rule ships with posture-lint. */
  builtin?: boolean;
  /** Collections the snapshot loader knows; a rule naming another is an error. */
  collections: ReadonlySet<string>;
  /** Parameter values that override the rule's defaults (from configuration). */
  paramOverrides?: Readonly<Record<string, unknown>>;
  /** Named conditions, whose parameters a rule's parameters may inherit (`inherits: condition.parameter`). */
  conditions?: ConditionLibrary;
  /** Arguments the rule passes to named conditions from its own parameters, checked against their declarations. */
  forwarded?: readonly ForwardedArgument[];
  error(at: YamlPath, message: string, offset?: number): void;
}

/** Names a grouped rule's records expose. */
const GROUP_FIELDS = ['key', 'items'];

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A schema-valid `controls` map as a list, in file order per framework, frameworks sorted. */
function controlRefs(raw: unknown): ControlRef[] | undefined {
  if (!isPlainObject(raw)) return undefined;
  const out: ControlRef[] = [];
  for (const framework of Object.keys(raw).sort()) {
    const list = raw[framework];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isPlainObject(c)) continue;
      out.push({ framework, id: String(c.id), coverage: c.coverage === 'full' ? 'full' : 'partial', ...(typeof c.note === 'string' ? { note: c.note.trim() } : {}) });
    }
  }
  return out;
}

/** The rule's one-line fix, or the first sentence of its remediation (cut to one line). */
function fixLine(doc: Record<string, unknown>): { fix?: string } {
  if (typeof doc.fix === 'string') return { fix: doc.fix.trim() };
  if (typeof doc.remediation !== 'string') return {};
  const text = doc.remediation.trim().replace(/\s+/g, ' ');
  const sentence = /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
  return sentence === '' ? {} : { fix: sentence.length <= 120 ? sentence : `${sentence.slice(0, 119).trimEnd()}…` };
}

function checkCollection(name: unknown, at: YamlPath, opts: RuleCompileOptions): string | undefined {
  if (typeof name !== 'string') return undefined;
  if (opts.collections.has(name)) return name;
  opts.error(at, `unknown collection '${name}'${didYouMean(name, opts.collections)}`);
  return undefined;
}

function compileTemplate(raw: unknown, at: YamlPath, env: CompileEnv, opts: RuleCompileOptions): Template | undefined {
  if (typeof raw !== 'string') return undefined;
  const { template, errors } = parseTemplate(raw);
  for (const e of errors) opts.error(at, e.message, e.offset);
  for (const f of template.facts) {
    if (isKnownFact(f)) env.facts.add(f);
    else opts.error(at, unknownFact(f), raw.indexOf(`$facts.${f}`));
  }
  for (const p of template.params) {
    if (!Object.prototype.hasOwnProperty.call(env.params, p)) opts.error(at, `template uses unknown parameter '${p}'`);
  }
  return template;
}

/**
 * A join filter as it runs, with each `$param` replaced by the value it resolves to: rules whose
 * filters read the same text but different parameter values must not share one filtered index.
 * Facts and the evaluation time are the same for every rule of a run, so their references stay.
 */
function resolvedFilter(raw: unknown, params: Readonly<Record<string, unknown>>): unknown {
  if (Array.isArray(raw)) return raw.map((x) => resolvedFilter(x, params));
  if (!isPlainObject(raw)) return raw;
  if (isParamRef(raw)) return { $value: Object.prototype.hasOwnProperty.call(params, raw.$param) ? params[raw.$param] : null };
  return Object.keys(raw).map((k) => [k, resolvedFilter(raw[k], params)]);
}

function compileJoins(raw: unknown, at: YamlPath, env: CompileEnv, opts: RuleCompileOptions): CompiledJoin[] {
  if (!isPlainObject(raw)) return [];
  const out: CompiledJoin[] = [];
  for (const name of Object.keys(raw).sort()) {
    const spec = raw[name];
    const here = [...at, name];
    if (!isPlainObject(spec)) continue;
    const from = checkCollection(spec.from, [...here, 'from'], opts);
    const pairsRaw = spec.on === undefined ? [] : Array.isArray(spec.on) ? spec.on : [spec.on];
    if (spec.on === undefined && spec.many !== true) opts.error(here, 'a join without `on` joins every record, so it needs many: true');
    const on: JoinKeyPair[] = [];
    pairsRaw.forEach((p, i) => {
      const pAt = Array.isArray(spec.on) ? [...here, 'on', i] : [...here, 'on'];
      if (!isPlainObject(p)) return;
      const local = compilePath(p.local, [...pAt, 'local'], env);
      const foreign = compilePath(p.foreign, [...pAt, 'foreign'], env);
      const match = p.match === 'scope' || p.match === 'within' ? p.match : 'equals';
      if (local && foreign) on.push({ local, foreign, match });
    });
    const where = spec.where === undefined ? undefined : compileCondition(spec.where, [...here, 'where'], env);
    const joins = compileJoins(spec.join, [...here, 'join'], env, opts);
    const presentation = spec.presentation === true;
    if (presentation && spec.required === true) opts.error([...here, 'required'], 'a presentation join is never required: the rule runs without it (remove required: true)');
    if (!from) continue;
    out.push({
      name,
      from,
      on,
      many: spec.many === true,
      required: spec.required !== false && !presentation,
      presentation,
      where,
      joins,
      indexKey: JSON.stringify([from, resolvedFilter(spec.where ?? null, env.params)]),
    });
  }
  // Joins run in declaration order so later keys may read earlier joins; YAML order is kept.
  const order = Object.keys(raw);
  return out.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function compileLets(raw: unknown, at: YamlPath, env: CompileEnv): CompiledLet[] {
  if (!isPlainObject(raw)) return [];
  const out: CompiledLet[] = [];
  for (const name of Object.keys(raw)) {
    const spec = raw[name];
    const here = [...at, name];
    if (!isPlainObject(spec)) continue;
    const select = compilePath(spec.select, [...here, 'select'], env);
    const as = typeof spec.as === 'string' ? spec.as : 'item';
    const where = spec.where === undefined ? undefined : compileCondition(spec.where, [...here, 'where'], env);
    const distinct = spec.distinct === undefined ? undefined : compilePath(spec.distinct, [...here, 'distinct'], env);
    if (select) out.push({ name, select, as, where, distinct });
  }
  return out;
}

/**
 * The declaration and default of `inherits: condition.parameter`: the named condition's, with the
 * rule's own default where it gives one. A value several rules share is so written once.
 */
function inherited(
  name: string,
  spec: Record<string, unknown>,
  conditions: ConditionLibrary | undefined,
  report: (at: YamlPath, message: string) => void,
): { decl: ParameterDeclaration; value: unknown } | undefined {
  const [conditionName, parameter] = String(spec.inherits).split('.');
  const c = conditions?.get(conditionName);
  const at = ['parameters', name, 'inherits'];
  if (!c) {
    const hint = conditions ? didYouMean(conditionName, conditions.keys()) : '';
    report(at, `parameter '${name}' inherits from unknown condition '${conditionName}'${hint}`);
    return undefined;
  }
  const p = c.parameters.get(parameter);
  if (!p) {
    const names = [...c.parameters.keys()];
    report(at, `condition '${conditionName}' has no parameter '${parameter}'${didYouMean(parameter, names)} (parameters: ${names.join(', ') || 'none'})`);
    return undefined;
  }
  if (Object.hasOwn(spec, 'default')) {
    const problem = parameterProblem(p.declaration, spec.default);
    if (problem) report(['parameters', name, 'default'], `parameter '${name}': ${problem}`);
    return { decl: p.declaration, value: spec.default };
  }
  if (!p.hasDefault) {
    report(at, `parameter '${name}' needs a default: '${conditionName}.${parameter}' has none to inherit`);
    return undefined;
  }
  return { decl: p.declaration, value: p.default };
}

/**
 * Parameter values: each declaration's default, checked against its type, replaced by the
 * configuration's value where that fits the type too. A value that does not fit is not used; the
 * configuration reports it at its own line (applyConfig), as it does names the rule does not declare.
 */
function resolveParams(
  raw: unknown,
  overrides: Readonly<Record<string, unknown>> | undefined,
  conditions: ConditionLibrary | undefined,
  report: (at: YamlPath, message: string) => void,
): { params: Record<string, unknown>; declarations: Record<string, ParameterDeclaration>; unresolved: Set<string> } {
  const params: Record<string, unknown> = Object.create(null);
  const declarations: Record<string, ParameterDeclaration> = Object.create(null);
  // Declared, but with no value (an inheritance that failed, and said why): not unknown where read.
  const unresolved = new Set<string>();
  if (isPlainObject(raw)) {
    for (const [name, spec] of Object.entries(raw)) {
      if (!isPlainObject(spec)) continue;
      if (spec.inherits !== undefined) {
        const from = inherited(name, spec, conditions, report);
        if (!from) {
          params[name] = undefined;
          unresolved.add(name);
          continue;
        }
        declarations[name] = from.decl;
        params[name] = from.value;
        continue;
      }
      for (const problem of declarationProblems(name, spec)) report(['parameters', name, problem.key], problem.message);
      declarations[name] = declarationOf(spec);
      params[name] = spec.default;
    }
  }
  for (const [name, value] of Object.entries(overrides ?? {})) {
    const decl = declarations[name];
    if (decl && parameterProblem(decl, value) === undefined) params[name] = value;
  }
  return { params, declarations, unresolved };
}

export function compileRule(doc: Record<string, unknown>, opts: RuleCompileOptions): CompiledRule | undefined {
  let failed = false;
  const report = (at: YamlPath, message: string, offset?: number) => {
    failed = true;
    opts.error(at, message, offset);
  };
  const local: RuleCompileOptions = { ...opts, error: report };
  const { params, declarations, unresolved } = resolveParams(doc.parameters, opts.paramOverrides, opts.conditions, report);
  // A rule's own parameter passed to a named condition must fit that condition's parameter too;
  // one that does not is reported here, at the argument, and not again where the condition reads it.
  const misfit = unresolved;
  for (const f of opts.forwarded ?? []) {
    if (!Object.hasOwn(params, f.param) || unresolved.has(f.param)) continue;
    const problem = parameterProblem(f.declaration, params[f.param]);
    if (!problem) continue;
    report(f.at, `argument '${f.argument}' of condition '${f.condition}': parameter '${f.param}' does not fit: ${problem}`);
    misfit.add(f.param);
  }
  const env: CompileEnv = { params, facts: new Set(), misfit, error: report };

  const id = String(doc.id);
  const base = opts.file.replace(/^.*\//, '').replace(/\.ya?ml$/i, '');
  if (base !== id) report(['id'], `rule id '${id}' must equal its file name '${base}'`);

  const forSpec = doc.for;
  const fromRaw = isPlainObject(forSpec) ? forSpec.from : forSpec;
  const fromList = Array.isArray(fromRaw) ? fromRaw : [fromRaw];
  const from = fromList
    .map((c, i) => checkCollection(c, isPlainObject(forSpec) ? ['for', 'from'] : Array.isArray(fromRaw) ? ['for', i] : ['for'], local))
    .filter((c): c is string => c !== undefined);
  const groupBy = isPlainObject(forSpec) && forSpec.groupBy !== undefined ? compilePath(forSpec.groupBy, ['for', 'groupBy'], env) : undefined;
  const aggregate = isPlainObject(forSpec) && forSpec.aggregate === true;

  const where = doc.where === undefined ? undefined : compileCondition(doc.where, ['where'], env);
  const joins = compileJoins(doc.join, ['join'], env, local);
  const lets = compileLets(doc.let, ['let'], env);
  const assert = compileCondition(doc.assert, ['assert'], env);
  const message = compileTemplate(doc.message, ['message'], env, local);
  const resourceRaw = isPlainObject(doc.resource) ? doc.resource : {};
  const resource = {
    kind: compileTemplate(resourceRaw.kind, ['resource', 'kind'], env, local),
    id: compileTemplate(resourceRaw.id, ['resource', 'id'], env, local),
    name: compileTemplate(resourceRaw.name, ['resource', 'name'], env, local),
  };

  const joinNames = new Set(joins.map((j) => j.name));
  const requiresAny = strings(doc.requiresAny);
  requiresAny.forEach((n, i) => {
    if (!joinNames.has(n)) report(['requiresAny', i], `'${n}' is not a join of this rule (joins: ${[...joinNames].join(', ') || 'none'})`);
    else if (joins.some((j) => j.name === n && j.presentation)) report(['requiresAny', i], `'${n}' is a presentation join, which is never evidence: it cannot be one of requiresAny`);
  });
  for (const l of lets) {
    if (joinNames.has(l.name)) report(['let', l.name], `'${l.name}' is already a join name`);
  }
  const grouped = groupBy !== undefined || aggregate;
  if (grouped) {
    for (const n of [...joinNames, ...lets.map((l) => l.name)]) {
      if (GROUP_FIELDS.includes(n)) report(['join'], `'${n}' is reserved for grouped records`);
    }
  }
  if (message) {
    const bound = new Set([...joinNames, ...lets.map((l) => l.name), ...(grouped ? GROUP_FIELDS : [])]);
    for (const p of message.paths) {
      const head = headName(p);
      if (grouped && head !== undefined && !bound.has(head)) {
        report(['message'], `'{{${p.text}}}': a grouped rule's message can use key, items, joins and lets, not '${head}'`);
      }
    }
  }

  // A control named twice, perhaps with `partial` and `full`: the compliance view would list the
  // rule twice and take the fuller claim.
  if (isPlainObject(doc.controls)) {
    for (const [framework, list] of Object.entries(doc.controls)) {
      if (!Array.isArray(list)) continue;
      const seen = new Set<string>();
      list.forEach((c, i) => {
        const cid = isPlainObject(c) ? c.id : undefined;
        if (typeof cid !== 'string') return;
        if (seen.has(cid)) report(['controls', framework, i, 'id'], `control ${cid} of ${framework} is listed twice: give it once, with the coverage the rule has`);
        seen.add(cid);
      });
    }
  }

  if (failed || from.length === 0 || !message) return undefined;
  const meta: RuleMeta = {
    id,
    title: String(doc.title),
    severity: doc.severity as Severity,
    description: String(doc.description).trim(),
    rationale: typeof doc.rationale === 'string' ? doc.rationale.trim() : undefined,
    remediation: typeof doc.remediation === 'string' ? doc.remediation.trim() : undefined,
    ...fixLine(doc),
    references: strings(doc.references),
    tags: strings(doc.tags),
    ...(doc.controls !== undefined ? { controls: controlRefs(doc.controls) } : {}),
    file: opts.file,
  };
  return {
    meta,
    builtin: opts.builtin === true,
    params,
    parameters: declarations,
    from,
    groupBy,
    aggregate,
    where,
    joins,
    requiresAny,
    lets,
    assert,
    message,
    resource,
    facts: [...env.facts].sort(),
  };
}
