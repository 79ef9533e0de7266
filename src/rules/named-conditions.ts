/**
 * Named conditions: conditions defined once, with typed parameters, in `*.conditions.yaml` files
 * (posture-lint's own under rules/conditions/, and those among the rule paths of a run), that
 * rules use with `{ condition: name, with: { ... } }` (expanded by ./expand.ts).
 *
 * Each file is read by the one YAML reader and checked against schemas/conditions.schema.json;
 * each definition is then checked on its own: parameter declarations, the conditions it uses
 * (names, arguments, cycles, size) and its body compiled as a rule would compile it. A name defined
 * twice is an error naming both places, whichever files they are in: a conditions file given with
 * the rules cannot replace posture-lint's own silently.
 */
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { positionIn, readYamlDocument, type YamlFile } from '../yaml-file';
import { schemaValidator } from '../snapshot/validate';
import { compileCondition, type YamlPath } from './conditions';
import { declarationOf, declarationProblems, type ParameterDeclaration } from './parameters';
import { isPlainObject } from './values';
import { MAX_EXPANDED_NODES, MAX_REFERENCE_DEPTH, scanDefinition, type Reference } from './expand';

export const CONDITIONS_SCHEMA_FILE = 'schemas/conditions.schema.json';

/** A conditions file is told from a rule file by its name. */
export const CONDITIONS_FILE = /\.conditions\.ya?ml$/i;

export interface ConditionParameter {
  declaration: ParameterDeclaration;
  hasDefault: boolean;
  default?: unknown;
  description?: string;
}

export interface NamedCondition {
  name: string;
  description: string;
  parameters: ReadonlyMap<string, ConditionParameter>;
  /** The condition as written, its parameters read with `{ $param: name }`. */
  body: unknown;
  /** The file as shown to users, and its document for positions. */
  file: string;
  yaml: YamlFile;
  /** YAML path of the definition: `['conditions', name]`. */
  at: YamlPath;
  builtin: boolean;
  /** Its definition has errors (reported with the library): rules cannot use it. */
  broken?: boolean;
  /** Nodes it holds written out (at most one past the bound): worked out by the library. */
  size?: number;
}

/** Named conditions by name; a Map, so `constructor` or `__proto__` are names like any other. */
export type ConditionLibrary = ReadonlyMap<string, NamedCondition>;

export interface ConditionsFile {
  abs: string;
  rel: string;
  /** Named on the command line (a link may be followed), not found in a folder. */
  named: boolean;
  builtin: boolean;
}

/** Where a definition is, for messages: `file:line:column`. */
export function definitionPlace(c: NamedCondition): string {
  const p = positionIn(c.yaml, c.at, { key: true });
  return `${c.file}:${p.line}:${p.column}`;
}

