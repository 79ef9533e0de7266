/**
 * Compiles a rule's condition tree into a predicate, once per rule. Paths are parsed, parameter
 * references resolved and regexes compiled here, so evaluation does no parsing at all. Problems
 * are reported through `env.error` with the YAML path of the offending node.
 */
import { COUNT_OPERATORS, operator, OPERATOR_NAMES, type OperatorDef, type OperatorEnv } from './operators';
import { Bound, elements, parsePath, resolveBound, resolvePath, type ParsedPath } from './path';
import { isPlainObject } from './values';
import type { EvalContext, Predicate } from './types';
import { FACTS } from '../snapshot/facts';
import { didYouMean } from '../suggest';
import { describeValue } from './parameters';

const FACT_NAMES: ReadonlySet<string> = new Set(FACTS.map((f) => f.name));

/** The message for a fact posture-lint does not know (a misspelt one would never have a value). */
export function unknownFact(name: string): string {
  return `unknown fact '${name}'${didYouMean(name, FACT_NAMES)} (known: ${[...FACT_NAMES].join(', ')})`;
}

export function isKnownFact(name: string): boolean {
  return FACT_NAMES.has(name);
}

export type YamlPath = (string | number)[];

export interface CompileEnv {
  params: Readonly<Record<string, unknown>>;
  /** Facts referenced so far (filled by the compiler). */
  facts: Set<string>;
  /** Parameters whose value was already reported as not fitting their declaration: not reported again where read. */
  misfit?: ReadonlySet<string>;
  error(at: YamlPath, message: string): void;
}

const never: Predicate = () => false;

/** Conditions nested deeper than this are refused at load: no honest rule needs them. */
export const MAX_CONDITION_DEPTH = 32;
const NESTING_KEYS = new Set(['allOf', 'anyOf', 'not', 'satisfies', 'where']);

/** A right-hand value: literal (`param` names the parameter it came from), or read at evaluation time. */
type Operand = { literal: unknown; param?: string } | { field: ParsedPath } | { fact: string };

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;
}

/**
 * A parameter's value fits what the operator takes (`in` a list, `less` a number)? Literals are
 * checked by the rule schema; parameter values are only known here, and one of the wrong type
 * would make the operator fail or pass for every record.
 */
function paramMismatch(operand: Operand, schema: Record<string, unknown>, what: string): string | undefined {
  if (!('literal' in operand) || operand.param === undefined) return undefined;
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? (schema.type as string[]) : undefined;
  if (!types || types.includes(jsonType(operand.literal))) return undefined;
  return `${what} takes ${types.map((t) => (t === 'array' ? 'a list' : `a ${t}`)).join(' or ')}, but parameter '${operand.param}' is ${describeValue(operand.literal)}`;
}

export function compilePath(raw: unknown, at: YamlPath, env: CompileEnv): ParsedPath | undefined {
  if (typeof raw !== 'string') {
    env.error(at, 'expected a field path (string)');
    return undefined;
  }
  const p = parsePath(raw);
  if (typeof p === 'string') {
    env.error(at, p);
    return undefined;
  }
  return p;
}

function compileOperand(raw: unknown, at: YamlPath, env: CompileEnv): Operand | undefined {
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      const [key] = keys;
      const name = raw[key];
      if (key === '$param') {
        if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(env.params, name)) {
          const hint = typeof name === 'string' ? didYouMean(name, Object.keys(env.params)) : '';
          env.error([...at, key], `unknown parameter '${String(name)}'${hint} (declared: ${Object.keys(env.params).join(', ') || 'none'})`);
          return undefined;
        }
        return { literal: env.params[name], param: name };
      }
      if (key === '$fact') {
        if (typeof name !== 'string' || name === '') {
          env.error([...at, key], 'a $fact reference needs a fact name');
          return undefined;
        }
        if (!FACT_NAMES.has(name)) {
          env.error([...at, key], unknownFact(name));
          return undefined;
        }
        env.facts.add(name);
        return { fact: name };
      }
      if (key === '$field') {
        const p = compilePath(name, [...at, key], env);
        return p ? { field: p } : undefined;
      }
      env.error([...at, key], `unknown value reference '${key}' (use $field, $param or $fact)`);
      return undefined;
    }
  }
  return { literal: raw };
}

