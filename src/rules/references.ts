/**
 * Checks every name a rule reads: the first name of each path must be something the rule declares
 * (a join, a let, a quantifier's bound element, `key`/`items` of a group) or a field of the records
 * it iterates, and each further name a field of what the previous one denotes, as the export
 * schemas (schemas/exports/) describe it. A typo such as `count: owner` for the join `owners` would
 * otherwise read nothing and could let a rule pass, so every unknown name is an error.
 *
 * Where a schema lists an object's `properties`, those are the names it has; an object the schema
 * leaves open (no `properties`, `additionalProperties: true` or a schema, `patternProperties`)
 * and JSONPath expressions, whose reads cannot be known, are not checked below that point.
 */
import { exportKind } from '../snapshot/kinds';
import { packageSchema } from '../snapshot/validate';
import { closest } from '../suggest';
import { isPlainObject } from './values';
import { parsePath, type ParsedPath } from './path';
import { parseTemplate, templateUses } from './template';
import type { FieldRead } from '../snapshot/projection';
import type { YamlPath } from './conditions';

type SchemaObject = Record<string, unknown>;
/** A schema node with the document its `$ref`s resolve in. */
interface Node {
  schema: SchemaObject;
  root: SchemaObject;
}

/** Schemas of the snapshot's own collections (src/snapshot/self.ts). */
const SELF_SCHEMAS: Record<string, SchemaObject> = {
  'snapshot.exports': {
    type: 'object',
    properties: {
      kind: { type: 'string' },
      files: { type: 'array', items: { type: 'string' } },
      records: { type: 'number' },
      pagingComplete: { type: 'boolean' },
      asOf: { type: 'string' },
      hoursBehindNewest: { type: 'number' },
    },
  },
  'snapshot.facts': {
    type: 'object',
    properties: {
      name: { type: 'string' },
      value: { type: ['string', 'null'] },
      declared: { type: 'boolean' },
      conflicting: { type: 'array', items: { type: 'string' } },
      evidence: { type: 'number' },
    },
  },
};

const schemaCache = new Map<string, SchemaObject | undefined>();

function collectionSchema(collection: string): SchemaObject | undefined {
  if (schemaCache.has(collection)) return schemaCache.get(collection);
  let schema: SchemaObject | undefined = SELF_SCHEMAS[collection];
  const kind = exportKind(collection);
  if (kind) schema = packageSchema(kind.schemaFile) as SchemaObject;
  schemaCache.set(collection, schema);
  return schema;
}

/** A place in the records of a collection that a value comes from: what reading it reads. */
interface Source {
  collection: string;
  path: string[];
}

/** What a name denotes while the rule is checked. */
interface Shape {
  /** Where in which collections' records the value lies (empty for values no record holds). */
  sources: Source[];
  /** Schema nodes the value follows (several: a rule over several collections, schema branches). */
  nodes: Node[];
  /** Nothing says which names lie below: they are not checked. */
  open?: boolean;
  /** Names bound on the value itself: a joined record's own joins. */
  names?: ReadonlyMap<string, Binding>;
  /** For messages: whose records, and the field path from the record. */
  records: string;
  fieldPath: string[];
  /** Top-level fields only `az`'s flattened form has, with the path the loader lifts each to. */
  azForm?: ReadonlyMap<string, string>;
  /** The records of a presentation join (`presentation: true`), which only templates may read. */
  presentation?: string;
  /** The value is a list (a many join, a let, a group's items, an array field): what makes it one, for messages. */
  list?: string;
  /** Of a path's value: how many of its segments lead to the first list on it. */
  listAt?: number;
}

interface Binding {
  kind: 'join' | 'let' | 'element' | 'group field';
  shape: Shape;
  /** Set when a path reads the name: a join nothing reads is reported. */
  read?: boolean;
}

interface Scope {
  subject: Shape;
  names: ReadonlyMap<string, Binding>;
}

const OPEN: Shape = { sources: [], nodes: [], open: true, records: '', fieldPath: [] };

function recordsOf(collection: string): Shape {
  const schema = collectionSchema(collection);
  const sources = [{ collection, path: [] }];
  if (!schema) return { ...OPEN, sources };
  const shape: Shape = { sources, nodes: [{ schema, root: schema }], records: `${collection} records`, fieldPath: [] };
  const lift = exportKind(collection)?.liftedPath;
  if (lift === undefined) return shape;
  // The schema accepts both forms as exported; rules read the REST form the loader makes of them.
  const rest = new Set(Object.keys(isPlainObject(schema.properties) ? schema.properties : {}));
  const azForm = new Map(fieldNames(shape).filter((f) => !rest.has(f)).flatMap((f) => (lift(f) === undefined ? [] : [[f, lift(f) as string] as const])));
  return azForm.size > 0 ? { ...shape, azForm } : shape;
}

