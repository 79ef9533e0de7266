/**
 * Checks the field names a rule reads against the export schemas, so a typo such as
 * `av.avMod` is caught when the rule is written, not discovered as a rule that silently fails
 * every device. Export schemas allow extra fields, so an unknown name is a warning with a
 * "did you mean", never an error.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportKind } from '../snapshot/kinds';
import { PACKAGE_ROOT } from '../paths';
import { closest } from '../suggest';
import { isPlainObject } from './values';
import { headName, parsePath, type ParsedPath } from './path';
import { parseTemplate } from './template';
import type { YamlPath } from './conditions';

/** Field names of the snapshot's own collections (src/snapshot/self.ts). */
const SELF_FIELDS: Record<string, string[]> = {
  'snapshot.exports': ['kind', 'files', 'records', 'pagingComplete', 'asOf', 'hoursBehindNewest'],
  'snapshot.facts': ['name', 'value', 'declared', 'conflicting', 'evidence'],
};

const fieldCache = new Map<string, Map<string, Set<string>> | undefined>();

/** Known field names of a collection's records: top level (key ''), and under each object field. */
function fieldsOf(collection: string): Map<string, Set<string>> | undefined {
  if (fieldCache.has(collection)) return fieldCache.get(collection);
  let fields: Map<string, Set<string>> | undefined;
  if (SELF_FIELDS[collection]) fields = new Map([['', new Set(SELF_FIELDS[collection])]]);
  const kind = exportKind(collection);
  if (kind) {
    const schema = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, kind.schemaFile), 'utf8')) as { properties?: Record<string, { properties?: object }> };
    fields = new Map([['', new Set(Object.keys(schema.properties ?? {}))]]);
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (isPlainObject(sub) && isPlainObject(sub.properties)) fields.set(name, new Set(Object.keys(sub.properties)));
    }
  }
  fieldCache.set(collection, fields);
  return fields;
}

export interface ReferenceWarning {
  at: YamlPath;
  offset?: number;
  message: string;
}

interface Scope {
  collection?: string;
  /** Names bound here: joins (to their collection), lets, quantifier variables, group fields. */
  names: Map<string, string | undefined>;
}

function nameSegments(p: ParsedPath): string[] {
  const out: string[] = [];
  for (const s of p.segments) {
    if (!('name' in s)) break;
    out.push(s.name);
  }
  return out;
}

function check(p: ParsedPath, scope: Scope, at: YamlPath, out: ReferenceWarning[], offset?: number): void {
  if (p.jsonPath !== undefined) return;
  const names = nameSegments(p);
  const head = headName(p);
  if (head === undefined) return;
  let collection = scope.collection;
  let rest = names;
  if (scope.names.has(head)) {
    collection = scope.names.get(head);
    rest = names.slice(1);
    if (collection === undefined) return;
  }
  const fields = collection ? fieldsOf(collection) : undefined;
  if (!fields || rest.length === 0) return;
  const top = fields.get('')!;
  if (!top.has(rest[0])) {
    const hint = closest(rest[0], top);
    out.push({ at, offset, message: `'${p.text}': ${collection} records have no field '${rest[0]}' in their schema${hint ? ` (did you mean '${hint}'?)` : ''}` });
    return;
  }
  const nested = fields.get(rest[0]);
  if (nested && rest.length > 1 && nested.size > 0 && !nested.has(rest[1])) {
    const hint = closest(rest[1], nested);
    out.push({ at, offset, message: `'${p.text}': ${collection} records have no field '${rest[0]}.${rest[1]}' in their schema${hint ? ` (did you mean '${rest[0]}.${hint}'?)` : ''}` });
  }
}

function checkText(text: unknown, scope: Scope, at: YamlPath, out: ReferenceWarning[]): void {
  if (typeof text !== 'string') return;
  const p = parsePath(text);
  if (typeof p !== 'string') check(p, scope, at, out);
}