function operandValue(op: Operand, scope: Bound, ctx: EvalContext): unknown {
  if ('literal' in op) return op.literal;
  if ('fact' in op) return ctx.facts.get(op.fact);
  return resolvePath(op.field, scope, ctx.budget);
}

/**
 * The operator environment of one condition, made again only when the evaluation time changes: a
 * condition is tested millions of times per run, and an object per test is garbage to collect.
 */
function operatorEnv(caseSensitive: boolean): (ctx: EvalContext) => OperatorEnv {
  let env: OperatorEnv = { caseSensitive, now: Number.NaN };
  return (ctx) => (env.now === ctx.now ? env : (env = { caseSensitive, now: ctx.now }));
}

function compileField(raw: Record<string, unknown>, at: YamlPath, env: CompileEnv): Predicate {
  const path = compilePath(raw.field, [...at, 'field'], env);
  const caseSensitive = raw.caseSensitive === true;
  const opNames = Object.keys(raw).filter((k) => k !== 'field' && k !== 'caseSensitive');
  if (opNames.length !== 1) {
    env.error(at, opNames.length === 0
      ? `a field condition needs one operator (${OPERATOR_NAMES.join(', ')})`
      : `a field condition takes exactly one operator, found ${opNames.join(', ')}`);
    return never;
  }
  const def = operator(opNames[0]);
  if (!def) {
    env.error([...at, opNames[0]], `unknown operator '${opNames[0]}'`);
    return never;
  }
  const operand = compileOperand(raw[def.name], [...at, def.name], env);
  if (!path || !operand) return never;
  return fieldPredicate(path, def, operand, caseSensitive, [...at, def.name], env);
}

function isMisfit(operand: Operand, env: CompileEnv): boolean {
  return 'literal' in operand && operand.param !== undefined && env.misfit?.has(operand.param) === true;
}

/** Items of a list operand that cost one step: comparing one with a value takes about 20 ns. */
const LIST_ITEMS_PER_STEP = 4;

function fieldPredicate(path: ParsedPath, def: OperatorDef, operand: Operand, caseSensitive: boolean, at: YamlPath, env: CompileEnv): Predicate {
  if (isMisfit(operand, env)) return never;
  const mismatch = paramMismatch(operand, def.operand, def.name);
  if (mismatch) {
    env.error(at, mismatch);
    return never;
  }
  let fixed: Operand = operand;
  if (def.prepare && 'literal' in operand) {
    const prepared = def.prepare(operand.literal, { caseSensitive });
    if (typeof prepared === 'string') {
      env.error(at, prepared);
      return never;
    }
    fixed = { literal: prepared.value };
  } else if (def.prepare) {
    env.error(at, `${def.name} needs a literal or a $param value, not a value read at evaluation time`);
    return never;
  }
  const envOf = operatorEnv(caseSensitive);
  return (scope, ctx) => {
    const actual = resolvePath(path, scope, ctx.budget);
    if (actual === undefined && !def.acceptsMissing) return false;
    if (actual === null && !def.acceptsNull) return false;
    const value = operandValue(fixed, scope, ctx);
    if (value === undefined && !('literal' in fixed)) return false;
    // A list operand (in, notIn) is compared item by item, and a list parameter can be read thousands
    // of times (a named condition used over and over): its length is charged, or a few lines multiply.
    if (Array.isArray(value) && value.length > LIST_ITEMS_PER_STEP) ctx.budget.spend(Math.floor(value.length / LIST_ITEMS_PER_STEP));
    return def.test(actual, value, envOf(ctx));
  };
}

