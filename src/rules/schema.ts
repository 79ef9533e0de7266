/**
 * Builds the rule-file JSON Schema from the operator table. `schemas/rule.schema.json` is this
 * object written to disk (`npm run schema`); the loader validates with that file and a test fails
 * when the file and the table disagree, so editors and the runtime cannot drift.
 *
 * Condition variants are told apart with `if`/`then` on their key (`field`, `allOf`, `any`, ...)
 * instead of `anyOf`, so a mistake yields errors from the intended variant only, not a cascade.
 */
import { COUNT_OPERATORS, OPERATORS } from './operators';
import { parameterSchema } from './parameters';
import { frameworks } from '../compliance/frameworks';

export const RULE_SCHEMA_ID = 'https://posture-lint.dev/schemas/rule.schema.json';
export const CONDITIONS_SCHEMA_ID = 'https://posture-lint.dev/schemas/conditions.schema.json';
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
export const ID_PATTERN = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const valueRef = {
  description: 'A value read at evaluation time instead of a literal.',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    $field: { type: 'string', description: 'Path of another field of the record (or a bound name).' },
    $param: { type: 'string', description: 'Name of a rule parameter.' },
    $fact: { type: 'string', description: 'Name of a snapshot fact, e.g. xdrTenantId.' },
  },
};

function operandSchema(literal: Record<string, unknown>, description: string): Record<string, unknown> {
  return { description, anyOf: [{ $ref: '#/$defs/valueRef' }, literal] };
}

const conditionKinds: [string, string][] = [
  ['field', 'fieldCondition'],
  ['allOf', 'allOfCondition'],
  ['anyOf', 'anyOfCondition'],
  ['not', 'notCondition'],
  ['any', 'quantifierCondition'],
  ['all', 'quantifierCondition'],
  ['none', 'quantifierCondition'],
  ['count', 'countCondition'],
  ['condition', 'conditionReference'],
];

export const CONDITION_KEYS: readonly string[] = conditionKinds.map(([k]) => k);

/** Editors show `title` in completion lists: give every property one (its name), keeping any set. */
function titled(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(titled);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, titled({ title: name, ...(sub as object) })]));
    } else {
      out[k] = titled(v);
    }
  }
  return out;
}

export function buildRuleSchema(): Record<string, unknown> {
  return titled(ruleSchema()) as Record<string, unknown>;
}

/**
 * The schema of a named-conditions file (`*.conditions.yaml`): definitions whose bodies are
 * conditions of the rule language, so it shares the rule schema's condition definitions.
 */
export function buildConditionsSchema(): Record<string, unknown> {
  const defs = ruleSchema().$defs as Record<string, unknown>;
  const { joins: _joins, ...conditionDefs } = defs;
  return titled({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONDITIONS_SCHEMA_ID,
    title: 'posture-lint named conditions',
    description:
      'Named conditions that rules reference with { condition: name, with: { parameter: value } }: each is defined once, with typed parameters, and its body is a condition of the rule language.',
    type: 'object',
    additionalProperties: false,
    required: ['conditions'],
    properties: {
      conditions: {
        type: 'object',
        minProperties: 1,
        description: 'Named conditions by name (kebab-case, unique across posture-lint\'s own and every conditions file of a run).',
        propertyNames: { pattern: ID_PATTERN, maxLength: 80 },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['description', 'condition'],
          properties: {
            description: { type: 'string', minLength: 1, description: 'What holds when the condition holds; `explain` shows it for the rules that use it.' },
            parameters: {
              type: 'object',
              description: 'Named, typed parameters; the body reads them with { $param: name }. One without a default must be given by every reference.',
              propertyNames: { pattern: NAME_PATTERN },
              additionalProperties: parameterSchema({ defaultRequired: false }),
            },
            condition: { $ref: '#/$defs/condition', description: 'The condition, in the rule language; it reads the fields of the record (or group) it is used on.' },
          },
        },
      },
    },
    $defs: conditionDefs,
  }) as Record<string, unknown>;
}

/**
 * `controls`: per framework version (a catalogue under frameworks/), the controls the rule
 * evidences. Ids are enumerated from the catalogues, so a control that does not exist is refused at
 * its line, and editors complete them.
 */
function controlsSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of frameworks()) {
    properties[f.key] = {
      description: `${f.name} ${f.version} (${f.source}): the controls this rule evidences.`,
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'coverage'],
        properties: {
          id: { enum: f.controls.map((c) => c.id), description: `A control id of ${f.name} ${f.version}, as frameworks/ lists it.` },
          coverage: {
            enum: ['full', 'partial'],
            description: 'full: passing this rule evidences the whole control; partial: only part of it (say which in note), so the control is never reported met on this rule alone.',
          },
          note: { type: 'string', minLength: 1, description: 'Which part of the control the rule evidences, or why it maps.' },
        },
      },
    };
  }
  return {
    type: 'object',
    additionalProperties: false,
    description:
      'The framework controls this rule evidences, by framework version (e.g. mcsb@v1, cis-azure@3.0.0, nist-800-53@r5); `lint --framework` reports per control from them. An empty object says the rule evidences no control.',
    properties,
  };
}