function union(shapes: Shape[]): Shape {
  if (shapes.length === 1) return shapes[0];
  const sources = shapes.flatMap((s) => s.sources);
  if (shapes.some((s) => s.open)) return { ...OPEN, sources };
  return { sources, nodes: shapes.flatMap((s) => s.nodes), records: shapes.map((s) => s.records.replace(/ records$/, '')).join(' or ') + ' records', fieldPath: [] };
}

function types(s: SchemaObject): string[] | undefined {
  if (typeof s.type === 'string') return [s.type];
  return Array.isArray(s.type) ? s.type.filter((t): t is string => typeof t === 'string') : undefined;
}

/** Keywords that say nothing about a value: a schema of only these accepts anything. */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default']);

/** The node and every node it implies: `$ref` targets and `allOf`/`anyOf`/`oneOf`/`then`/`else` branches. */
function expand(n: Node, out: Node[] = [], depth = 0): Node[] {
  if (depth > 16 || out.some((o) => o.schema === n.schema)) return out;
  out.push(n);
  const ref = n.schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    let target: unknown = n.root;
    for (const part of ref.slice(2).split('/')) target = isPlainObject(target) && Object.hasOwn(target, part) ? target[part] : undefined;
    if (isPlainObject(target)) expand({ schema: target, root: n.root }, out, depth + 1);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = n.schema[key];
    if (Array.isArray(list)) for (const b of list) if (isPlainObject(b)) expand({ schema: b, root: n.root }, out, depth + 1);
  }
  for (const key of ['then', 'else']) {
    const b = n.schema[key];
    if (isPlainObject(b)) expand({ schema: b, root: n.root }, out, depth + 1);
  }
  return out;
}

/**
 * The object nodes a name is looked up in, arrays looked through (a path through a list reads
 * every element), and whether anything there leaves names open.
 */
function objectNodes(nodes: readonly Node[]): { objects: Node[]; open: boolean; scalar: string[] } {
  const objects: Node[] = [];
  const scalar: string[] = [];
  let open = false;
  const visit = (n: Node, depth: number) => {
    for (const e of expand(n)) {
      const t = types(e.schema);
      const items = e.schema.items;
      if (isPlainObject(items) && depth < 8) visit({ schema: items, root: e.root }, depth + 1);
      else if (t?.includes('array')) open = true;
      const props = e.schema.properties;
      if (isPlainObject(props)) objects.push(e);
      if (e.schema.additionalProperties === true || isPlainObject(e.schema.additionalProperties) || isPlainObject(e.schema.patternProperties)) open = true;
      if (Object.keys(e.schema).every((k) => ANNOTATIONS.has(k))) open = true;
      if (t?.includes('object') && !isPlainObject(props) && !expand(e).slice(1).some((x) => isPlainObject(x.schema.properties))) open = true;
      if (t) for (const x of t) if (x !== 'object' && x !== 'array' && x !== 'null') scalar.push(x);
    }
  };
  for (const n of nodes) visit(n, 0);
  return { objects, open, scalar };
}

function propertiesOf(objects: readonly Node[]): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const o of objects) {
    for (const [name, sub] of Object.entries(o.schema.properties as SchemaObject)) {
      if (!isPlainObject(sub)) continue;
      const list = out.get(name) ?? [];
      list.push({ schema: sub, root: o.root });
      out.set(name, list);
    }
  }
  return out;
}

function fieldNames(shape: Shape): string[] {
  return shape.open ? [] : [...propertiesOf(objectNodes(shape.nodes).objects).keys()];
}

type Step = { shape: Shape } | { unknown: string[]; scalar?: string; lifted?: string };

/** The shape of field `name` of `shape`, or what is known instead. */
function field(shape: Shape, name: string): Step {
  const step = fieldOf(shape, name);
  // A path through a list reads every element's field: the value stays a list.
  if (shape.list !== undefined && 'shape' in step && step.shape.list === undefined) return { shape: { ...step.shape, list: shape.list } };
  return step;
}

