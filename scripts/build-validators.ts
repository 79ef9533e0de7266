// Compiles each of the package's JSON Schemas (schemas/**/*.schema.json) with ajv into a module of
// its own under dist/validators/ (ajv's "standalone" code), as the second step of `npm run build`.
// A run then loads validation code rather than compiling schemas: compiling the rule and
// conditions schemas alone cost ~0.4 s of CPU on every lint and every CLI test.
// test/validators.test.ts holds every module to what ajv makes of its schema now.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type Options } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { PACKAGE_ROOT } from '../src/paths';
import { packageSchema, schemaDigest, validatorModule } from '../src/snapshot/validate';

/**
 * Export records are validated by the million: stop at the first error. Documents users write
 * (rules, conditions, config, waivers, the manifest) and reports `trend` reads get every error,
 * with the schema at hand for "did you mean" hints (src/schema-errors.ts needs both).
 */
const RECORD: Options = { allErrors: false, strict: false };
const DOCUMENT: Options = { allErrors: true, strict: false, verbose: true };

/** Every schema of the package, as a path relative to its root: `schemas/...`. */
export function packageSchemaFiles(): string[] {
  const files = readdirSync(path.join(PACKAGE_ROOT, 'schemas'), { recursive: true, encoding: 'utf8' });
  return files
    .map((f) => `schemas/${f.split(path.sep).join('/')}`)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
}

/**
 * The module validating against `schemaFile`, as ajv writes it (a fresh ajv each, so names do not
 * depend on order), with the digest of the schema it was built from, which loading checks.
 */
export function validatorCode(schemaFile: string): string {
  const schema = packageSchema(schemaFile) as { $schema?: string };
  const options: Options = { ...(schemaFile.startsWith('schemas/exports/') ? RECORD : DOCUMENT), code: { source: true } };
  const ajv = schema.$schema === 'https://json-schema.org/draft/2020-12/schema' ? new Ajv2020(options) : new Ajv(options);
  return `${standaloneCode(ajv, ajv.compile(schema))}\nmodule.exports.schemaDigest = ${JSON.stringify(schemaDigest(schemaFile))};\n`;
}

if (require.main === module) {
  // Written afresh: a module left from a schema since removed would be loaded by nothing, and confuse.
  rmSync(path.dirname(validatorModule('schemas/x')), { recursive: true, force: true });
  for (const schemaFile of packageSchemaFiles()) {
    const out = validatorModule(schemaFile);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, validatorCode(schemaFile));
  }
}
