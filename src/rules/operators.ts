/**
 * The operator table: the whole vocabulary of field conditions. Each operator carries the schema
 * of its operand (used by the rule schema, so editors and the loader agree), a one-line summary and
 * an example (used by the generated reference), an optional `prepare` that compiles a literal
 * operand once at load, and `test`, which never throws.
 *
 * Absent fields: a field that is not there (`undefined`) fails every operator except
 * `exists: false`. `null` is a value for equals/notEquals/in/notIn and fails the others.
 */
import { RE2JS } from 're2js';
import { toNumber, toTime, valuesEqual, withinAnyScope, withinScope, foldCase } from './values';
import { CLOCK_SKEW_MS } from '../time';

export interface OperatorEnv {
  caseSensitive: boolean;
  /** Evaluation time in epoch milliseconds (the snapshot's `takenAt`). */
  now: number;
}

export interface OperatorDef {
  name: string;
  summary: string;
  /** JSON Schema of a literal operand. */
  operand: Record<string, unknown>;
  example: string;
  /** Whether the operator decides on `undefined` itself (only `exists`). */
  acceptsMissing?: boolean;
  /** Whether `null` is compared as a value. */
  acceptsNull?: boolean;
  /** What other languages call it (`lte`, `$ne`): a misspelling hint, never accepted as a key. */
  aliases?: readonly string[];
  /** Compile a literal operand once; return an error message when it is unusable. */
  prepare?: (operand: unknown, env: { caseSensitive: boolean }) => { value: unknown } | string;
  test: (actual: unknown, operand: unknown, env: OperatorEnv) => boolean;
}

/** Regular expressions (operands of `match`, regex parameters) are at most this long. */
export const MAX_REGEX_LENGTH = 1000;
const DAY_MS = 86_400_000;

function numeric(compare: (a: number, b: number) => boolean) {
  return (actual: unknown, operand: unknown): boolean => {
    const a = toNumber(actual);
    const b = toNumber(operand);
    return a !== undefined && b !== undefined && compare(a, b);
  };
}

function stringTest(check: (a: string, b: string) => boolean) {
  return (actual: unknown, operand: unknown, env: OperatorEnv): boolean =>
    typeof actual === 'string' &&
    typeof operand === 'string' &&
    check(foldCase(actual, env.caseSensitive), foldCase(operand, env.caseSensitive));
}

/** Days from the timestamp to the evaluation time; undefined when unreadable or in the future. */
function ageDays(actual: unknown, now: number): number | undefined {
  const t = toTime(actual);
  if (t === undefined || t > now + CLOCK_SKEW_MS) return undefined;
  return Math.max(0, now - t) / DAY_MS;
}

function inList(actual: unknown, operand: unknown, env: OperatorEnv): boolean {
  if (!Array.isArray(operand)) return false;
  for (let i = 0; i < operand.length; i++) if (valuesEqual(actual, operand[i], env.caseSensitive)) return true;
  return false;
}

/** Compiled patterns (or why they are not valid), kept a while: bounded, as long-running callers load many rules. */
const REGEX_CACHE = new Map<string, Pattern | string>();
const REGEX_CACHE_SIZE = 1_000;

/**
 * What a pattern remembers before it starts again: enough for a field's distinct values, and
 * bounded in characters too, as patterns are shared by every rule (and run) of the process.
 */
const ANSWERS_KEPT = 4_096;
const ANSWER_CHARS_KEPT = 64 * 1024;

/**
 * What all patterns remember together before they all start again. Patterns outlive runs (the
 * cache above keeps up to a thousand, and loaded rules hold theirs), so bounds per pattern alone
 * let a long-running process hold a thousand patterns' answers: hundreds of MB of old snapshots'
 * values. A few patterns' worth is all one run's repeated values need.
 */
const ALL_ANSWERS_KEPT = 16 * ANSWERS_KEPT;
const ALL_ANSWER_CHARS_KEPT = 16 * ANSWER_CHARS_KEPT;

/** The patterns that hold answers, and how many answers and characters they hold together. */
const remembering = new Set<Pattern>();
let answersHeld = 0;
let charsHeld = 0;

/**
 * A compiled RE2 pattern with its recent answers. Exports repeat the values patterns are matched
 * against on thousands of records (osPlatform, osName, image SKUs, resource types), and an RE2JS
 * match costs microseconds where a lookup costs a fraction of one; a match is a pure function of
 * the text, so a remembered answer is the answer.
 */