function fieldOf(shape: Shape, name: string): Step {
  const bound = shape.names?.get(name);
  if (bound) {
    bound.read = true;
    return { shape: bound.shape };
  }
  const sources = shape.sources.map((s) => ({ collection: s.collection, path: [...s.path, name] }));
  if (shape.open) return { shape: { ...OPEN, sources } };
  const lifted = shape.azForm?.get(name);
  if (lifted !== undefined) return { unknown: [], lifted };
  const { objects, open, scalar } = objectNodes(shape.nodes);
  const props = propertiesOf(objects);
  const sub = props.get(name);
  const fieldPath = [...shape.fieldPath, name];
  if (sub) return { shape: { sources, nodes: sub, records: shape.records, fieldPath, ...(isArray(sub) ? { list: `'${fieldPath.join('.')}' of ${shape.records} is an array` } : {}) } };
  if (open) return { shape: { ...OPEN, sources, records: shape.records, fieldPath } };
  if (objects.length === 0 && scalar.length > 0) return { unknown: [], scalar: [...new Set(scalar)].join(' or ') };
  return { unknown: [...props.keys(), ...(shape.names?.keys() ?? [])] };
}

/** A field written as `az` prints it: name the path rules read instead. */
function azFormMessage(text: string, name: string, lifted: string, records: string): string {
  return `'${text}': az prints '${name}' at the top level, but rules read ${records} in their REST shape: write '${text.replace(name, lifted)}'`;
}

/** The shape of one element of a list (the same shape: names below it are the elements'). */
function elementOf(list: Shape): Shape {
  if (list.list === undefined) return list;
  const { list: _list, listAt: _listAt, ...element } = list;
  return element;
}

/** Whether every schema a value follows makes it an array (or null). */
function isArray(nodes: readonly Node[]): boolean {
  return nodes.every((n) => {
    const t = types(n.schema);
    return t !== undefined && t.includes('array') && t.every((x) => x === 'array' || x === 'null');
  });
}

/** How to test a list's elements instead, with the rule's own path split where the list is, when it can be. */
function elementsHint(text: string, listAt: number | undefined, operator: string): string {
  const parsed = parsePath(text);
  const names = typeof parsed === 'string' ? [] : parsed.segments.map((s) => ('name' in s && /^[A-Za-z_][\w-]*$/.test(s.name) ? s.name : undefined));
  const generic = 'test each element with { any: <list>, satisfies: { field: item…, … } } (or all, none, count)';
  if (listAt === undefined || names.length === 0 || names.some((n) => n === undefined)) return generic;
  const list = names.slice(0, listAt).join('.');
  const rest = names.slice(listAt).join('.');
  return `test each element, as in { any: ${list}, satisfies: { field: ${rest === '' ? 'item' : `item.${rest}`}, ${operator}: … } } (or all, none, count)`;
}

const KIND_WORDS: Record<Binding['kind'], string> = { join: 'the join', let: 'the let', element: 'the bound element', 'group field': 'the group field' };

export interface NameProblem {
  at: YamlPath;
  offset?: number;
  message: string;
  /** A warning leaves the rule valid (a join nothing reads); anything else refuses it. */
  warning?: boolean;
  /** The diagnostic code, when not that of an unknown name. */
  code?: 'rule-list-compared';
}

/**
 * How much of the value at the end of a path a use reads: all of it (`whole`: an operator
 * compares it, a template prints it), or only whether it is there and its elements (`shape`: a
 * list walked or counted, `exists`); what is read below an element is read through its name.
 */
type Extent = 'whole' | 'shape';

class Checker {
  readonly problems: NameProblem[] = [];
  /** The record fields the rule reads, for the loader's projection. */
  readonly reads: FieldRead[] = [];
  /** A JSONPath expression was read: which names it reads cannot be known. */
  opaque = false;
  /**
   * Whether what is being checked can decide a verdict (joins' keys, lets, where, assert) or a
   * finding's identity (the resource kind and id templates, which make its fingerprint and are what
   * waivers and baselines match), where a presentation join may not be read; false for the message
   * and the resource name template only.
   */
  deciding = true;

  private read(shape: Shape, extent: Extent): void {
    for (const s of shape.sources) this.reads.push({ collection: s.collection, path: s.path, whole: extent === 'whole' });
  }