function compileList(raw: unknown, at: YamlPath, env: CompileEnv): Predicate[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    env.error(at, 'expected a non-empty list of conditions');
    return [];
  }
  return raw.map((c, i) => compileCondition(c, [...at, i], env));
}

function bindName(raw: unknown, at: YamlPath, env: CompileEnv): string {
  if (raw === undefined) return 'item';
  if (typeof raw !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
    env.error(at, "'as' must be a simple name like item or device");
    return 'item';
  }
  return raw;
}

function compileQuantifier(raw: Record<string, unknown>, at: YamlPath, env: CompileEnv): Predicate {
  const kinds = (['any', 'all', 'none'] as const).filter((k) => k in raw);
  if (kinds.length !== 1) {
    env.error(at, 'a quantifier takes exactly one of any, all, none');
    return never;
  }
  const kind = kinds[0];
  const list = compilePath(raw[kind], [...at, kind], env);
  const as = bindName(raw.as, [...at, 'as'], env);
  if (!('satisfies' in raw)) {
    env.error(at, `'${kind}' needs 'satisfies': the condition each element is checked against`);
    return never;
  }
  const test = compileCondition(raw.satisfies, [...at, 'satisfies'], env);
  if (!list) return never;
  return (scope, ctx) => {
    const value = resolveBound(list, scope, ctx.budget);
    // A list that is not there fails, like an absent field: `all` must not hold over nothing read.
    if (value === undefined || value === null) return false;
    const els = elements(value);
    ctx.budget.spend(els.length);
    // `all` stops at the first element that fails, `any` and `none` at the first that passes.
    const stopAt = kind !== 'all';
    // One scope for every element: nothing keeps an element's scope once its test is done.
    const element = Bound.element(scope, as, undefined);
    for (let i = 0; i < els.length; i++) if (test(element.rebind(els[i]), ctx) === stopAt) return kind === 'any';
    return kind !== 'any';
  };
}

/** Characters of a `distinct` key that cost one step: building a key (JSON with folded case) takes about 80 ns per 4 characters. */
const DISTINCT_CHARS_PER_STEP = 4;

/** Equal values (as valuesEqual sees them: strings case-insensitive, "5" = 5) get equal keys. */
function distinctKey(v: unknown): string {
  if (typeof v === 'string') return v.trim() !== '' && Number.isFinite(Number(v)) ? `n${Number(v)}` : `s${v.toLowerCase()}`;
  if (typeof v === 'number') return `n${v}`;
  if (v === undefined) return 'u';
  return `j${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x))}`;
}

/** Elements of a list that pass `where`, optionally reduced to distinct values of a path. */
export function selectElements(
  els: unknown[],
  scope: Bound,
  ctx: EvalContext,
  opts: { as: string; where?: Predicate; distinct?: ParsedPath },
): unknown[] {
  const out: unknown[] = [];
  selectInto(els, scope, ctx, opts, out);
  return out;
}

/**
 * How many elements selectElements would give, at the same cost in steps, without the list: a
 * count over every device of an aggregate, or a count read once per element of another list, would
 * otherwise copy the list each time.
 */
function countElements(els: unknown[], scope: Bound, ctx: EvalContext, opts: { as: string; where?: Predicate; distinct?: ParsedPath }): number {
  return selectInto(els, scope, ctx, opts, undefined);
}

