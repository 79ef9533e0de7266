/**
 * Expands references to named conditions (`{ condition: name, with: { parameter: value } }`) into
 * their bodies, before a rule is compiled and its names are checked: the compiler, the name
 * checker (and so the loader's projection) and the evaluator all see the conditions written out,
 * so a field read only inside a named condition is read by the rule like any other.
 *
 * Arguments are bound by name: a body's `{ $param: p }` becomes the argument (a literal, or the
 * caller's own `{ $param: q }`), else the parameter's default. A body sees its own parameters only,
 * never the rule's: a name it does not declare is an error, not a silent read of the caller's.
 * Expansion is bounded in nesting and in size, and a condition that reaches itself is an error, so a
 * hostile conditions file cannot make loading run away.
 */
import type { Position } from '../diagnostics';
import { positionIn } from '../yaml-file';
import { didYouMean } from '../suggest';
import { describeDeclaration, parameterProblem, type ParameterDeclaration } from './parameters';
import { isParamRef, isPlainObject } from './values';
import { setOwn } from '../snapshot/json-util';
import { headName, parsePath } from './path';
import type { YamlPath } from './conditions';
import { definitionPlace, type ConditionLibrary, type NamedCondition } from './named-conditions';

/** Named conditions a reference may pass through on its way to a body: far more than honest reuse needs. */
export const MAX_REFERENCE_DEPTH = 8;
/** Nodes (maps, lists and values) the expanded conditions of one rule may hold. */
export const MAX_EXPANDED_NODES = 20_000;

export interface ExpansionProblem {
  at: YamlPath;
  message: string;
}

/** A `$param` argument naming a parameter of the expanded document itself (a rule's), checked once its value is known. */
export interface ForwardedArgument {
  at: YamlPath;
  param: string;
  condition: string;
  argument: string;
  declaration: ParameterDeclaration;
}

/** A reference found by a shallow scan (`scanDefinition`): the condition it names, and where. */
export interface Reference {
  condition: NamedCondition;
  at: YamlPath;
}

export interface Expansion {
  /** The document with every reference that could be expanded replaced by its body. */
  doc: Record<string, unknown>;
  /** Named conditions used, directly or through others, by name. */
  used: NamedCondition[];
  problems: ExpansionProblem[];
  forwarded: ForwardedArgument[];
  /**
   * Where to report a problem at `at` in the expanded document: the reference it lies inside, in
   * the document as written, and a note naming the condition and the place in its own file.
   */
  locate(at: YamlPath): { at: YamlPath; note: string };
}

interface Site {
  path: YamlPath;
  condition: NamedCondition;
}

/**
 * What a body is read on when a reference says `on: <path>`: its paths are read below `prefix`,
 * except those that start with a name the body binds itself (a quantifier's element).
 */
interface Subject {
  prefix: string;
  bound: ReadonlySet<string>;
}

/** Where a body is being expanded: the arguments bound to its `$param`s, the conditions it is inside, its subject. */
interface Body {
  /** Undefined: the document's own parameters, left for the compiler. */
  args?: ReadonlyMap<string, unknown>;
  stack: readonly NamedCondition[];
  subject?: Subject;
}

/** Copies a mapping keeping every own key as data (`__proto__` included), with some values replaced. */
function copyWith(node: Record<string, unknown>, replace: (key: string, value: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) setOwn(out, key, replace(key, node[key]));
  return out;
}

