/**
 * The newcomer's path, as README.md documents it: build the package with `npm pack`, install the
 * tarball into an empty project, export a snapshot with the installed scripts/export-snapshot.sh
 * (against the fake `az` that export-snapshot.test.ts uses, answering from real published
 * payloads) and lint it with the installed bin. Every built-in rule must be evaluated: an export
 * the README leaves out would show here as a rule not evaluated.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cannedEstate } from './export-snapshot-canned';
import { makeToolsDir, runWithFakeAz } from './fake-az';

const README = readFileSync('README.md', 'utf8');

interface Report {
  rules: { id: string; status: string; missing?: string[] }[];
  diagnostics: { severity: string; code: string; message: string }[];
}

function sh(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('install from a packed tarball and follow the README (npm pack, npm install, export, lint)', function () {
  this.timeout(300_000);
  let scratch = '';
  let project = '';
  let tarball = '';

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'posture-lint-install-'));
    project = path.join(scratch, 'my-estate');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), '{ "name": "my-estate", "private": true }\n');
    // `npm test` has just built dist/; --ignore-scripts skips building it a second time (prepare).
    const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], process.cwd());
    expect(pack.code, pack.stderr).to.equal(0);
    tarball = path.join(scratch, readdirSync(scratch).find((f) => f.endsWith('.tgz'))!);
    // From npm's cache when the dependencies are there, as on a machine that ran npm ci.
    const install = sh('npm', ['install', '--no-save', '--prefer-offline', tarball], project);
    expect(install.code, install.stderr).to.equal(0);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('documents these commands', () => {
    expect(README).to.include('npm pack                    # writes posture-lint-0.1.0.tgz');
    expect(README).to.include('npm install --no-save ../posture-lint/posture-lint-0.1.0.tgz');
    expect(README).to.include('node_modules/posture-lint/scripts/export-snapshot.sh --out exports/2026-11-27');
    expect(path.basename(tarball)).to.equal('posture-lint-0.1.0.tgz');
  });

  it('installs a bin that runs from the project, with its rules, schemas and demo snapshot', () => {
    const version = sh(path.join(project, 'node_modules/.bin/posture-lint'), ['--version'], project);
    expect(version.stdout.trim()).to.equal(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const demo = sh(path.join(project, 'node_modules/.bin/posture-lint'), ['lint', 'node_modules/posture-lint/fixtures/snapshots/contoso'], project);
    expect(demo.code, demo.stderr).to.equal(1);
    expect(demo.stdout).to.match(/Gate: FAILED \(exit 1\)/);
  });

  it('exports a snapshot with the installed script and lints it with every rule evaluated', () => {
    makeToolsDir(scratch);
    const run = runWithFakeAz(path.join(project, 'node_modules/posture-lint/scripts/export-snapshot.sh'), cannedEstate(), ['--out', 'exports/2026-11-27'], scratch, project);
    expect(run.code, run.stderr).to.equal(0);
    const lint = sh(path.join(project, 'node_modules/.bin/posture-lint'), ['lint', 'exports/2026-11-27', '--format', 'json'], project);
    const report = JSON.parse(lint.stdout) as Report;
    expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    expect(report.rules.filter((r) => r.status === 'not-evaluated').map((r) => `${r.id}: ${r.missing?.join('; ')}`)).to.deep.equal([]);
    expect(report.rules.length).to.equal(20);
  });
});