class Pattern {
  private readonly answers = new Map<string, boolean>();
  private chars = 0;

  constructor(private readonly re: RE2JS) {}

  test(text: string): boolean {
    let found = this.answers.get(text);
    if (found === undefined) {
      found = this.re.matcher(text).find();
      if (text.length <= ANSWER_CHARS_KEPT) this.remember(text, found);
    }
    return found;
  }

  private remember(text: string, found: boolean): void {
    if (this.answers.size >= ANSWERS_KEPT || this.chars + text.length > ANSWER_CHARS_KEPT) this.forget();
    if (answersHeld >= ALL_ANSWERS_KEPT || charsHeld + text.length > ALL_ANSWER_CHARS_KEPT) {
      for (const pattern of remembering) pattern.forget();
    }
    this.answers.set(text, found);
    this.chars += text.length;
    answersHeld++;
    charsHeld += text.length;
    remembering.add(this);
  }

  private forget(): void {
    answersHeld -= this.answers.size;
    charsHeld -= this.chars;
    this.answers.clear();
    this.chars = 0;
    remembering.delete(this);
  }
}

/**
 * A pattern compiled once however often it is read: a regex parameter read thousands of times
 * through a named condition would otherwise be compiled (and held) thousands of times, which ran a
 * validate of five small rules out of memory. A pattern answers the same for the same text, so it is
 * shared, with the answers it remembers.
 */
function compiledRegex(pattern: string, caseSensitive: boolean): Pattern | string {
  const key = `${caseSensitive ? 's' : 'i'}${pattern}`;
  const known = REGEX_CACHE.get(key);
  if (known !== undefined) return known;
  let compiled: Pattern | string;
  try {
    compiled = new Pattern(RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE));
  } catch (e) {
    compiled = (e as Error).message;
  }
  if (REGEX_CACHE.size >= REGEX_CACHE_SIZE) REGEX_CACHE.clear();
  REGEX_CACHE.set(key, compiled);
  return compiled;
}

