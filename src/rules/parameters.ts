/**
 * Rule parameters are typed: each declares what its value is, and both its default and any value
 * configuration gives it are checked against that. A value of the wrong shape would otherwise
 * switch a rule off quietly (`linuxPlatforms: Ubuntu`, a string, makes `in` match nothing, so the
 * rule checks no device and passes).
 */
import { RE2JS } from 're2js';
import { isPlainObject } from './values';
import { MAX_REGEX_LENGTH } from './operators';

export const PARAMETER_TYPES = ['string', 'number', 'integer', 'boolean', 'regex', 'list'] as const;
export const ELEMENT_TYPES = ['string', 'number', 'integer', 'boolean', 'null'] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];
type ElementType = (typeof ELEMENT_TYPES)[number];

export interface ParameterDeclaration {
  type: ParameterType;
  /** Element types of a list. */
  items?: ElementType[];
  /** Least value of a number or integer. */
  minimum?: number;
  /** Fewest elements of a list. */
  minItems?: number;
}

/** The declaration of a schema-valid `parameters` entry. */
export function declarationOf(spec: Record<string, unknown>): ParameterDeclaration {
  const items = spec.items === undefined ? undefined : ((Array.isArray(spec.items) ? spec.items : [spec.items]) as ElementType[]);
  return {
    type: spec.type as ParameterType,
    ...(items ? { items } : {}),
    ...(typeof spec.minimum === 'number' ? { minimum: spec.minimum } : {}),
    ...(typeof spec.minItems === 'number' ? { minItems: spec.minItems } : {}),
  };
}

/**
 * What is wrong with a schema-valid declaration (of a rule's or a named condition's parameter):
 * constraints for another type, a default that does not fit. Each with the key it is about.
 */
export function declarationProblems(name: string, spec: Record<string, unknown>): { key: string; message: string }[] {
  const decl = declarationOf(spec);
  const out: { key: string; message: string }[] = [];
  if (decl.type !== 'list' && spec.minItems !== undefined) out.push({ key: 'minItems', message: `minItems is for lists; parameter '${name}' is ${describeDeclaration(decl)}` });
  if (decl.type !== 'list' && spec.items !== undefined) out.push({ key: 'items', message: `items is for lists; parameter '${name}' is ${describeDeclaration(decl)}` });
  if (decl.type !== 'number' && decl.type !== 'integer' && spec.minimum !== undefined) {
    out.push({ key: 'minimum', message: `minimum is for numbers; parameter '${name}' is ${describeDeclaration(decl)}` });
  }
  if (Object.hasOwn(spec, 'default')) {
    const problem = parameterProblem(decl, spec.default);
    if (problem) out.push({ key: 'default', message: `parameter '${name}': ${problem}` });
  }
  return out;
}

/** "a list of strings or nulls", "a number ≥ 0", for messages. */
export function describeDeclaration(d: ParameterDeclaration): string {
  const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
  if (d.type === 'list') {
    const plural = (d.items ?? []).map((t) => (t === 'null' ? 'nulls' : `${t}s`)).join(' or ');
    return `a list of ${plural || 'values'}${d.minItems ? ` with at least ${d.minItems} element${d.minItems === 1 ? '' : 's'}` : ''}`;
  }
  if (d.type === 'regex') return 'an RE2 regular expression (a string)';
  return `${article(d.type)}${d.minimum !== undefined ? ` ≥ ${d.minimum}` : ''}`;
}

/** What a JSON value is, for messages: "a string ('Ubuntu')". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isPlainObject(v)) return 'a mapping';
  const shown = JSON.stringify(v);
  const short = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return `${typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : 'a string'} (${short})`;
}

function isElement(v: unknown, t: ElementType): boolean {
  if (t === 'null') return v === null;
  if (t === 'integer') return Number.isInteger(v);
  if (t === 'number') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === t;
}

/** Why `value` does not fit the declaration, or undefined when it does. */
export function parameterProblem(d: ParameterDeclaration, value: unknown): string | undefined {
  const expected = `expected ${describeDeclaration(d)}, got ${describeValue(value)}`;
  switch (d.type) {
    case 'list': {
      if (!Array.isArray(value)) return expected;
      const types = d.items ?? [];
      const bad = value.findIndex((el) => !types.some((t) => isElement(el, t)));
      if (bad >= 0) return `expected ${describeDeclaration(d)}, but element ${bad + 1} is ${describeValue(value[bad])}`;
      if (d.minItems !== undefined && value.length < d.minItems) return expected;
      return undefined;
    }
    case 'regex': {
      if (typeof value !== 'string') return expected;
      if (value.length > MAX_REGEX_LENGTH) return `a regular expression may be at most ${MAX_REGEX_LENGTH} characters`;
      try {
        RE2JS.compile(value);
      } catch (e) {
        return `regular expression '${value}' is not valid RE2: ${(e as Error).message}`;
      }
      return undefined;
    }
    default:
      if (!isElement(value, d.type)) return expected;
      if (d.minimum !== undefined && (value as number) < d.minimum) return expected;
      return undefined;
  }
}

/**
 * The JSON Schema of a `parameters` entry: of a rule (schemas/rule.schema.json), where every
 * parameter has a default, or of a named condition (schemas/conditions.schema.json), where one
 * without a default is an argument every reference must give.
 */
export function parameterSchema(options: { defaultRequired: boolean } = { defaultRequired: true }): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: options.defaultRequired ? ['type', 'default'] : ['type'],
    properties: {
      type: {
        enum: [...PARAMETER_TYPES],
        description: 'What the value is: string, number, integer, boolean, regex (an RE2 pattern) or list (see items). Defaults and configured values of another type are errors.',
      },
      items: {
        description: 'For a list: the type of its elements, or a list of types (string, number, integer, boolean, null).',
        anyOf: [{ enum: [...ELEMENT_TYPES] }, { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ELEMENT_TYPES] } }],
      },
      minimum: { type: 'number', description: 'For a number or integer: the least value allowed.' },
      minItems: { type: 'integer', minimum: 0, description: 'For a list: the fewest elements allowed.' },
      default: {
        description: options.defaultRequired
          ? 'Value used unless configuration overrides it; it must fit the type.'
          : 'Value used when a reference gives no argument; it must fit the type. Without one, every reference must give the argument.',
      },
      description: { type: 'string', description: 'What the parameter means.' },
    },
    if: { properties: { type: { const: 'list', description: 'A list needs the type of its elements.' } } },
    then: { required: ['items'] },
  };
}