function sameOrInside(path: YamlPath, prefix: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

function where(c: NamedCondition, at: YamlPath = []): string {
  const p: Position = positionIn(c.yaml, [...c.at, 'condition', ...at]);
  return `${c.file}:${p.line}:${p.column}`;
}

/** Combinator keys whose values are lists of conditions. */
const LIST_KEYS = ['allOf', 'anyOf'];

class Expander {
  readonly problems: ExpansionProblem[] = [];
  readonly forwarded: ForwardedArgument[] = [];
  readonly sites: Site[] = [];
  /** References checked but not expanded (a shallow scan). */
  readonly references: Reference[] = [];
  /** The references whose bodies are being expanded, outermost first. */
  private readonly active: Site[] = [];
  private nodes = 0;
  private overflow = false;

  constructor(
    private readonly library: ConditionLibrary,
    /** Parameters the expanded document itself declares (a rule's, or the definition being checked). */
    private readonly ownParams: ReadonlySet<string>,
    /** Check references (names, arguments, `on`) without writing their bodies out. */
    private readonly shallow = false,
  ) {}

  /** Nodes written out so far. */
  get size(): number {
    return this.nodes;
  }

  /** A problem at `at`, placed now: inside a body, at the reference in the document and in the condition's file. */
  private problem(at: YamlPath, message: string): void {
    const where = place(at, this.active);
    this.problems.push({ at: where.at, message: `${message}${where.note}` });
  }

  /** Counts a node of the output; past the bound, one error at the reference being expanded. */
  private spend(at: YamlPath, n = 1): boolean {
    this.nodes += n;
    if (this.nodes <= MAX_EXPANDED_NODES) return true;
    if (!this.overflow) {
      this.overflow = true;
      this.problem(at, `named conditions expand to more than ${MAX_EXPANDED_NODES} nodes in this document: a condition used many times inside others multiplies`);
    }
    return false;
  }

  /** `node`, a condition at `at` of `body`, with its references expanded. */
  condition(node: unknown, at: YamlPath, body: Body): unknown {
    if (!isPlainObject(node)) return node;
    if (Object.hasOwn(node, 'condition')) return this.reference(node, at, body);
    if (!this.spend(at, Object.keys(node).length)) return node;
    const listKey = ['any', 'all', 'none', 'count'].find((k) => Object.hasOwn(node, k));
    const subject = body.subject;
    // Below a quantifier its element's name is bound: a path starting with it is not the subject's.
    const element = listKey && subject ? { ...body, subject: { prefix: subject.prefix, bound: new Set([...subject.bound, typeof node.as === 'string' ? node.as : 'item']) } } : body;
    return copyWith(node, (key, value) => {
      const here = [...at, key];
      if (LIST_KEYS.includes(key) && Array.isArray(value)) return value.map((c, i) => this.condition(c, [...here, i], body));
      if (key === 'not') return this.condition(value, here, body);
      if (listKey && (key === 'satisfies' || key === 'where')) return this.condition(value, here, element);
      if (subject && typeof value === 'string' && (key === 'field' || key === listKey)) return this.onSubject(value, here, subject);
      if (element.subject && listKey && key === 'distinct' && typeof value === 'string') return this.onSubject(value, here, element.subject);
      if (subject && isPlainObject(value) && Object.keys(value).length === 1 && typeof value.$field === 'string') {
        return { $field: this.onSubject(value.$field, [...here, '$field'], subject) };
      }
      if (body.args !== undefined && isParamRef(value)) return this.bind(value.$param, [...here, '$param'], body.args, body.stack);
      return value;
    });
  }

  /** A body's path, read on the subject a reference named with `on`. */
  private onSubject(text: string, at: YamlPath, subject: Subject): string {
    const p = parsePath(text);
    if (typeof p === 'string') return text;
    if (p.jsonPath !== undefined) {
      this.problem(at, `'${text}' is a JSONPath, which cannot be read on '${subject.prefix}': use this condition without 'on'`);
      return text;
    }
    const head = headName(p);
    if (head !== undefined && subject.bound.has(head)) return text;
    return text.startsWith('[') ? `${subject.prefix}${text}` : `${subject.prefix}.${text}`;
  }

  /** A body's `{ $param: name }`: the argument bound to it. */
  private bind(name: unknown, at: YamlPath, args: ReadonlyMap<string, unknown>, stack: readonly NamedCondition[]): unknown {
    if (typeof name === 'string' && args.has(name)) return args.get(name);
    const c = stack[stack.length - 1];
    const declared = [...c.parameters.keys()];
    const hint = typeof name === 'string' ? didYouMean(name, declared) : '';
    this.problem(at, `condition '${c.name}' reads parameter '${String(name)}', which it does not declare${hint} (declared: ${declared.join(', ') || 'none'})`);
    return { $param: name };
  }

  private reference(node: Record<string, unknown>, at: YamlPath, body: Body): unknown {
    const { args, stack } = body;
    const name = node.condition;
    if (typeof name !== 'string') return node;
    const c = this.library.get(name);
    if (!c) {
      this.problem([...at, 'condition'], `unknown condition '${name}'${didYouMean(name, this.library.keys())}: a rule may use posture-lint's own named conditions and those of the *.conditions.yaml files given with the rules (the file, or its folder)`);
      return node;
    }
    if (c.broken) {
      this.problem([...at, 'condition'], `condition '${name}' cannot be used: its definition at ${definitionPlace(c)} has errors`);
      return node;
    }
    const cycle = stack.indexOf(c);
    if (cycle >= 0) {
      this.problem([...at, 'condition'], `condition '${name}' refers to itself: ${[...stack.slice(cycle), c].map((s) => s.name).join(' → ')}`);
      return node;
    }
    if (stack.length >= MAX_REFERENCE_DEPTH) {
      this.problem([...at, 'condition'], `named conditions nest deeper than ${MAX_REFERENCE_DEPTH} levels: ${[...stack, c].map((s) => s.name).join(' → ')}`);
      return node;
    }
    const bound = this.arguments(node, c, at, args, stack);
    const subject = this.subjectOf(node, at, body);
    if (!bound || subject === null) return node;
    if (this.shallow) {
      this.references.push({ condition: c, at });
      return node;
    }
    // The library knows how large each condition is written out: one too large is refused before it is.
    if (c.size !== undefined && this.nodes + c.size > MAX_EXPANDED_NODES) {
      this.spend(at, c.size);
      return node;
    }
    const site = { path: at, condition: c };
    this.sites.push(site);
    this.active.push(site);
    const expanded = this.condition(c.body, at, { args: bound, stack: [...stack, c], subject });
    this.active.pop();
    return expanded;
  }

  /**
   * What the referenced body reads: the reference's `on` path (itself read on the enclosing body's
   * subject), else what the enclosing body reads; null after a problem.
   */
  private subjectOf(node: Record<string, unknown>, at: YamlPath, body: Body): Subject | undefined | null {
    const outer = body.subject && { prefix: body.subject.prefix, bound: new Set<string>() };
    if (!Object.hasOwn(node, 'on')) return outer;
    const on = node.on;
    const p = typeof on === 'string' ? parsePath(on) : undefined;
    if (typeof on !== 'string' || p === undefined || typeof p === 'string' || p.jsonPath !== undefined) {
      this.problem([...at, 'on'], `'on' takes the path of what the condition is about, such as item or subscription${typeof p === 'string' ? `: ${p}` : ''}`);
      return null;
    }
    return { prefix: body.subject ? this.onSubject(on, [...at, 'on'], body.subject) : on, bound: new Set() };
  }

  /** The reference's arguments checked against the condition's parameters, defaults filled in; undefined after a problem. */
  private arguments(node: Record<string, unknown>, c: NamedCondition, at: YamlPath, args: ReadonlyMap<string, unknown> | undefined, stack: readonly NamedCondition[]): Map<string, unknown> | undefined {
    const before = this.problems.length;
    const given = node.with ?? {};
    const bound = new Map<string, unknown>();
    if (!isPlainObject(given)) {
      this.problem([...at, 'with'], `'with' takes the arguments of condition '${c.name}' as a mapping (parameter: value)`);
      return undefined;
    }
    for (const key of Object.keys(given)) {
      const value = given[key];
      const here = [...at, 'with', key];
      const param = c.parameters.get(key);
      if (!param) {
        const names = [...c.parameters.keys()];
        this.problem(here, `condition '${c.name}' has no parameter '${key}'${didYouMean(key, names)} (parameters: ${names.join(', ') || 'none'})`);
        continue;
      }
      if (isParamRef(value)) {
        if (args !== undefined) {
          bound.set(key, this.bind(value.$param, [...here, '$param'], args, stack));
        } else if (!this.ownParams.has(value.$param)) {
          this.problem([...here, '$param'], `unknown parameter '${value.$param}'${didYouMean(value.$param, this.ownParams)} (declared: ${[...this.ownParams].join(', ') || 'none'})`);
        } else {
          this.forwarded.push({ at: here, param: value.$param, condition: c.name, argument: key, declaration: param.declaration });
          bound.set(key, value);
        }
        continue;
      }
      if (isPlainObject(value)) {
        this.problem(here, `argument '${key}' of condition '${c.name}' is ${describeDeclaration(param.declaration)}: a value, or { $param: name } of this rule`);
        continue;
      }
      const problem = parameterProblem(param.declaration, value);
      if (problem) this.problem(here, `argument '${key}' of condition '${c.name}': ${problem}`);
      else bound.set(key, value);
    }
    // An argument under a name the condition does not have is most often the missing one misspelt: said once.
    const misnamed = Object.keys(given).some((k) => !c.parameters.has(k));
    for (const [key, param] of c.parameters) {
      if (bound.has(key) || Object.hasOwn(given, key) || misnamed) continue;
      if (param.hasDefault) bound.set(key, param.default);
      else this.problem([...at, 'condition'], `condition '${c.name}' needs the argument '${key}' (${describeDeclaration(param.declaration)}): give it under 'with'`);
    }
    return this.problems.length === before ? bound : undefined;
  }

  /**
   * Where a problem the compiler or the name checker found at `at` of the expanded document lies.
   * A path that goes on into a reference's `with` or `condition` is about the reference as written.
   */
  locate(at: YamlPath): { at: YamlPath; note: string } {
    return place(at, this.sites.filter((s) => sameOrInside(at, s.path) && !(at.length > s.path.length && (at[s.path.length] === 'with' || at[s.path.length] === 'condition'))));
  }
}

/**
 * `at` inside the bodies of `sites` (outermost first): the outermost reference, as written in the
 * document, and a note naming the innermost condition and the place in its file.
 */
function place(at: YamlPath, sites: readonly Site[]): { at: YamlPath; note: string } {
  if (sites.length === 0) return { at, note: '' };
  const innermost = sites[sites.length - 1];
  const chain = sites.map((s) => `'${s.condition.name}'`).reverse();
  const via = chain.length > 1 ? `, used through ${chain.slice(1).join(' ← ')}` : '';
  return { at: [...sites[0].path, 'condition'], note: ` (in condition ${chain[0]} at ${where(innermost.condition, at.slice(innermost.path.length))}${via})` };
}

/** The positions of a rule document that hold conditions: where, assert, and lets' and joins' filters. */
function expandRule(doc: Record<string, unknown>, e: Expander): Record<string, unknown> {
  const top: Body = { stack: [] };
  const joins = (raw: unknown, at: YamlPath): unknown =>
    isPlainObject(raw)
      ? copyWith(raw, (name, spec) =>
          isPlainObject(spec)
            ? copyWith(spec, (k, v) => (k === 'where' ? e.condition(v, [...at, name, 'where'], top) : k === 'join' ? joins(v, [...at, name, 'join']) : v))
            : spec,
        )
      : raw;
  return copyWith(doc, (key, value) => {
    if (key === 'where' || key === 'assert') return e.condition(value, [key], top);
    if (key === 'join') return joins(value, ['join']);
    if (key === 'let' && isPlainObject(value)) {
      return copyWith(value, (name, spec) => (isPlainObject(spec) ? copyWith(spec, (k, v) => (k === 'where' ? e.condition(v, ['let', name, 'where'], top) : v)) : spec));
    }
    return value;
  });
}

function result(e: Expander, doc: Record<string, unknown>): Expansion {
  const used = new Map(e.sites.map((s) => [s.condition.name, s.condition]));
  return {
    doc,
    used: [...used.keys()].sort().map((n) => used.get(n)!),
    problems: e.problems,
    forwarded: e.forwarded,
    locate: (at) => e.locate(at),
  };
}

/** A rule document with its named conditions expanded. */
export function expandRuleConditions(doc: Record<string, unknown>, library: ConditionLibrary): Expansion {
  const own = new Set(isPlainObject(doc.parameters) ? Object.keys(doc.parameters) : []);
  const e = new Expander(library, own);
  return result(e, expandRule(doc, e));
}

/**
 * A named condition's body checked as written: the names, arguments and `on` of the conditions it
 * uses, which are not written out (the library works out their sizes, depths and cycles from
 * `references`, so checking a file costs no more than reading it). Its own parameters stay
 * `$param`. Paths are those of a document `{ condition: body }`.
 */
export function scanDefinition(c: NamedCondition, library: ConditionLibrary): Expansion & { references: Reference[]; size: number } {
  const e = new Expander(library, new Set(c.parameters.keys()), true);
  const body = e.condition(c.body, ['condition'], { stack: [c] });
  return { ...result(e, { condition: body }), references: e.references, size: e.size };
}