export const OPERATORS: readonly OperatorDef[] = [
  {
    name: 'equals',
    aliases: ['eq', 'equal', 'is'],
    summary: 'The field equals the value (strings case-insensitively; "5" equals 5).',
    operand: {},
    example: '{ field: properties.pricingTier, equals: Standard }',
    acceptsNull: true,
    test: (a, o, env) => valuesEqual(a, o, env.caseSensitive),
  },
  {
    name: 'notEquals',
    aliases: ['ne', 'neq', 'notEqual', 'isNot'],
    summary: 'The field is present and differs from the value.',
    operand: {},
    example: '{ field: healthStatus, notEquals: Inactive }',
    acceptsNull: true,
    test: (a, o, env) => !valuesEqual(a, o, env.caseSensitive),
  },
  {
    name: 'in',
    summary: 'The field equals one of the listed values.',
    operand: { type: 'array' },
    example: '{ field: osPlatform, in: [Ubuntu, Debian, RedHatEnterpriseLinux] }',
    acceptsNull: true,
    test: inList,
  },
  {
    name: 'notIn',
    aliases: ['nin'],
    summary: 'The field is present and equals none of the listed values.',
    operand: { type: 'array' },
    example: '{ field: rbacGroupName, notIn: [UnassignedGroup, "Ungrouped devices (default)"] }',
    acceptsNull: true,
    test: (a, o, env) => Array.isArray(o) && !inList(a, o, env),
  },
  {
    name: 'exists',
    summary: 'true: the field is present and not null; false: it is absent or null.',
    operand: { type: 'boolean' },
    example: '{ field: vmMetadata.vmId, exists: true }',
    acceptsMissing: true,
    acceptsNull: true,
    test: (a, o) => (a !== undefined && a !== null) === o,
  },
  {
    name: 'match',
    aliases: ['matches', 'regex', 'like'],
    summary: 'The string field matches the RE2 regular expression (linear time; no backreferences or lookaround).',
    operand: { type: 'string', maxLength: MAX_REGEX_LENGTH },
    example: "{ field: properties.scope, match: '^/subscriptions/[^/]+$' }",
    prepare: (operand, env) => {
      if (typeof operand !== 'string') return 'match needs a regular expression string';
      const compiled = compiledRegex(operand, env.caseSensitive);
      return typeof compiled === 'string' ? `regular expression '${operand}' is not valid RE2: ${compiled}` : { value: compiled };
    },
    test: (a, o) => typeof a === 'string' && o instanceof Pattern && o.test(a),
  },
  {
    name: 'startsWith',
    summary: 'The string field starts with the value.',
    operand: { type: 'string' },
    example: '{ field: id, startsWith: /subscriptions/ }',
    test: stringTest((a, b) => a.startsWith(b)),
  },
  {
    name: 'endsWith',
    summary: 'The string field ends with the value.',
    operand: { type: 'string' },
    example: '{ field: computerDnsName, endsWith: .contoso.com }',
    test: stringTest((a, b) => a.endsWith(b)),
  },
  {
    name: 'contains',
    summary: 'A string field contains the text, or an array field holds an element equal to the value.',
    operand: { type: ['string', 'number', 'boolean'] },
    example: '{ field: machineTags, contains: prod }',
    test: (a, o, env) =>
      Array.isArray(a)
        ? a.some((x) => valuesEqual(x, o, env.caseSensitive))
        : typeof a === 'string' && typeof o === 'string' && foldCase(a, env.caseSensitive).includes(foldCase(o, env.caseSensitive)),
  },
  {
    name: 'less',
    aliases: ['lt', 'lessThan'],
    summary: 'The numeric field is less than the value.',
    operand: { type: 'number' },
    example: '{ field: osBuild, less: 17763 }',
    test: numeric((a, b) => a < b),
  },
  {
    name: 'lessOrEqual',
    aliases: ['lte', 'le', 'lessOrEquals', 'lessThanOrEqual'],
    summary: 'The numeric field is less than or equal to the value.',
    operand: { type: 'number' },
    example: '{ field: riskScoreValue, lessOrEqual: 3 }',
    test: numeric((a, b) => a <= b),
  },
  {
    name: 'greater',
    aliases: ['gt', 'greaterThan'],
    summary: 'The numeric field is greater than the value.',
    operand: { type: 'number' },
    example: '{ field: exposedMachinesCount, greater: 0 }',
    test: numeric((a, b) => a > b),
  },
  {
    name: 'greaterOrEqual',
    aliases: ['gte', 'ge', 'greaterOrEquals', 'greaterThanOrEqual'],
    summary: 'The numeric field is greater than or equal to the value.',
    operand: { type: 'number' },
    example: '{ field: osBuild, greaterOrEqual: 20348 }',
    test: numeric((a, b) => a >= b),
  },
  {
    name: 'olderThanDays',
    summary: 'The timestamp (ISO 8601 or epoch ms) is more than N days before the snapshot time. Missing, unreadable and future timestamps (more than an hour after the snapshot time) fail.',
    operand: { type: 'number', minimum: 0 },
    example: '{ field: lastSeen, olderThanDays: 30 }',
    test: (a, o, env) => {
      const age = ageDays(a, env.now);
      return age !== undefined && typeof o === 'number' && age > o;
    },
  },
  {
    name: 'withinDays',
    summary: 'The timestamp (ISO 8601 or epoch ms) is at most N days before the snapshot time. Missing, unreadable and future timestamps (more than an hour after the snapshot time) fail.',
    operand: { type: 'number', minimum: 0 },
    example: '{ field: lastSeen, withinDays: 7 }',
    test: (a, o, env) => {
      const age = ageDays(a, env.now);
      return age !== undefined && typeof o === 'number' && age <= o;
    },
  },
  {
    name: 'withinScope',
    summary: 'The ARM id is the given scope or lies under it (whole segments, case-insensitive); given a list of scopes, one of them.',
    operand: { type: ['string', 'array'], items: { type: 'string' } },
    example: '{ field: id, withinScope: { $field: key } }',
    test: (a, o) => typeof a === 'string' && (typeof o === 'string' ? withinScope(a, o) : Array.isArray(o) && withinAnyScope(a, o)),
  },
];

export const OPERATOR_NAMES: readonly string[] = OPERATORS.map((o) => o.name);

const byName = new Map(OPERATORS.map((o) => [o.name, o]));

export function operator(name: string): OperatorDef | undefined {
  return byName.get(name);
}

/** Operators a `count` condition may use to bound the count. */
export const COUNT_OPERATORS: readonly string[] = ['equals', 'notEquals', 'less', 'lessOrEqual', 'greater', 'greaterOrEqual'];