  /** The shape a path denotes in `scope`, or undefined after reporting why it denotes nothing. */
  path(p: ParsedPath, scope: Scope, at: YamlPath, extent: Extent, offset?: number): Shape | undefined {
    if (p.jsonPath !== undefined) {
      // A JSONPath walks the record it runs on (plain data, no bound names): all of it is read.
      this.read(scope.subject, 'whole');
      this.opaque = true;
      return { ...OPEN };
    }
    const shape = this.resolve(p, scope, at, offset);
    if (shape === undefined) return undefined;
    if (shape.presentation !== undefined && this.deciding) {
      this.problems.push({
        at,
        offset,
        message: `'${p.text}': '${shape.presentation}' is a presentation join, which only the message and resource name templates may read: a name it adds must never decide a verdict nor which resource a finding is (its fingerprint, waivers, baselines)`,
      });
      return undefined;
    }
    // An index reads a field named by a number or an array element: the value before it is kept whole.
    if (shape.indexed) this.read(shape.indexed, 'whole');
    else this.read(shape.shape, extent);
    return shape.listAt === undefined ? shape.shape : { ...shape.shape, listAt: shape.listAt };
  }

  private resolve(p: ParsedPath, scope: Scope, at: YamlPath, offset?: number): { shape: Shape; indexed?: Shape; presentation?: string; listAt?: number } | undefined {
    let indexed: Shape | undefined;
    let presentation: string | undefined;
    let shape: Shape | undefined;
    let i = 0;
    const first = p.segments[0];
    if (first && 'name' in first) {
      const bound = scope.names.get(first.name);
      if (bound) {
        bound.read = true;
        shape = bound.shape;
      } else {
        const step = field(scope.subject, first.name);
        if ('unknown' in step && step.lifted !== undefined) {
          this.problems.push({ at, offset, message: azFormMessage(p.text, first.name, step.lifted, scope.subject.records) });
          return undefined;
        }
        if ('unknown' in step) {
          const hint = this.hint(first.name, scope);
          const declared = scope.names.size ? 'names nothing this rule declares here and' : 'is not declared by this rule and';
          this.problems.push({ at, offset, message: `'${p.text}': '${first.name}' ${declared} is not a field of ${scope.subject.records || 'the records'}${hint}` });
          return undefined;
        }
        shape = step.shape;
      }
      i = 1;
    } else {
      shape = scope.subject;
    }
    presentation ??= shape.presentation;
    // How many segments lead to the first list on the path, for a message that splits it there.
    let listAt = shape.list === undefined ? undefined : i;
    for (; i < p.segments.length; i++) {
      const seg = p.segments[i];
      if (!('name' in seg)) {
        indexed ??= shape;
        // An index picks one element of a list.
        if (shape.list !== undefined) {
          shape = elementOf(shape);
          listAt = undefined;
        }
        continue;
      }
      const step = field(shape, seg.name);
      if ('shape' in step) {
        shape = step.shape;
        presentation ??= shape.presentation;
        if (listAt === undefined && shape.list !== undefined) listAt = i + 1;
        continue;
      }
      const where = shape.fieldPath.length ? `'${shape.fieldPath.join('.')}' of ${shape.records}` : shape.records;
      if (step.lifted !== undefined) {
        this.problems.push({ at, offset, message: azFormMessage(p.text, seg.name, step.lifted, shape.records) });
      } else if (step.scalar) {
        this.problems.push({ at, offset, message: `'${p.text}': ${where} is a ${step.scalar}, so it has no field '${seg.name}'` });
      } else {
        const hint = closest(seg.name, step.unknown);
        const have = shape.fieldPath.length ? 'has' : 'have';
        this.problems.push({ at, offset, message: `'${p.text}': ${where} ${have} no field '${seg.name}' in their schema${hint ? ` (did you mean '${hint}'?)` : ''}` });
      }
      return undefined;
    }
    return { shape, ...(indexed === undefined ? {} : { indexed }), ...(presentation === undefined ? {} : { presentation }), ...(listAt === undefined ? {} : { listAt }) };
  }

  private hint(name: string, scope: Scope): string {
    const best = closest(name, [...scope.names.keys(), ...fieldNames(scope.subject)]);
    if (best === undefined) return '';
    const bound = scope.names.get(best);
    return ` (did you mean ${bound ? KIND_WORDS[bound.kind] : 'the field'} '${best}'?)`;
  }

  text(raw: unknown, scope: Scope, at: YamlPath, extent: Extent): Shape | undefined {
    if (typeof raw !== 'string') return undefined;
    const p = parsePath(raw);
    return typeof p === 'string' ? undefined : this.path(p, scope, at, extent);
  }

  template(raw: unknown, scope: Scope, at: YamlPath): void {
    if (typeof raw !== 'string') return;
    const { template } = parseTemplate(raw);
    for (const use of templateUses(template)) this.path(use.path, scope, at, use.whole ? 'whole' : 'shape', raw.indexOf(use.path.text));
  }

