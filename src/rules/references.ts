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
import { closest, didYouMean } from '../suggest';
import { isParamRef, isPlainObject } from './values';
import { operator } from './operators';
import { headName, parsePath, type ParsedPath } from './path';
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
  /** A list whose elements' value is a list too (`devices.machineTags`): a path through it flattens both. */
  nestedList?: boolean;
  /** Of a path's value: names follow the first list on it, so it is there whenever that list is. */
  throughList?: boolean;
  /** A list that is there even when empty (a many join, a group's items): `exists` always holds on it. */
  neverAbsent?: boolean;
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
  // A path through a list reads every element's field: the value stays a list, named by the first
  // list on the path; an element's field that is a list itself makes a list of lists.
  if (shape.list === undefined || !('shape' in step)) return step;
  const nested = step.shape.list !== undefined || shape.nestedList === true;
  return { shape: { ...step.shape, list: shape.list, ...(nested ? { nestedList: true } : {}) } };
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
  const { list: _list, listAt: _listAt, throughList: _through, neverAbsent: _always, nestedList: _nested, ...element } = list;
  return element;
}

/** Whether every schema a value follows makes it an array (or null). */
function isArray(nodes: readonly Node[]): boolean {
  return nodes.every((n) => {
    const t = types(n.schema);
    return t !== undefined && t.includes('array') && t.every((x) => x === 'array' || x === 'null');
  });
}

/** Whether a list's elements are objects (records, or an array of objects), which no scalar equals. */
function objectElements(list: Shape): boolean {
  const element = elementOf(list);
  if (element.open || element.nodes.length === 0) return false;
  // Arrays are looked through, as a path through one flattens it; every branch must be an object.
  const objectOnly = (n: Node, depth: number): boolean =>
    expand(n).every((e) => {
      const t = types(e.schema);
      if (t === undefined) return isPlainObject(e.schema.properties) || expand(e).length > 1;
      if (t.includes('array')) return isPlainObject(e.schema.items) && depth < 8 && objectOnly({ schema: e.schema.items, root: e.root }, depth + 1);
      return t.includes('object') && t.every((x) => x === 'object' || x === 'null');
    });
  return element.nodes.every((n) => objectOnly(n, 0));
}

/** Whether the operator table says the operator takes a list operand (`in`, `notIn`, `withinScope`): a `$field` list is meant there. */
function takesListOperand(name: string): boolean {
  const type = operator(name)?.operand.type;
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}

/** Words the YAML reader would not take as a plain string. */
const YAML_WORDS = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** A value as YAML flow text to paste into a rule, or … when it would be long or is not plain data. */
function flow(v: unknown): string {
  const text = (x: unknown): string | undefined => {
    if (isParamRef(x)) return `{ $param: ${x.$param} }`;
    if (typeof x === 'string') return /^[A-Za-z][\w.\-/]*$/.test(x) && !YAML_WORDS.test(x) ? x : JSON.stringify(x);
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (Array.isArray(x)) {
      const items = x.map(text);
      return items.every((i) => i !== undefined) ? `[${items.join(', ')}]` : undefined;
    }
    return undefined;
  };
  const out = text(v);
  return out === undefined || out.length > 60 ? '…' : out;
}

/** A path as YAML flow text: quoted unless it is plain names. */
function flowPath(text: string): string {
  return /^[A-Za-z_][\w.\-]*$/.test(text) ? text : `'${text.replace(/'/g, "''")}'`;
}

/**
 * A rewrite that tests the elements of the list at the head of `text` (split where the list is),
 * as the operator meant: `notEquals`/`notIn` become "no element equals / is in", anything else
 * "some element …" (the message names all and count too). Undefined when the path cannot be split.
 */
function elementsRewrite(text: string, listAt: number | undefined, operator: string, operand: string, elementIsList = false): string | undefined {
  let list: string;
  let rest: string;
  if (text.startsWith('$')) {
    list = flowPath(text);
    rest = '';
  } else {
    const parsed = parsePath(text);
    const names = typeof parsed === 'string' ? [] : parsed.segments.map((s) => ('name' in s && /^[A-Za-z_][\w-]*$/.test(s.name) ? s.name : undefined));
    if (listAt === undefined || names.length === 0 || names.some((n) => n === undefined)) return undefined;
    list = names.slice(0, listAt).join('.');
    rest = names.slice(listAt).join('.');
  }
  const item = rest === '' ? 'item' : `item.${rest}`;
  const negated = operator === 'notEquals' || operator === 'notIn';
  let positive = operator === 'notEquals' ? 'equals' : operator === 'notIn' ? 'in' : operator;
  // Each element's value is a list itself: ask whether it holds the value; other operators have no one-step rewrite.
  if (elementIsList && positive !== 'exists') {
    if (positive !== 'equals') return undefined;
    positive = 'contains';
  }
  return `{ ${negated ? 'none' : 'any'}: ${list}, satisfies: { field: ${item}, ${positive}: ${operand} } }`;
}