/** The selection of selectElements, appended to `out` when given; returns how many were selected. */
function selectInto(
  els: unknown[],
  scope: Bound,
  ctx: EvalContext,
  opts: { as: string; where?: Predicate; distinct?: ParsedPath },
  out: unknown[] | undefined,
): number {
  ctx.budget.spend(els.length);
  const { where, distinct } = opts;
  // Nothing to test: every element is selected, and none needs a scope of its own.
  if (where === undefined && distinct === undefined) {
    if (out !== undefined) for (let i = 0; i < els.length; i++) out.push(els[i]);
    return els.length;
  }
  const seen = distinct ? new Set<string>() : undefined;
  const element = Bound.element(scope, opts.as, undefined);
  let n = 0;
  for (let i = 0; i < els.length; i++) {
    const el = els[i];
    const bound = element.rebind(el);
    if (where && !where(bound, ctx)) continue;
    if (distinct) {
      const key = distinctKey(resolvePath(distinct, bound, ctx.budget));
      // A key of a whole record or list is its JSON: its cost grows with its size, so it is charged by it.
      if (key.length > DISTINCT_CHARS_PER_STEP) ctx.budget.spend(Math.floor(key.length / DISTINCT_CHARS_PER_STEP));
      if (seen!.has(key)) continue;
      seen!.add(key);
    }
    n++;
    out?.push(el);
  }
  return n;
}

function compileCount(raw: Record<string, unknown>, at: YamlPath, env: CompileEnv): Predicate {
  const list = compilePath(raw.count, [...at, 'count'], env);
  const as = bindName(raw.as, [...at, 'as'], env);
  const where = raw.where === undefined ? undefined : compileCondition(raw.where, [...at, 'where'], env);
  const distinct = raw.distinct === undefined ? undefined : compilePath(raw.distinct, [...at, 'distinct'], env);
  const bounds = Object.keys(raw).filter((k) => COUNT_OPERATORS.includes(k));
  if (bounds.length === 0) {
    env.error(at, `'count' needs a bound: ${COUNT_OPERATORS.join(', ')}`);
    return never;
  }
  const checks: { def: OperatorDef; operand: Operand }[] = [];
  for (const name of bounds) {
    const operand = compileOperand(raw[name], [...at, name], env);
    const def = operator(name);
    const mismatch = operand && !isMisfit(operand, env) && paramMismatch(operand, { type: 'number' }, `a count bound (${name})`);
    if (mismatch) env.error([...at, name], mismatch);
    else if (operand && isMisfit(operand, env)) continue;
    else if (operand && def) checks.push({ def, operand });
  }
  if (!list) return never;
  const select = { as, where, distinct };
  const envOf = operatorEnv(false);
  return (scope, ctx) => {
    const value = resolveBound(list, scope, ctx.budget);
    if (value === undefined || value === null) return false;
    const n = countElements(elements(value), scope, ctx, select);
    for (const { def, operand } of checks) if (!def.test(n, operandValue(operand, scope, ctx), envOf(ctx))) return false;
    return true;
  };
}

export function compileCondition(raw: unknown, at: YamlPath, env: CompileEnv): Predicate {
  if (at.filter((s) => typeof s === 'string' && NESTING_KEYS.has(s)).length > MAX_CONDITION_DEPTH) {
    env.error(at, `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`);
    return never;
  }
  if (!isPlainObject(raw)) {
    env.error(at, 'expected a condition (a mapping such as { field: name, equals: value })');
    return never;
  }
  if ('field' in raw) return compileField(raw, at, env);
  if ('allOf' in raw) {
    const parts = compileList(raw.allOf, [...at, 'allOf'], env);
    return (s, c) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i](s, c)) return false;
      return true;
    };
  }
  if ('anyOf' in raw) {
    const parts = compileList(raw.anyOf, [...at, 'anyOf'], env);
    return (s, c) => {
      for (let i = 0; i < parts.length; i++) if (parts[i](s, c)) return true;
      return false;
    };
  }
  if ('not' in raw) {
    const inner = compileCondition(raw.not, [...at, 'not'], env);
    return (s, c) => !inner(s, c);
  }
  if ('any' in raw || 'all' in raw || 'none' in raw) return compileQuantifier(raw, at, env);
  if ('count' in raw) return compileCount(raw, at, env);
  // A reference to a named condition left in place: its expansion failed and said why (src/rules/expand.ts).
  if (Object.hasOwn(raw, 'condition')) return never;
  env.error(at, 'a condition needs one of: field, allOf, anyOf, not, any, all, none, count, condition');
  return never;
}