  /** The `$field` operands of a condition, read whole. */
  private operands(c: Record<string, unknown>, scope: Scope, at: YamlPath): void {
    for (const [k, v] of Object.entries(c)) if (isPlainObject(v) && typeof v.$field === 'string') this.text(v.$field, scope, [...at, k, '$field'], 'whole');
  }

  /** `scope` with `name` bound to the elements of `list`. */
  static bind(scope: Scope, name: string, kind: Binding['kind'], shape: Shape | undefined): Scope {
    return { subject: scope.subject, names: new Map(scope.names).set(name, { kind, shape: shape ?? { ...OPEN } }) };
  }

  /** `scope` with `name` bound to each element of `list` in turn: one element is no list. */
  static bindElement(scope: Scope, name: string, list: Shape | undefined): Scope {
    return Checker.bind(scope, name, 'element', list === undefined ? undefined : elementOf(list));
  }

  /**
   * An operator on a list compares the whole list: `equals: Inactive` never holds on a many join's
   * `devices.healthStatus` and `notEquals` always does, so a `not:` around it would pass every
   * resource. Only `exists`, `contains` and a list compared with a literal list are meant for lists.
   */
  private listCompared(c: Record<string, unknown>, list: Shape, at: YamlPath): void {
    const operator = Object.keys(c).find((k) => k !== 'field' && k !== 'caseSensitive');
    if (operator === undefined || operator === 'exists' || operator === 'contains') return;
    if ((operator === 'equals' || operator === 'notEquals') && Array.isArray(c[operator])) return;
    const text = String(c.field);
    this.problems.push({
      at: [...at, 'field'],
      code: 'rule-list-compared',
      message: `'${text}' is a list (${list.list}), and '${operator}' compares the whole list, so it cannot test its elements: ${elementsHint(text, list.listAt, operator)}${operator === 'equals' ? `; to ask whether the list holds a value, { field: ${text}, contains: … }` : ''}`,
    });
  }

  condition(c: unknown, scope: Scope, at: YamlPath): void {
    if (!isPlainObject(c)) return;
    if ('field' in c) {
      // `exists` asks only whether the value is there; every other operator reads it.
      const operators = Object.keys(c).filter((k) => k !== 'field' && k !== 'caseSensitive');
      const shape = this.text(c.field, scope, [...at, 'field'], operators.length === 1 && operators[0] === 'exists' ? 'shape' : 'whole');
      if (shape?.list !== undefined) this.listCompared(c, shape, at);
      this.operands(c, scope, at);
      return;
    }
    for (const key of ['allOf', 'anyOf'] as const) {
      if (Array.isArray(c[key])) (c[key] as unknown[]).forEach((x, i) => this.condition(x, scope, [...at, key, i]));
    }
    if ('not' in c) this.condition(c.not, scope, [...at, 'not']);
    const listKey = ['any', 'all', 'none', 'count'].find((k) => k in c);
    if (!listKey) return;
    const list = this.text(c[listKey], scope, [...at, listKey], 'shape');
    const inner = Checker.bindElement(scope, typeof c.as === 'string' ? c.as : 'item', list);
    if ('satisfies' in c) this.condition(c.satisfies, inner, [...at, 'satisfies']);
    if ('where' in c) this.condition(c.where, inner, [...at, 'where']);
    if ('distinct' in c) this.text(c.distinct, inner, [...at, 'distinct'], 'whole');
    this.operands(c, scope, at);
  }

  /** Checks the joins at `at` in `scope`, binding each (with its own joins) as it goes. */
  joins(raw: unknown, scope: Scope, at: YamlPath): Scope {
    if (!isPlainObject(raw)) return scope;
    let current = scope;
    for (const [name, spec] of Object.entries(raw)) {
      if (!isPlainObject(spec)) continue;
      const here = [...at, name];
      const foreign: Scope = { subject: typeof spec.from === 'string' ? recordsOf(spec.from) : { ...OPEN }, names: new Map() };
      const pairs = Array.isArray(spec.on) ? spec.on : spec.on === undefined ? [] : [spec.on];
      // A presentation join's key may read another one: what it finds decides nothing either.
      const deciding = this.deciding;
      if (spec.presentation === true) this.deciding = false;
      pairs.forEach((pair, i) => {
        if (!isPlainObject(pair)) return;
        const pairAt = Array.isArray(spec.on) ? [...here, 'on', i] : [...here, 'on'];
        this.text(pair.local, current, [...pairAt, 'local'], 'whole');
        this.text(pair.foreign, foreign, [...pairAt, 'foreign'], 'whole');
      });
      this.deciding = deciding;
      // A join's filter runs on the foreign records alone, before any rule's names exist.
      if (spec.where !== undefined) this.condition(spec.where, foreign, [...here, 'where']);
      const nested = this.joins(spec.join, foreign, [...here, 'join']);
      current = Checker.bind(current, name, 'join', {
        ...foreign.subject,
        names: nested.names,
        ...(spec.presentation === true ? { presentation: name } : {}),
        ...(spec.many === true ? { list: `'${name}' is a many join` } : {}),
      });
    }
    return current;
  }

