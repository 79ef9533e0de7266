/**
 * What the loader keeps of each record: the fields something reads, not the whole export. The
 * selected rules say which fields they read (src/rules/references.ts), and so does the code that
 * reads records by itself: resource identity (the kinds table), snapshot facts, observation
 * times, export dates, linking devices to servers, the per-subscription coverage check, and
 * whatever the caller adds (the coverage
 * report). A million devices
 * then take memory for the dozen fields the rules read rather than for the fifty they carry.
 *
 * A read names a field path from the record's root and how much of the value there is read:
 * `whole` (an operator compares it, a template prints it, a JSONPath walks it: the whole subtree)
 * or only its shape (a list counted or walked through element by element, a field that must
 * exist: the value is kept with objects below it emptied, lists with every element). Arrays are
 * looked through, as field paths look through them. A kind that something reads whole at its root
 * (a JSONPath over its records, a template printing a whole record) is kept whole.
 */
import { EXPORT_KINDS } from './kinds';
import { FACTS } from './facts';
import { OBSERVATION_FIELDS } from './timestamps';
import { AS_OF_FIELDS } from './self';
import { PER_SUBSCRIPTION_READS } from './per-subscription';
import { LINK_READS } from './servers';
import { setOwn } from './json-util';
import type { JsonObject } from './types';

export interface FieldRead {
  collection: string;
  /** Field names from the record's root. */
  path: readonly string[];
  /** The whole value at `path` is read, not only whether it is there and what it holds. */
  whole: boolean;
}

/** The fields kept below one point of a record. */
interface FieldTree {
  whole: boolean;
  children: Map<string, FieldTree>;
}

/** Turns one record into what is kept of it. */
export type Projector = (data: JsonObject) => JsonObject;

/** Per collection, how its records are cut; a collection not listed is kept whole. */
export type Projection = ReadonlyMap<string, Projector>;

/** Dotted paths as reads of whole values. */
function dotted(collection: string, paths: readonly string[]): FieldRead[] {
  return paths.map((p) => ({ collection, path: p.split('.'), whole: true }));
}

/** What the loader and the snapshot's own checks read of every kind, whatever the rules read. */
export function builtinReads(): FieldRead[] {
  const reads: FieldRead[] = [];
  for (const kind of EXPORT_KINDS) reads.push(...dotted(kind.id, kind.identify.paths));
  for (const fact of FACTS) for (const s of fact.sources) reads.push(...dotted(s.collection, [s.field]));
  for (const [collection, fields] of Object.entries(OBSERVATION_FIELDS)) reads.push(...dotted(collection, fields));
  for (const [collection, field] of Object.entries(AS_OF_FIELDS)) reads.push(...dotted(collection, [field]));
  for (const [collection, fields] of Object.entries(LINK_READS)) reads.push(...dotted(collection, fields));
  for (const [collection, fields] of Object.entries(PER_SUBSCRIPTION_READS)) reads.push(...dotted(collection, fields));
  return reads;
}

function add(tree: FieldTree, read: FieldRead): void {
  let node = tree;
  for (const name of read.path) {
    if (node.whole) return;
    let child = node.children.get(name);
    if (child === undefined) {
      child = { whole: false, children: new Map() };
      node.children.set(name, child);
    }
    node = child;
  }
  if (read.whole) {
    node.whole = true;
    node.children.clear();
  }
}

/**
 * Strings a field repeats (platforms, statuses, group names, subscription ids) are kept once:
 * JSON.parse gives every record its own copy. A field whose values stop repeating (ids, times)
 * is no longer looked up once it has shown this many distinct values.
 */
const MAX_DISTINCT = 4096;
/** Only short strings repeat in practice; long ones are not looked up. */
const MAX_SHARED_LENGTH = 128;

class SharedStrings {
  private seen: Map<string, string> | undefined = new Map();

  get(value: string): string {
    const seen = this.seen;
    if (seen === undefined || value.length > MAX_SHARED_LENGTH) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (seen.size >= MAX_DISTINCT) this.seen = undefined;
    else seen.set(value, value);
    return value;
  }
}

/** A projector for one tree; undefined when the tree keeps everything. */
function projector(tree: FieldTree): ((value: unknown) => unknown) | undefined {
  if (tree.whole) return undefined;
  const fields = [...tree.children].map(([name, child]) => ({ name, project: projector(child), strings: new SharedStrings() }));
  const project = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(project);
    const from = value as JsonObject;
    const out: JsonObject = {};
    for (const f of fields) {
      if (!Object.hasOwn(from, f.name)) continue;
      const raw = from[f.name];
      const v = typeof raw === 'string' ? f.strings.get(raw) : f.project === undefined ? raw : f.project(raw);
      // Exports are untrusted: a `__proto__` field is data, never the prototype.
      if (f.name === '__proto__') setOwn(out, f.name, v);
      else out[f.name] = v;
    }
    return out;
  };
  return project;
}

/**
 * The projection for these reads plus the built-in ones: one projector per export kind that is
 * not read whole.
 */
export function planProjection(reads: Iterable<FieldRead>): Projection {
  const trees = new Map<string, FieldTree>(EXPORT_KINDS.map((k) => [k.id, { whole: false, children: new Map() }]));
  for (const read of [...builtinReads(), ...reads]) {
    const tree = trees.get(read.collection);
    if (tree !== undefined) add(tree, read);
  }
  const out = new Map<string, Projector>();
  for (const [collection, tree] of trees) {
    const project = projector(tree);
    if (project !== undefined) out.set(collection, project as Projector);
  }
  return out;
}