function ruleSchema(): Record<string, unknown> {
  const fieldProps: Record<string, unknown> = {
    field: { type: 'string', description: 'Path of the value to test (dotted, [n], [\'key\'], or JSONPath starting with $).' },
    caseSensitive: { type: 'boolean', description: 'Compare strings case-sensitively (default false).' },
  };
  for (const op of OPERATORS) fieldProps[op.name] = operandSchema(op.operand, `${op.summary} Example: ${op.example}`);

  const countProps: Record<string, unknown> = {
    count: { type: 'string', description: 'Path of a list (array field, joined set or let) whose elements are counted.' },
    as: { type: 'string', pattern: NAME_PATTERN, description: 'Name the element is bound to in `where` and `distinct` (default item).' },
    where: { $ref: '#/$defs/condition', description: 'Count only the elements that satisfy this condition.' },
    distinct: { type: 'string', description: 'Count distinct values of this path (relative to the bound element) instead of elements.' },
  };
  for (const name of COUNT_OPERATORS) countProps[name] = operandSchema({ type: 'number' }, `Bound on the count: ${name}.`);

  const condition = {
    description: 'A condition: a field test, a combinator (allOf, anyOf, not) or a quantifier (any, all, none, count).',
    type: 'object',
    anyOf: conditionKinds.map(([k]) => ({ required: [k] })),
    allOf: conditionKinds.map(([k, def]) => ({ if: { required: [k] }, then: { $ref: `#/$defs/${def}` } })),
  };

  const joinKey = {
    type: 'object',
    additionalProperties: false,
    required: ['local', 'foreign'],
    properties: {
      local: { type: 'string', description: 'Path in the current record (may pass through earlier joins).' },
      foreign: { type: 'string', description: 'Path in the joined collection\'s records.' },
      match: {
        enum: ['equals', 'scope', 'within'],
        description:
          'equals (default): keys are equal, case-insensitively. scope: the foreign ARM id lies at or under the local scope. within: the local ARM id lies at or under the foreign scope (e.g. a VM\'s subscription).',
      },
    },
  };

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: RULE_SCHEMA_ID,
    title: 'posture-lint rule',
    description: 'A declarative posture rule: which records to check, how to join other exports, and what must hold.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'title', 'severity', 'description', 'for', 'assert', 'message'],
    properties: {
      id: { type: 'string', pattern: ID_PATTERN, maxLength: 80, description: 'Kebab-case rule id; equals the file name.' },
      title: { type: 'string', minLength: 1, description: 'One line saying what good looks like.' },
      severity: { enum: SEVERITIES, description: 'critical, high, medium, low or info.' },
      description: { type: 'string', minLength: 1, description: 'What the rule checks.' },
      rationale: { type: 'string', description: 'Why it matters.' },
      remediation: { type: 'string', description: 'How to fix a finding.' },
      fix: {
        type: 'string',
        minLength: 1,
        maxLength: 120,
        pattern: '^[^\\n]*$',
        description: 'How to fix a finding, in one line of at most 120 characters: reports show it under the rule\'s findings (default: the first sentence of remediation).',
      },
      references: { type: 'array', items: { type: 'string' }, description: 'Links to documentation.' },
      tags: { type: 'array', items: { type: 'string' }, description: 'Free-form tags.' },
      controls: controlsSchema(),
      parameters: {
        type: 'object',
        description: 'Named, typed parameters with defaults; conditions read them with { $param: name }, messages with {{$params.name}}; configuration may override them with values of the same type.',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: {
          if: { required: ['inherits'] },
          then: {
            type: 'object',
            additionalProperties: false,
            properties: {
              inherits: {
                type: 'string',
                pattern: `${ID_PATTERN.slice(0, -1)}\\.[A-Za-z_][A-Za-z0-9_]*$`,
                description: 'condition.parameter: take the type, default and description of a named condition\'s parameter, so a value shared by rules is written once (e.g. linux-device.platforms).',
              },
              default: { description: 'A default of this rule\'s own, instead of the condition\'s; it must fit the type.' },
              description: { type: 'string', description: 'What the parameter means for this rule (default: the condition parameter\'s description).' },
            },
          },
          else: parameterSchema(),
        },
      },
      for: {
        description:
          'The collection to iterate (e.g. mde.machines), or a list of collections to iterate together (the rule runs when at least one is present); { from, groupBy } to iterate groups of records sharing a key; { from, aggregate: true } to check the whole collection once.',
        anyOf: [
          { type: 'string' },
          { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
          {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'groupBy'],
            properties: {
              from: { type: 'string', description: 'Collection to group.' },
              groupBy: { type: 'string', description: 'Path of the key; each group exposes `key` and `items`.' },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'aggregate'],
            properties: {
              from: { type: 'string', description: 'Collection to check as a whole.' },
              aggregate: { const: true, description: 'Check the collection once, as one subject exposing `items` (every record), e.g. to count them.' },
            },
          },
        ],
      },
      where: { $ref: '#/$defs/condition', description: 'Only records that satisfy this are checked; it sees joins and lets.' },
      join: { $ref: '#/$defs/joins', description: 'Named joins: records of other collections attached to each checked record.' },
      requiresAny: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        description: 'Join names that are alternative evidence: the rule runs if at least one of their collections is in the snapshot.',
      },
      let: {
        type: 'object',
        description: 'Named lists computed per record after the joins, for assertions and messages.',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['select'],
          properties: {
            select: { type: 'string', description: 'Path of the list to filter.' },
            as: { type: 'string', pattern: NAME_PATTERN, description: 'Name the element is bound to (default item).' },
            where: { $ref: '#/$defs/condition', description: 'Keep elements that satisfy this.' },
            distinct: { type: 'string', description: 'Keep the first element for each distinct value of this path.' },
          },
        },
      },
      assert: { $ref: '#/$defs/condition', description: 'What must hold for every checked record; a record that fails it is a finding.' },
      message: { type: 'string', minLength: 1, description: 'Finding message; {{path}} inserts a value, {{path | count}} a count, {{$params.name}} / {{$facts.name}} parameters and facts.' },
      resource: {
        type: 'object',
        additionalProperties: false,
        description: 'How findings name the resource (templates); defaults to the collection\'s own identity.',
        properties: {
          kind: { type: 'string', description: 'Template of the resource kind, e.g. arm.scope.' },
          id: { type: 'string', description: 'Template of the resource id, e.g. {{key}}.' },
          name: { type: 'string', description: 'Template of the resource display name.' },
        },
      },
    },
    $defs: {
      valueRef,
      condition,
      joins: {
        type: 'object',
        description: 'Named joins to records of other collections.',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: {
            from: { type: 'string', description: 'Collection to join.' },
            on: {
              description: 'Key pair, or a list of alternative key pairs (matches of any are joined). Without `on`, every record of the collection is joined (needs many: true).',
              anyOf: [joinKey, { type: 'array', minItems: 1, items: joinKey }],
            },
            many: { type: 'boolean', description: 'true: the join is a list of every match; false (default): its one match or nothing (a key matching several records is checked with each).' },
            where: { $ref: '#/$defs/condition', description: 'Only join foreign records that satisfy this.' },
            join: { $ref: '#/$defs/joins', description: 'Joins applied to each joined record.' },
            required: { type: 'boolean', description: 'false: the rule still runs when this collection is absent (default true).' },
            presentation: {
              type: 'boolean',
              description:
                'true: the join only names things in the message and resource name templates (a principal\'s display name): the rule runs without it, an incomplete export of it stops nothing, and nothing that decides the verdict or the finding\'s resource kind and id (its fingerprint) may read it.',
            },
          },
        },
      },
      fieldCondition: {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: fieldProps,
        // Read by the loader's "did you mean" (src/schema-errors.ts); validators ignore it.
        'x-aliases': Object.fromEntries(OPERATORS.flatMap((op) => (op.aliases ?? []).map((a) => [a, op.name]))),
      },
      allOfCondition: {
        type: 'object',
        additionalProperties: false,
        properties: { allOf: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' }, description: 'Every condition holds.' } },
      },
      anyOfCondition: {
        type: 'object',
        additionalProperties: false,
        properties: { anyOf: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' }, description: 'At least one condition holds.' } },
      },
      notCondition: {
        type: 'object',
        additionalProperties: false,
        properties: { not: { $ref: '#/$defs/condition', description: 'The condition does not hold.' } },
      },
      quantifierCondition: {
        type: 'object',
        additionalProperties: false,
        required: ['satisfies'],
        properties: {
          any: { type: 'string', description: 'At least one element of the list satisfies the condition.' },
          all: { type: 'string', description: 'Every element of the list satisfies the condition (true for an empty list).' },
          none: { type: 'string', description: 'No element of the list satisfies the condition.' },
          as: { type: 'string', pattern: NAME_PATTERN, description: 'Name the element is bound to (default item).' },
          satisfies: { $ref: '#/$defs/condition', description: 'Condition on each element.' },
        },
      },
      countCondition: {
        type: 'object',
        additionalProperties: false,
        properties: countProps,
      },
      conditionReference: {
        type: 'object',
        additionalProperties: false,
        properties: {
          condition: {
            type: 'string',
            pattern: ID_PATTERN,
            maxLength: 80,
            description: 'A named condition (defined in a *.conditions.yaml file: posture-lint\'s own, or one given with the rules), used here as if written out.',
          },
          on: {
            type: 'string',
            description: 'What the condition is about, when not the record: a bound element (item), a joined record (subscription) or another path; the condition\'s fields are read below it.',
          },
          with: {
            type: 'object',
            description: 'Arguments: parameter name to value (a literal of the parameter\'s type, or { $param: name } of this rule). Parameters left out take their defaults.',
            propertyNames: { pattern: NAME_PATTERN },
          },
        },
      },
    },
  };
}
