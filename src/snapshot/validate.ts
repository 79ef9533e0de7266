/**
 * Validation against the package's JSON Schemas: the per-kind export schemas in `schemas/exports/`
 * (the same files editors use) and the schemas of the files users write and of reports. Each is
 * compiled once, on first use, by an ajv of the draft its `$schema` names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { firstSchemaProblem } from '../schema-errors';
import type { ExportKind } from './kinds';
import { pointerSegment } from './json-util';

export interface RecordProblem {
  /** JSON pointer, relative to the validated value, of the offending field. */
  instancePath: string;
  message: string;
}

/**
 * Records are validated by the million: stop at the first error. Documents users write (rules,
 * config, waivers, the manifest) and reports `trend` reads get every error, with the schema at
 * hand for "did you mean" hints.
 */
const OPTIONS = {
  record: { allErrors: false, strict: false },
  document: { allErrors: true, strict: false, verbose: true },
} as const;
type Use = keyof typeof OPTIONS;
const instances = new Map<string, Ajv>();

function ajvFor(use: Use, schema: object): Ajv {
  const draft2020 = (schema as { $schema?: unknown }).$schema === 'https://json-schema.org/draft/2020-12/schema';
  const key = `${use}:${draft2020}`;
  let ajv = instances.get(key);
  if (ajv === undefined) {
    ajv = draft2020 ? new Ajv2020(OPTIONS[use]) : new Ajv(OPTIONS[use]);
    instances.set(key, ajv);
  }
  return ajv;
}
const compiled = new Map<string, ValidateFunction>();

const parsed = new Map<string, object>();

/** The schema at `schemaFile`, relative to the package root, parsed once: a file of the package, not an input. */
export function packageSchema(schemaFile: string): object {
  let schema = parsed.get(schemaFile);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, schemaFile), 'utf8')) as object;
    parsed.set(schemaFile, schema);
  }
  return schema;
}

/** Compiles (once) the schema at `schemaFile`, relative to the package root. */
export function compileSchema(schemaFile: string, use: Use = 'record'): ValidateFunction {
  const key = `${use}:${schemaFile}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    const schema = packageSchema(schemaFile);
    validate = ajvFor(use, schema).compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

const byKind = new WeakMap<ExportKind, ValidateFunction>();

/** Validates one record as exported; returns the first real problem, or undefined when valid. */
export function validateRecord(kind: ExportKind, value: unknown): RecordProblem | undefined {
  // Called per record: look the kind's validator up by the kind, not by a key string built each time.
  let validate = byKind.get(kind);
  if (validate === undefined) {
    validate = compileSchema(kind.schemaFile);
    byKind.set(kind, validate);
  }
  if (validate(value)) return undefined;
  const problem = firstSchemaProblem(validate.errors ?? []);
  return { instancePath: problem.path.map((s) => `/${pointerSegment(String(s))}`).join(''), message: problem.message };
}
