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
import { compileSchema } from '../snapshot/validate';
import { compileCondition, type YamlPath } from './conditions';
import { declarationOf, declarationProblems, type ParameterDeclaration } from './parameters';
import { isPlainObject } from './values';
import { expandDefinition } from './expand';

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

/** Problems of one definition, as positioned diagnostics in its file. */
function checkDefinition(c: NamedCondition, library: ConditionLibrary): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: YamlPath) => positionIn(c.yaml, [...c.at, ...path]);
  const report = (path: YamlPath, message: string) => out.push(diagnostic('error', 'conditions-invalid', message, { file: c.file, position: at(path) }));
  const spec = (c.yaml.data as { conditions: Record<string, Record<string, unknown>> }).conditions[c.name];
  const declared = isPlainObject(spec.parameters) ? spec.parameters : {};
  const misfit = new Set<string>();
  for (const p of Object.keys(declared)) {
    for (const problem of declarationProblems(p, declared[p] as Record<string, unknown>)) {
      report(['parameters', p, problem.key], problem.message);
      misfit.add(p);
    }
  }
  const expansion = expandDefinition(c, library);
  for (const p of expansion.problems) {
    const where = expansion.locate(p.at);
    report(where.at, `${p.message}${where.note}`);
  }
  if (expansion.problems.length > 0) return out;
  // The body compiled as a rule compiles it: operators, paths, regexes, and parameters that fit
  // the operators reading them (a parameter without a default stands in with a value of its type).
  const params: Record<string, unknown> = Object.create(null);
  for (const [name, p] of c.parameters) params[name] = p.hasDefault ? p.default : placeholder(p.declaration);
  compileCondition(expansion.doc.condition, ['condition'], {
    params,
    facts: new Set(),
    misfit,
    error: (path, message) => {
      const where = expansion.locate(path);
      report(where.at, `${message}${where.note}`);
    },
  });
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
      validate: () => compileSchema(CONDITIONS_SCHEMA_FILE, 'document'),
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
  const checked = [...library.values()].map((c) => [c, checkDefinition(c, library)] as const);
  for (const [c, problems] of checked) {
    if (problems.length > 0) c.broken = true;
    diagnostics.push(...problems);
  }
  return { library, diagnostics };
}