  lets(raw: unknown, scope: Scope, at: YamlPath): Scope {
    if (!isPlainObject(raw)) return scope;
    let current = scope;
    for (const [name, spec] of Object.entries(raw)) {
      if (!isPlainObject(spec)) continue;
      const list = this.text(spec.select, current, [...at, name, 'select'], 'shape');
      const inner = Checker.bindElement(current, typeof spec.as === 'string' ? spec.as : 'item', list);
      if (spec.where !== undefined) this.condition(spec.where, inner, [...at, name, 'where']);
      if (spec.distinct !== undefined) this.text(spec.distinct, inner, [...at, name, 'distinct'], 'whole');
      current = Checker.bind(current, name, 'let', { ...(list ?? OPEN), list: `'${name}' is a let` });
    }
    return current;
  }
}

export interface NameCheck {
  /** Every name the rule reads that is neither declared by it nor a field its records' schema lists. */
  problems: NameProblem[];
  /** The record fields the rule reads, by collection (meaningful when there are no problems). */
  reads: FieldRead[];
}

/** Resolves every name a rule reads: what is unknown, and which record fields it reads. */
export function checkNames(doc: Record<string, unknown>): NameCheck {
  const checker = new Checker();
  const forSpec = doc.for;
  const from = isPlainObject(forSpec) ? forSpec.from : forSpec;
  const collections = (Array.isArray(from) ? from : [from]).filter((c): c is string => typeof c === 'string');
  const records = union(collections.map(recordsOf));
  let scope: Scope;
  if (isPlainObject(forSpec)) {
    // A group exposes `key` and `items` only; its records' fields are read through `items`.
    const key = forSpec.aggregate === true
      ? { sources: [], nodes: [{ schema: { type: 'string' }, root: {} }], records: 'collection names', fieldPath: [] }
      : checker.text(forSpec.groupBy, { subject: records, names: new Map() }, ['for', 'groupBy'], 'whole');
    const names = new Map<string, Binding>([
      ['key', { kind: 'group field', shape: key ?? { ...OPEN } }],
      ['items', { kind: 'group field', shape: { ...records, list: "'items' is the group's records" } }],
    ]);
    // A JSONPath over a group walks its records (`items`): their sources are the group's.
    const group = { sources: records.sources, nodes: [{ schema: { type: 'object', properties: {} }, root: {} }], records: 'groups (which expose key and items)', fieldPath: [] };
    scope = { subject: group, names };
  } else {
    scope = { subject: records, names: new Map() };
  }
  const before = scope.names;
  scope = checker.joins(doc.join, scope, ['join']);
  const joins = [...scope.names].filter(([name, b]) => b.kind === 'join' && before.get(name) !== b);
  scope = checker.lets(doc.let, scope, ['let']);
  if (doc.where !== undefined) checker.condition(doc.where, scope, ['where']);
  checker.condition(doc.assert, scope, ['assert']);
  if (isPlainObject(doc.resource)) for (const k of ['kind', 'id']) checker.template(doc.resource[k], scope, ['resource', k]);
  checker.deciding = false;
  checker.template(doc.message, scope, ['message']);
  if (isPlainObject(doc.resource)) checker.template(doc.resource.name, scope, ['resource', 'name']);
  // Every joined record is indexed and looked up for each resource: a join nothing reads costs that
  // for nothing, and is most often a name misspelt where it should have been read.
  if (!checker.opaque) {
    for (const [name, b] of joins) {
      if (!b.read) checker.problems.push({ at: ['join', name], warning: true, message: `join '${name}' is read by nothing in this rule: read it in where, assert or message, or remove it` });
    }
  }
  return { problems: checker.problems, reads: checker.reads };
}
