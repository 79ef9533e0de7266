/**
 * Record validation against the per-kind JSON Schemas in `schemas/exports/` (the same files editors
 * use), each compiled once with ajv on first use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import Ajv, { type ValidateFunction } from 'ajv';
import { firstSchemaProblem } from '../schema-errors';
import type { ExportKind } from './kinds';
import { pointerSegment } from './json-util';

export interface RecordProblem {
  /** JSON pointer, relative to the validated value, of the offending field. */
  instancePath: string;
  message: string;
}

/**
 * Records are validated by the million: stop at the first error. Documents users write (the
 * manifest) get every error, with the schema at hand for "did you mean" hints.
 */
const ajvFor = {
  record: new Ajv({ allErrors: false, strict: false }),
  document: new Ajv({ allErrors: true, strict: false, verbose: true }),
};
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
export function compileSchema(schemaFile: string, use: keyof typeof ajvFor = 'record'): ValidateFunction {
  const key = `${use}:${schemaFile}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajvFor[use].compile(packageSchema(schemaFile));
    compiled.set(key, validate);
  }
  return validate;
}

/** Validates one record as exported; returns the first real problem, or undefined when valid. */
export function validateRecord(kind: ExportKind, value: unknown): RecordProblem | undefined {
  const validate = compileSchema(kind.schemaFile);
  if (validate(value)) return undefined;
  const problem = firstSchemaProblem(validate.errors ?? []);
  return { instancePath: problem.path.map((s) => `/${pointerSegment(String(s))}`).join(''), message: problem.message };
}