/** A value of the declared type, standing in for a parameter without a default when its definition is compiled. */
function placeholder(d: ParameterDeclaration): unknown {
  switch (d.type) {
    case 'list':
      return [];
    case 'number':
    case 'integer':
      return d.minimum ?? 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

function definitionsOf(yaml: YamlFile, file: ConditionsFile): NamedCondition[] {
  const data = yaml.data;
  const raw = isPlainObject(data) && isPlainObject(data.conditions) ? data.conditions : {};
  return Object.keys(raw).map((name) => {
    const spec = raw[name] as Record<string, unknown>;
    const parameters = new Map<string, ConditionParameter>();
    const declared = isPlainObject(spec.parameters) ? spec.parameters : {};
    for (const p of Object.keys(declared)) {
      const d = declared[p] as Record<string, unknown>;
      parameters.set(p, {
        declaration: declarationOf(d),
        hasDefault: Object.hasOwn(d, 'default'),
        ...(Object.hasOwn(d, 'default') ? { default: d.default } : {}),
        ...(typeof d.description === 'string' ? { description: d.description.trim() } : {}),
      });
    }
    return { name, description: String(spec.description).trim(), parameters, body: spec.condition, file: file.rel, yaml, at: ['conditions', name], builtin: file.builtin };
  });
}

/** Problems of one definition on its own, as positioned diagnostics in its file, and the conditions it uses. */
function checkDefinition(c: NamedCondition, library: ConditionLibrary): { problems: Diagnostic[]; references: Reference[]; size: number } {
  const problems: Diagnostic[] = [];
  const report = (path: YamlPath, message: string) => problems.push(diagnostic('error', 'conditions-invalid', message, { file: c.file, position: positionIn(c.yaml, [...c.at, ...path]) }));
  const spec = (c.yaml.data as { conditions: Record<string, Record<string, unknown>> }).conditions[c.name];
  const declared = isPlainObject(spec.parameters) ? spec.parameters : {};
  const misfit = new Set<string>();
  for (const p of Object.keys(declared)) {
    for (const problem of declarationProblems(p, declared[p] as Record<string, unknown>)) {
      report(['parameters', p, problem.key], problem.message);
      misfit.add(p);
    }
  }
  const scan = scanDefinition(c, library);
  for (const p of scan.problems) report(p.at, p.message);
  // The body compiled as a rule compiles it: operators, paths, regexes, and parameters that fit
  // the operators reading them (a parameter without a default stands in with a value of its type).
  // The conditions it uses are left in place, and checked as definitions of their own.
  const params: Record<string, unknown> = Object.create(null);
  for (const [name, p] of c.parameters) params[name] = p.hasDefault ? p.default : placeholder(p.declaration);
  compileCondition(scan.doc.condition, ['condition'], { params, facts: new Set(), misfit, error: report });
  return { problems, references: scan.references, size: scan.size };
}

/**
 * Sizes, depths and cycles of the definitions, from the conditions each uses: worked out once per
 * definition, dependencies first (Kahn's order, no recursion), so neither a long chain nor a
 * condition used many times inside others costs more than the files' own size. What is left
 * unordered lies on a cycle or depends on one.
 */
function checkGraph(checked: ReadonlyMap<NamedCondition, { references: Reference[]; size: number }>): Map<NamedCondition, Diagnostic[]> {
  const out = new Map<NamedCondition, Diagnostic[]>();
  // At the definition's name, or at the reference `at` inside it.
  const report = (c: NamedCondition, at: YamlPath, message: string) =>
    out.set(c, [...(out.get(c) ?? []), diagnostic('error', 'conditions-invalid', message, { file: c.file, position: positionIn(c.yaml, [...c.at, ...at], { key: at.length === 0 }) })]);
  const waiting = new Map<NamedCondition, number>();
  const users = new Map<NamedCondition, NamedCondition[]>();
  for (const [c, { references }] of checked) {
    const uses = new Set(references.map((r) => r.condition));
    waiting.set(c, uses.size);
    for (const d of uses) users.set(d, [...(users.get(d) ?? []), c]);
  }
  const deepest = new Map<NamedCondition, NamedCondition[]>();
  const ready = [...checked.keys()].filter((c) => waiting.get(c) === 0);
  for (let i = 0; i < ready.length; i++) {
    const c = ready[i];
    const { references, size } = checked.get(c)!;
    let total = size;
    let chain = [c];
    for (const r of references) {
      total = Math.min(total + (r.condition.size ?? 0), MAX_EXPANDED_NODES + 1);
      const below = deepest.get(r.condition) ?? [];
      if (below.length + 1 > chain.length) chain = [c, ...below];
    }
    c.size = total;
    // The deepest chain below, kept one past the bound: enough to tell and to show.
    deepest.set(c, chain.slice(0, MAX_REFERENCE_DEPTH + 1));
    // One message a definition: too deep says more than too large, which follows from it as often as not.
    if (chain.length > MAX_REFERENCE_DEPTH) {
      const shown = chain.slice(0, MAX_REFERENCE_DEPTH + 1).map((x) => x.name).join(' → ');
      report(c, [], `condition '${c.name}' nests named conditions deeper than ${MAX_REFERENCE_DEPTH} levels: ${shown}${chain.length > MAX_REFERENCE_DEPTH + 1 ? ' → …' : ''}`);
    }
    else if (total > MAX_EXPANDED_NODES) report(c, [], `condition '${c.name}' is more than ${MAX_EXPANDED_NODES} nodes written out: a condition used many times inside others multiplies`);
    for (const u of users.get(c) ?? []) {
      const left = waiting.get(u)! - 1;
      waiting.set(u, left);
      if (left === 0) ready.push(u);
    }
  }
  // Each condition left that lies on a cycle is refused at its reference that starts the shortest way back.
  const left = new Set([...checked.keys()].filter((c) => (waiting.get(c) ?? 0) > 0));
  for (const c of left) {
    const back = new Map<NamedCondition, { from: NamedCondition; at: YamlPath } | null>([[c, null]]);
    const queue = [c];
    let found: NamedCondition[] | undefined;
    let first: YamlPath | undefined;
    for (let i = 0; i < queue.length && !found; i++) {
      for (const r of checked.get(queue[i])!.references) {
        if (!left.has(r.condition)) continue;
        if (r.condition === c) {
          const trail = [queue[i]];
          for (let step = back.get(queue[i]); step; step = back.get(step.from)) trail.unshift(step.from);
          found = [...trail, c];
          first = trail.length > 1 ? checked.get(c)!.references.find((x) => x.condition === trail[1])!.at : r.at;
          break;
        }
        if (!back.has(r.condition)) {
          back.set(r.condition, { from: queue[i], at: r.at });
          queue.push(r.condition);
        }
      }
    }
    if (found) report(c, [...first!, 'condition'], `condition '${c.name}' refers to itself: ${found.map((x) => x.name).join(' → ')}`);
  }
  return out;
}

/**
 * Reads the conditions files (posture-lint's own first) into one library. Definitions with errors
 * stay in it, marked broken, so a rule that uses one is told so rather than told the name is unknown.
 */
export async function loadConditionLibrary(files: readonly ConditionsFile[]): Promise<{ library: ConditionLibrary; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const library = new Map<string, NamedCondition>();
  const ordered = [...files].sort((a, b) => Number(b.builtin) - Number(a.builtin) || cmp(a.rel, b.rel));
  for (const f of ordered) {
    const read = await readYamlDocument(f.abs, f.rel, {
      code: 'conditions-invalid',
      what: 'conditions file',
      kind: 'rule',
      validate: () => schemaValidator(CONDITIONS_SCHEMA_FILE),
      followLinks: f.named,
    });
    diagnostics.push(...read.diagnostics);
    if (!read.yaml) continue;
    for (const c of definitionsOf(read.yaml, f)) {
      const prior = library.get(c.name);
      if (prior) {
        const whose = prior.builtin ? `posture-lint's own condition at ${definitionPlace(prior)}: give yours another name` : `it is also defined at ${definitionPlace(prior)}`;
        diagnostics.push(diagnostic('error', 'condition-duplicate', `condition '${c.name}' is defined twice: ${whose}`, { file: c.file, position: positionIn(c.yaml, c.at, { key: true }) }));
        continue;
      }
      library.set(c.name, c);
    }
  }
  // Every definition is checked before any is marked broken, so what one reports does not depend on
  // the order they are checked in.
  const checked = new Map([...library.values()].map((c) => [c, checkDefinition(c, library)] as const));
  const graph = checkGraph(checked);
  for (const [c, { problems }] of checked) {
    const all = [...problems, ...(graph.get(c) ?? [])];
    if (all.length > 0) c.broken = true;
    diagnostics.push(...all);
  }
  return { library, diagnostics };
}