const KIND_WORDS: Record<Binding['kind'], string> = { join: 'the join', let: 'the let', element: 'the bound element', 'group field': 'the group field' };

export interface NameProblem {
  at: YamlPath;
  offset?: number;
  message: string;
  /** A warning leaves the rule valid (a join nothing reads); anything else refuses it. */
  warning?: boolean;
  /** The diagnostic code, when not that of an unknown name. */
  code?: 'rule-list-compared' | 'rule-invalid';
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

  /** @param listParameters the rule's parameters declared as lists, which a list may be compared with */
  constructor(private readonly listParameters: ReadonlySet<string>) {}

  private read(shape: Shape, extent: Extent): void {
    for (const s of shape.sources) this.reads.push({ collection: s.collection, path: s.path, whole: extent === 'whole' });
  }

  /** The shape a path denotes in `scope`, or undefined after reporting why it denotes nothing. */
  path(p: ParsedPath, scope: Scope, at: YamlPath, extent: Extent, offset?: number): Shape | undefined {
    if (p.jsonPath !== undefined) {
      // A JSONPath walks the record it runs on (plain data, no bound names): all of it is read.
      this.read(scope.subject, 'whole');
      this.opaque = true;
      return { ...OPEN, list: "a JSONPath's value is the list of its matches" };
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
    return shape.listAt === undefined ? shape.shape : { ...shape.shape, listAt: shape.listAt, ...(shape.listAt < p.segments.length ? { throughList: true } : {}) };
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
        const have = shape.fieldPath.length ? 'has' : 'have';
        this.problems.push({ at, offset, message: `'${p.text}': ${where} ${have} no field '${seg.name}' in their schema${didYouMean(seg.name, step.unknown)}` });
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

  /**
   * The `$field` operands of a condition, read whole. One that is a list is the whole list, as the
   * field is: only `in`, `notIn` and `withinScope` look into it, or `equals`/`notEquals` of a list
   * field; anything else compares a value with a list and never holds (or, negated, always does).
   */
  private operands(c: Record<string, unknown>, scope: Scope, at: YamlPath, field?: Shape): void {
    for (const [k, v] of Object.entries(c)) {
      if (!isPlainObject(v) || typeof v.$field !== 'string') continue;
      const operand = this.text(v.$field, scope, [...at, k, '$field'], 'whole');
      if (operand?.list === undefined || takesListOperand(k)) continue;
      if ((k === 'equals' || k === 'notEquals') && field?.list !== undefined) continue;
      const ask = 'field' in c && (k === 'equals' || k === 'notEquals') ? `: to ask whether ${String(c.field)} is one of its values, { field: ${flowPath(String(c.field))}, ${k === 'equals' ? 'in' : 'notIn'}: { $field: ${flowPath(v.$field)} } }` : '';
      this.problems.push({
        at: [...at, k, '$field'],
        code: 'rule-list-compared',
        message: `'${v.$field}' is a list (${operand.list}), and '${k}' compares ${'field' in c ? 'the field' : 'the count'} with the whole list, so it never holds (and, negated, always does)${ask}`,
      });
    }
  }

  /**
   * A `distinct` path is read on each element in turn: one that does not start with the element's
   * name reads the same value for every element, so at most one is counted or selected.
   */
  private distinct(raw: unknown, scope: Scope, name: string, at: YamlPath): void {
    this.text(raw, scope, at, 'whole');
    if (typeof raw !== 'string') return;
    const p = parsePath(raw);
    if (typeof p === 'string' || (p.jsonPath === undefined && headName(p) === name)) return;
    this.problems.push({
      at,
      code: 'rule-invalid',
      message: `distinct '${raw}' does not read the element '${name}', so it is the same for every element and at most one is counted: start it with ${name} (such as ${name}.${p.jsonPath === undefined ? p.text.split('.').slice(-1)[0] : 'field'})`,
    });
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
   * resource. Only `exists` on a list that may be absent, `contains` on a list of values, and a
   * list compared with a list (literal or a list parameter) are meant for lists.
   */
  private listCompared(c: Record<string, unknown>, list: Shape, at: YamlPath): void {
    const operator = Object.keys(c).find((k) => k !== 'field' && k !== 'caseSensitive');
    if (operator === undefined) return;
    const text = String(c.field);
    const operand = flow(c[operator]);
    const rewrite = (op: string, value: string) => elementsRewrite(text, list.listAt, op, value, list.nestedList === true);
    const refuse = (message: string) => this.problems.push({ at: [...at, 'field'], code: 'rule-list-compared', message: `'${text}' is a list (${list.list}), and ${message}` });
    if (operator === 'exists') {
      // A path on through a list maps over its elements and keeps only what it finds: an empty list is there.
      if (list.throughList === true) {
        const each = rewrite('exists', 'true');
        refuse(`'exists' asks only whether that list is there, even with no element holding the field${each === undefined ? '' : `: to ask whether an element has it, ${each}`}`);
      } else if (list.neverAbsent === true) {
        refuse(`it is there even when empty, so 'exists' always holds: to ask whether it has elements, { count: ${text}, greater: 0 }`);
      }
      return;
    }
    if (operator === 'contains') {
      if (objectElements(list)) {
        const each = list.throughList === true ? rewrite('equals', operand) : undefined;
        refuse(`its elements are objects, which 'contains' compares with one value and which never equal it: test a field of each element, as in ${each ?? `{ any: ${flowPath(text)}, satisfies: { field: item.<field>, equals: ${operand} } }`}`);
      }
      return;
    }
    if ((operator === 'equals' || operator === 'notEquals') && this.isListOperand(c[operator])) return;
    const each = rewrite(operator, operand) ?? `{ any: <list>, satisfies: { field: item…, ${operator}: ${operand} } }`;
    const scalarOperand = operand !== '…' && !operand.startsWith('[') && !operand.startsWith('{');
    const holds =
      (operator === 'equals' || operator === 'notEquals') && !objectElements(list) && scalarOperand
        ? `; to ask whether the list ${operator === 'equals' ? 'holds' : 'lacks'} the value, ${operator === 'equals' ? `{ field: ${flowPath(text)}, contains: ${operand} }` : `{ not: { field: ${flowPath(text)}, contains: ${operand} } }`}`
        : '';
    refuse(`'${operator}' compares the whole list, so it cannot test its elements: test each element, as in ${each} (or all, none, count)${holds}`);
  }

  /** A literal list, or a parameter declared as a list: what a list may be compared with. */
  private isListOperand(v: unknown): boolean {
    return Array.isArray(v) || (isParamRef(v) && this.listParameters.has(v.$param));
  }

  condition(c: unknown, scope: Scope, at: YamlPath): void {
    if (!isPlainObject(c)) return;
    if ('field' in c) {
      // `exists` asks only whether the value is there; every other operator reads it.
      const operators = Object.keys(c).filter((k) => k !== 'field' && k !== 'caseSensitive');
      const shape = this.text(c.field, scope, [...at, 'field'], operators.length === 1 && operators[0] === 'exists' ? 'shape' : 'whole');
      if (shape?.list !== undefined) this.listCompared(c, shape, at);
      this.operands(c, scope, at, shape);
      return;
    }
    for (const key of ['allOf', 'anyOf'] as const) {
      if (Array.isArray(c[key])) (c[key] as unknown[]).forEach((x, i) => this.condition(x, scope, [...at, key, i]));
    }
    if ('not' in c) this.condition(c.not, scope, [...at, 'not']);
    const listKey = ['any', 'all', 'none', 'count'].find((k) => k in c);
    if (!listKey) return;
    const list = this.text(c[listKey], scope, [...at, listKey], 'shape');
    const as = typeof c.as === 'string' ? c.as : 'item';
    const inner = Checker.bindElement(scope, as, list);
    if ('satisfies' in c) this.condition(c.satisfies, inner, [...at, 'satisfies']);
    if ('where' in c) this.condition(c.where, inner, [...at, 'where']);
    if ('distinct' in c) this.distinct(c.distinct, inner, as, [...at, 'distinct']);
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
        ...(spec.many === true ? { list: `'${name}' is a many join`, neverAbsent: true } : {}),
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
      const as = typeof spec.as === 'string' ? spec.as : 'item';
      const inner = Checker.bindElement(current, as, list);
      if (spec.where !== undefined) this.condition(spec.where, inner, [...at, name, 'where']);
      if (spec.distinct !== undefined) this.distinct(spec.distinct, inner, as, [...at, name, 'distinct']);
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

/**
 * Resolves every name a rule reads: what is unknown, and which record fields it reads.
 * `listParameters`: the rule's parameters declared as lists (a list field may be compared with one).
 */
export function checkNames(doc: Record<string, unknown>, listParameters: ReadonlySet<string> = new Set()): NameCheck {
  const checker = new Checker(listParameters);
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
    // A record whose groupBy value is a list is in a group per element: the key is one element.
    const names = new Map<string, Binding>([
      ['key', { kind: 'group field', shape: key === undefined ? { ...OPEN } : elementOf(key) }],
      ['items', { kind: 'group field', shape: { ...records, list: "'items' is the group's records", neverAbsent: true } }],
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
