/**
 * Validation against the package's JSON Schemas: the per-kind export schemas in `schemas/exports/`
 * (the same files editors use) and the schemas of the files users write and of reports. The build
 * compiles each schema into a module under `dist/validators/` (scripts/build-validators.ts), so a
 * run loads each it uses once, on first use, and compiles none.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { PACKAGE_ROOT } from '../paths';
import { firstSchemaProblem } from '../schema-errors';
import type { ExportKind } from './kinds';
import { pointerSegment } from './json-util';

export interface RecordProblem {
  /** JSON pointer, relative to the validated value, of the offending field. */
  instancePath: string;
  message: string;
}

/** A schema's validation function as ajv compiles it: true when valid, else the reasons in `errors`. */
export interface SchemaValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
  /** The schema it validates against. */
  schema: object;
}

const parsed = new Map<string, { schema: object; digest: string }>();

function readSchema(schemaFile: string): { schema: object; digest: string } {
  let read = parsed.get(schemaFile);
  if (read === undefined) {
    const text = readFileSync(join(PACKAGE_ROOT, schemaFile), 'utf8');
    read = { schema: JSON.parse(text) as object, digest: createHash('sha256').update(text).digest('hex') };
    parsed.set(schemaFile, read);
  }
  return read;
}

/** The schema at `schemaFile`, relative to the package root, parsed once: a file of the package, not an input. */
export function packageSchema(schemaFile: string): object {
  return readSchema(schemaFile).schema;
}

/**
 * The SHA-256 of the schema file's text: its validation module records the digest it was built
 * from, so a module left from an earlier version of the schema is refused, not run.
 */
export function schemaDigest(schemaFile: string): string {
  return readSchema(schemaFile).digest;
}

/** Where the build writes the validation module of `schemaFile` (`schemas/….schema.json`). */
export function validatorModule(schemaFile: string): string {
  return join(PACKAGE_ROOT, 'dist', 'validators', schemaFile.replace(/\.json$/, '.js'));
}

/** The package's own files are broken (a validation module missing or stale): exit 2 with what to run, not a stack. */
export class BrokenPackage extends Error {}

const loaded = new Map<string, SchemaValidator>();

/** The validator of the schema at `schemaFile`, relative to the package root, loaded once. */
export function schemaValidator(schemaFile: string): SchemaValidator {
  let validate = loaded.get(schemaFile);
  if (validate === undefined) {
    const file = validatorModule(schemaFile);
    // A packaging or build problem, not bad input; a stale module would validate against a schema
    // the package no longer has (a gate tightened in schemas/ but not in dist/ would pass what it must not).
    if (!existsSync(file)) throw new BrokenPackage(`${file} is missing: run \`npm run build\``);
    const built = require(file) as ((value: unknown) => boolean) & { schemaDigest?: unknown };
    if (built.schemaDigest !== schemaDigest(schemaFile)) throw new BrokenPackage(`${file} was built from another version of ${schemaFile}: run \`npm run build\``);
    validate = Object.assign(built, { schema: packageSchema(schemaFile) });
    loaded.set(schemaFile, validate);
  }
  return validate;
}

const byKind = new WeakMap<ExportKind, SchemaValidator>();

/** Validates one record as exported; returns the first real problem, or undefined when valid. */
export function validateRecord(kind: ExportKind, value: unknown): RecordProblem | undefined {
  // Called per record: look the kind's validator up by the kind, not by a key string built each time.
  let validate = byKind.get(kind);
  if (validate === undefined) {
    validate = schemaValidator(kind.schemaFile);
    byKind.set(kind, validate);
  }
  if (validate(value)) return undefined;
  const problem = firstSchemaProblem(validate.errors ?? []);
  return { instancePath: problem.path.map((s) => `/${pointerSegment(String(s))}`).join(''), message: problem.message };
}
