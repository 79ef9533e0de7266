/**
 * The newcomer's path, run as README.md prints it: the commands of its Install block (`npm pack`,
 * `npm install --no-save <tarball>`, `npx posture-lint lint` the demo) and of its "From az login to
 * a report" block (the installed scripts/export-snapshot.sh, against the fake `az` that
 * export-snapshot.test.ts uses, answering from real published payloads, then `npx posture-lint
 * lint` the export), read from the README so the test follows it if it changes. Every built-in
 * rule must be evaluated: an export the README leaves out would show here as a rule not evaluated.
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

  /** The commands of the README's ```sh block under `heading`, comments and blank lines dropped. */
  function readmeCommands(heading: string): string[] {
    const block = new RegExp(`## ${heading}\\n[\\s\\S]*?\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(README)![1];
    return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
  }
  const npx = (command: string) => command.split(' ').slice(1);

  it('the Install block is these commands, which the test runs (npm pack without rebuilding: npm test has just built dist/)', () => {
    const install = readmeCommands('Install');
    expect(install).to.deep.equal([
      'git clone <this repository> posture-lint && cd posture-lint',
      'npm ci',
      'npm pack',
      'cd ../my-estate',
      'npm install --no-save ../posture-lint/posture-lint-0.1.0.tgz',
      'npx posture-lint lint node_modules/posture-lint/fixtures/snapshots/contoso',
    ]);
    expect(path.basename(tarball)).to.equal(path.basename(install[4].split(' ').pop()!));
  });

  it('installs a bin that npx runs from the project, with its rules, schemas and demo snapshot', () => {
    const version = sh('npx', ['posture-lint', '--version'], project);
    expect(version.stdout.trim()).to.equal(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const demo = sh('npx', npx(readmeCommands('Install')[5]), project);
    expect(demo.code, demo.stderr).to.equal(1);
    expect(demo.stdout).to.match(/Gate: FAILED \(exit 1\)/);
  });

  it('exports a snapshot with the installed script as the README runs it, and npx posture-lint lint evaluates every rule', () => {
    const [login, extension, exportLine, lintLine] = readmeCommands('From az login to a report');
    // Signing in and adding the extension change nothing the fake az answers.
    expect([login, extension]).to.deep.equal(['az login', 'az extension add --name resource-graph']);
    const [script, ...args] = exportLine.split(' ');
    expect(script).to.equal('node_modules/posture-lint/scripts/export-snapshot.sh');
    makeToolsDir(scratch);
    const run = runWithFakeAz(path.join(project, script), cannedEstate(), args, scratch, project);
    expect(run.code, run.stderr).to.equal(0);
    // The README's own command: the stylish report a newcomer reads.
    const lint = sh('npx', npx(lintLine), project);
    expect(lint.stdout, lint.stdout.split("\n").slice(-4).join("\n")).to.match(/rules: [^·\n]*\b0 not evaluated · 0 errors/);
    // The same run as JSON, to name any rule left not evaluated.
    const json = sh('npx', [...npx(lintLine), '--format', 'json'], project);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    expect(report.rules.filter((r) => r.status === 'not-evaluated').map((r) => `${r.id}: ${r.missing?.join('; ')}`)).to.deep.equal([]);
    expect(report.rules.length).to.equal(20);
  });
});
