import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageSchemaFiles, validatorCode } from '../scripts/build-validators';
import { schemaValidator, validatorModule } from '../src/snapshot/validate';
import { EXPORT_KINDS } from '../src/snapshot/kinds';

/**
 * The build compiles every schema into dist/validators/ so that runs load validation code instead
 * of compiling schemas: that code must be exactly what ajv makes of the schema now.
 */
describe('validators compiled by the build (dist/validators/)', () => {
  it('each is what ajv compiles from its schema in schemas/ now (run `npm run build` after changing a schema)', () => {
    const files = packageSchemaFiles();
    expect(files).to.include.members(['schemas/rule.schema.json', 'schemas/conditions.schema.json', 'schemas/config.schema.json', ...EXPORT_KINDS.map((k) => k.schemaFile)]);
    for (const f of files) {
      const out = validatorModule(f);
      expect(existsSync(out), `${out} is missing`).to.equal(true);
      expect(readFileSync(out, 'utf8') === validatorCode(f), `${out} is stale`).to.equal(true);
    }
  });

  it('there is no module for a schema the package no longer has', () => {
    const dir = path.dirname(validatorModule('schemas/x'));
    const built = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => validatorModule(`schemas/${f.split(path.sep).join('/').replace(/\.js$/, '.json')}`));
    expect(built.sort()).to.deep.equal(packageSchemaFiles().map(validatorModule).sort());
  });

  it('a document validator reports every problem, with the schema for "did you mean" hints', () => {
    const validate = schemaValidator('schemas/config.schema.json');
    expect(validate({ ruleset: 7, waivres: 'w.yaml' })).to.equal(false);
    const errors = validate.errors ?? [];
    expect(errors.map((e) => e.keyword).sort()).to.deep.equal(['additionalProperties', 'type']);
    const unknown = errors.find((e) => e.keyword === 'additionalProperties')!;
    expect((unknown.parentSchema as { properties: object }).properties).to.have.property('waivers');
    expect(validate.schema).to.have.property('$id', 'https://posture-lint.dev/schemas/config.schema.json');
  });
});
