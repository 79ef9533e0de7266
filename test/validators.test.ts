import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * dist/validators/ is built by a second step, which `tsc` alone (an editor's build, `tsc --watch`)
 * does not run: a module missing or left from an earlier schema must stop the run (exit 2), never
 * let records through against a schema the package no longer has.
 */
describe('validators the build did not make from the schemas of the package', function () {
  this.timeout(60_000);
  let pkg = '';
  beforeEach(() => {
    pkg = mkdtempSync(path.join(tmpdir(), 'posture-lint-validators-'));
    for (const part of ['package.json', 'dist', 'schemas', 'rules', 'rulesets', 'frameworks', 'fixtures/snapshots/contoso']) cpSync(part, path.join(pkg, part), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(pkg, 'node_modules'));
  });
  afterEach(() => rmSync(pkg, { recursive: true, force: true }));
  const lint = () => spawnSync(process.execPath, ['dist/src/cli/bin.js', 'lint', 'fixtures/snapshots/contoso', '--format', 'json'], { cwd: pkg, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('refuses a module built from an earlier version of its schema, naming the module, the schema and the fix', () => {
    // The machines schema tightened after the last build: every device must now say its OS platform.
    const schemaFile = path.join(pkg, 'schemas/exports/mde.machines.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { required?: string[] };
    writeFileSync(schemaFile, `${JSON.stringify({ ...schema, required: [...(schema.required ?? []), 'osPlatformX'] }, null, 2)}\n`);
    const run = lint();
    expect(run.status, run.stderr).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.include(`${path.join(pkg, 'dist/validators/schemas/exports/mde.machines.schema.js')} was built from another version of schemas/exports/mde.machines.schema.json: run \`npm run build\`\n`);
    expect(run.stderr, 'a broken build is no crash: one line, no stack').to.not.include('internal error');
  });

  it('refuses to run without a module, naming it and the fix', () => {
    unlinkSync(path.join(pkg, 'dist/validators/schemas/rule.schema.js'));
    const run = lint();
    expect(run.status, run.stderr).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.include(`${path.join(pkg, 'dist/validators/schemas/rule.schema.js')} is missing: run \`npm run build\`\n`);
    expect(run.stderr, 'a broken build is no crash: one line, no stack').to.not.include('internal error');
  });

  it('says the same from the worker threads that lint several snapshots', () => {
    unlinkSync(path.join(pkg, 'dist/validators/schemas/exports/mde.machines.schema.js'));
    cpSync(path.join(pkg, 'fixtures/snapshots/contoso'), path.join(pkg, 'fixtures/snapshots/contoso-copy'), { recursive: true });
    const run = spawnSync(process.execPath, ['dist/src/cli/bin.js', 'lint', 'fixtures/snapshots/contoso', 'fixtures/snapshots/contoso-copy'], { cwd: pkg, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status, run.stderr).to.equal(2);
    expect(run.stderr).to.include(`${path.join(pkg, 'dist/validators/schemas/exports/mde.machines.schema.js')} is missing: run \`npm run build\`\n`);
    expect(run.stderr, 'a broken build is no crash: one line, no stack').to.not.include('internal error');
  });

  it('runs as built', () => {
    const run = lint();
    expect(run.status, run.stderr).to.equal(1);
    expect(JSON.parse(run.stdout)).to.have.property('findings').that.is.not.empty;
  });
});
