/**
 * Turning ajv's errors into one clear message per real problem. ajv reports a failed `anyOf` as
 * one error per branch plus the `anyOf` itself, and a misspelt key both as an unknown property and
 * as a missing one; users need the cause, once, with a "did you mean" where one is close.
 * Shared by every file posture-lint validates: rules, the manifest, the config, export records.
 */
import type { ErrorObject } from 'ajv';
import { closest, didYouMean } from './suggest';

export interface SchemaProblem {
  /** Path of the offending value (or key, when `key`), as object keys and array indexes. */
  path: (string | number)[];
  message: string;
  /** The problem is the key at `path` itself (an unknown property), not its value. */
  key: boolean;
}

/** Allowed values an `enum` message lists; past this, a close match is named instead. */
const MAX_LISTED = 10;

/** Combinators only say "a branch failed"; the branch's own error is the real one. */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', '$ref']);

export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `object`, `string or object`, `string, number or object`. */
function typeList(types: readonly string[]): string {
  return types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0];
}

/**
 * The patterns the schemas users write share, in words: a regular expression means nothing to most
 * readers of a waiver or a manifest. A pattern not listed is quoted as it is.
 */
const PATTERN_WORDS: Readonly<Record<string, string>> = {
  '^\\d{4}-\\d{2}-\\d{2}$': 'a date written YYYY-MM-DD, such as 2027-03-31',
  '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$': 'a date (YYYY-MM-DD) or a time with its zone, such as 2026-11-27T02:00:00Z',
  '^[a-z][a-z0-9]*(-[a-z0-9]+)*$': "an id of lower-case letters and digits that starts with a letter, words joined by one '-', such as vm-onboarded-to-mde",
  '^[A-Za-z_][A-Za-z0-9_]*$': 'a name of letters, digits and _ that does not start with a digit',
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$': 'a GUID such as 6f1f0d64-1c1e-4c36-9a8e-0a7d1b3c2e11',
};

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** The declared property an unknown one is probably a misspelling of. */
function meantProperty(e: ErrorObject): string | undefined {
  const parent = e.parentSchema as { properties?: object; 'x-aliases'?: Record<string, string> } | undefined;
  const name = String((e.params as { additionalProperty: unknown }).additionalProperty);
  // A name other languages use for the same thing (`lte`) is too far from ours to be a typo.
  const aliases = parent?.['x-aliases'] ?? {};
  if (Object.hasOwn(aliases, name)) return aliases[name];
  return closest(name, Object.keys(parent?.properties ?? {}));
}

/** One error as a problem with its own message. */
export function describeSchemaError(e: ErrorObject): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const hint = meantProperty(e);
      return { path: [...path, name], key: true, message: `unknown property '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}` };
    }
    case 'required':
      return { path, key: false, message: `missing required property '${String(p.missingProperty)}'` };
    case 'enum': {
      const allowed = p.allowedValues as unknown[];
      const suffix = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      // A long list (the export kinds) buries the hint: name the value instead.
      if (suffix && allowed.length > MAX_LISTED) return { path, key: false, message: `'${String(e.data)}' is not one of the ${allowed.length} allowed values${suffix}` };
      return { path, key: false, message: `must be one of: ${list(allowed)}${suffix}` };
    }
    case 'const':
      return { path, key: false, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return { path, key: false, message: `must be ${typeList(types)}` };
    }
    case 'pattern': {
      const words = PATTERN_WORDS[String(p.pattern)];
      return { path, key: false, message: words ? `'${String(e.data)}' is not ${words}` : `'${String(e.data)}' does not match ${String(p.pattern)}` };
    }
    default:
      return { path, key: false, message: e.message ?? `fails '${e.keyword}'` };
  }
}

/**
 * An `anyOf` whose branches each require a different key ("one of field, allOf, …") failed
 * because none of the keys is there: say that, with a hint for a misspelt one.
 */
function missingAlternative(errors: readonly ErrorObject[]): SchemaProblem | undefined {
  const alternatives = errors.filter((e) => e.keyword === 'required').map((e) => String((e.params as { missingProperty: unknown }).missingProperty));
  if (alternatives.length < 2 || !errors.some((e) => e.keyword === 'anyOf')) return undefined;
  const present = Object.keys((errors[0].data as object | null) ?? {});
  const hint = present.map((k) => [k, closest(k, alternatives)] as const).find(([k, h]) => h !== undefined && h !== k);
  return {
    path: pointerToPath(errors[0].instancePath),
    key: false,
    message: `needs one of: ${alternatives.join(', ')}${hint ? ` (did you mean '${hint[1]}' for '${hint[0]}'?)` : ''}`,
  };
}

/** Every real problem, once each, in the order ajv found them (needs `allErrors` and `verbose`). */
export function schemaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  const add = (p: SchemaProblem) => {
    const id = `${p.path.join('/')}\u0000${p.message}`;
    if (!seen.has(id)) out.push(p);
    seen.add(id);
  };
  for (const group of byPath.values()) {
    const alternative = missingAlternative(group);
    if (alternative) {
      add(alternative);
      continue;
    }
    const real = group.filter((e) => !WRAPPERS.has(e.keyword));
    // Each branch of an anyOf wanted another type: name them all, not just the first.
    if (real.length > 1 && real.every((e) => e.keyword === 'type')) {
      const types = [...new Set(real.flatMap((e) => String((e.params as { type: unknown }).type).split(',')))];
      add({ path: pointerToPath(real[0].instancePath), key: false, message: `must be ${typeList(types)}` });
      continue;
    }
    const unknown = real.filter((e) => e.keyword === 'additionalProperties');
    // Several missing keys of one object are several problems, unless a combinator's branches each
    // asked for their own (then the first is the one to show).
    const required = group.some((e) => WRAPPERS.has(e.keyword) && e.keyword !== '$ref' && e.keyword !== 'allOf') ? [] : real.filter((e) => e.keyword === 'required');
    if (unknown.length || required.length) {
      // A misspelt required key shows up twice; the unknown-property message names both spellings.
      for (const e of unknown) add(describeSchemaError(e));
      const misspelt = new Set(unknown.map(meantProperty));
      for (const e of required) if (!misspelt.has(String((e.params as { missingProperty: unknown }).missingProperty))) add(describeSchemaError(e));
      continue;
    }
    if (real.length) add(describeSchemaError(real[0]));
  }
  return out;
}

/** The single deepest real problem: for records, where one message per record is enough. */
export function firstSchemaProblem(errors: readonly ErrorObject[]): SchemaProblem {
  const real = errors.filter((e) => !WRAPPERS.has(e.keyword));
  const pool = real.length > 0 ? real : errors;
  let best = pool[0];
  for (const e of pool) if (e.instancePath.split('/').length > best.instancePath.split('/').length) best = e;
  return best ? describeSchemaError(best) : { path: [], key: false, message: 'does not match the schema' };
}