function walkCondition(c: unknown, scope: Scope, at: YamlPath, out: ReferenceWarning[]): void {
  if (!isPlainObject(c)) return;
  if ('field' in c) {
    checkText(c.field, scope, [...at, 'field'], out);
    for (const [k, v] of Object.entries(c)) if (isPlainObject(v) && typeof v.$field === 'string') checkText(v.$field, scope, [...at, k, '$field'], out);
    return;
  }
  for (const key of ['allOf', 'anyOf'] as const) {
    if (Array.isArray(c[key])) (c[key] as unknown[]).forEach((x, i) => walkCondition(x, scope, [...at, key, i], out));
  }
  if ('not' in c) walkCondition(c.not, scope, [...at, 'not'], out);
  const listKey = ['any', 'all', 'none', 'count'].find((k) => k in c);
  if (listKey) {
    checkText(c[listKey], scope, [...at, listKey], out);
    // Elements of a list are not typed here; a bound element's fields are not checked.
    const inner: Scope = { collection: scope.collection, names: new Map(scope.names).set(typeof c.as === 'string' ? c.as : 'item', undefined) };
    if ('satisfies' in c) walkCondition(c.satisfies, inner, [...at, 'satisfies'], out);
    if ('where' in c) walkCondition(c.where, inner, [...at, 'where'], out);
  }
}

/** Warnings for every field a rule names that its collection's schema does not have. */
export function checkReferences(doc: Record<string, unknown>): ReferenceWarning[] {
  const out: ReferenceWarning[] = [];
  const forSpec = doc.for;
  const grouped = isPlainObject(forSpec);
  const from = grouped ? forSpec.from : forSpec;
  const scope: Scope = { collection: typeof from === 'string' && !grouped ? from : undefined, names: new Map() };
  if (grouped) {
    scope.names.set('key', undefined);
    scope.names.set('items', undefined);
    if (typeof forSpec.groupBy === 'string' && typeof from === 'string') checkText(forSpec.groupBy, { collection: from, names: new Map() }, ['for', 'groupBy'], out);
  }
  if (isPlainObject(doc.join)) {
    for (const [name, spec] of Object.entries(doc.join)) {
      if (!isPlainObject(spec)) continue;
      const foreign = typeof spec.from === 'string' ? spec.from : undefined;
      const pairs = Array.isArray(spec.on) ? spec.on : spec.on === undefined ? [] : [spec.on];
      pairs.forEach((pair, i) => {
        if (!isPlainObject(pair)) return;
        const pairAt = Array.isArray(spec.on) ? ['join', name, 'on', i] : ['join', name, 'on'];
        checkText(pair.local, scope, [...pairAt, 'local'], out);
        checkText(pair.foreign, { collection: foreign, names: new Map() }, [...pairAt, 'foreign'], out);
      });
      if (spec.where !== undefined) walkCondition(spec.where, { collection: foreign, names: new Map() }, ['join', name, 'where'], out);
      scope.names.set(name, spec.join === undefined ? foreign : undefined);
    }
  }
  if (isPlainObject(doc.let)) {
    for (const [name, spec] of Object.entries(doc.let)) {
      if (!isPlainObject(spec)) continue;
      checkText(spec.select, scope, ['let', name, 'select'], out);
      const inner: Scope = { collection: scope.collection, names: new Map(scope.names).set(typeof spec.as === 'string' ? spec.as : 'item', undefined) };
      if (spec.where !== undefined) walkCondition(spec.where, inner, ['let', name, 'where'], out);
      scope.names.set(name, undefined);
    }
  }
  if (doc.where !== undefined) walkCondition(doc.where, scope, ['where'], out);
  walkCondition(doc.assert, scope, ['assert'], out);
  if (typeof doc.message === 'string') {
    const { template } = parseTemplate(doc.message);
    for (const p of template.paths) check(p, scope, ['message'], out, doc.message.indexOf(p.text));
  }
  return out;
}
