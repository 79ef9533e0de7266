/**
 * Record validation against the per-kind JSON Schemas in `schemas/exports/` (the same files editors
 * use), each compiled once with ajv on first use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { ExportKind } from './kinds';

export interface SchemaProblem {
  /** JSON pointer, relative to the validated value, of the offending field. */
  instancePath: string;
  message: string;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction>();

/** Compiles (once) the schema at `schemaFile`, relative to the package root. */
export function compileSchema(schemaFile: string): ValidateFunction {
  let validate = compiled.get(schemaFile);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, schemaFile), 'utf8')) as object;
    validate = ajv.compile(schema);
    compiled.set(schemaFile, validate);
  }
  return validate;
}

/** Validates one record as exported; returns the first real problem, or undefined when valid. */
export function validateRecord(kind: ExportKind, value: unknown): SchemaProblem | undefined {
  const validate = compileSchema(kind.schemaFile);
  return validate(value) ? undefined : firstRealError(validate.errors ?? []);
}

/** Combinators only say "a branch failed"; the branch's own error is the real one. */
const WRAPPERS = new Set(['if', 'anyOf', 'oneOf', 'allOf', 'not', '$ref']);

/** Collapses ajv's cascade to one problem: the deepest non-combinator error (the first on ties). */
export function firstRealError(errors: readonly ErrorObject[]): SchemaProblem {
  const real = errors.filter((e) => !WRAPPERS.has(e.keyword));
  const pool = real.length > 0 ? real : errors;
  let best = pool[0];
  for (const e of pool) if (depth(e.instancePath) > depth(best?.instancePath ?? '')) best = e;
  if (best === undefined) return { instancePath: '', message: 'does not match the schema' };
  return { instancePath: best.instancePath, message: describe(best) };
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return `must be ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0]}`;
    }
    case 'required':
      return `missing required property '${String(p.missingProperty)}'`;
    case 'additionalProperties':
      return `unknown property '${String(p.additionalProperty)}'`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return e.message ?? `fails '${e.keyword}'`;
  }
}
