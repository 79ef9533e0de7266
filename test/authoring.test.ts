/**
 * The rule author's workflow, end to end with the compiled CLI: init a rules folder, test it,
 * break it, validate it, and configure a run (rule set, disabled rules, severities, parameters).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = path.resolve('fixtures/snapshots/contoso');
const CASE = 'rules/prod-vms-tagged-in-mde.tests/fail-prod-device-untagged/case.yaml';

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rule authoring (compiled CLI)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-author-'));
    expect(run(['init'], dir).code).to.equal(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('init scaffolds a config and a cross-source rule whose cases pass at once', () => {
    const r = run(['test'], dir);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('✔ pass-prod-device-tagged').and.include('✔ fail-prod-device-untagged');
    expect(r.stdout.trimEnd().split('\n').pop()).to.equal('2 passed, 0 failed');
    const rule = readFileSync(path.join(dir, 'rules/prod-vms-tagged-in-mde.yaml'), 'utf8');
    const schemaRef = /^# yaml-language-server: \$schema=(.+)$/m.exec(rule)![1];
    expect(readFileSync(path.resolve(dir, 'rules', schemaRef), 'utf8')).to.include('"$id": "https://posture-lint.dev/schemas/rule.schema.json"');
  });

  it('init never overwrites files', () => {
    const r = run(['init'], dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('init would overwrite posture-lint.yaml');
  });

  it('test shows a failing case with a diff, pointing at the case file and line, and exits 1', () => {
    const file = path.join(dir, CASE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('message: has tags [web], not PROD', 'message: has tags [db], not PROD'));
    const r = run(['test'], dir);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(new RegExp(`${CASE.replace(/[.[\]]/g, '\\$&')}:\\d+:\\d+  findings differ: 1 expected but not reported, 1 reported but not expected`));
    expect(r.stdout).to.include('- /subscriptions/9b5f3f7e-4d1a-4c2b-8e3f-1a2b3c4d5e6f/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/app01  "has tags [db], not PROD"');
    expect(r.stdout).to.match(/\+ \/subscriptions\/.*app01 {2}"app01 is a production VM but its device app01\.contoso\.com has tags \[web\], not PROD"/);
    expect(r.stdout.trimEnd().split('\n').pop()).to.equal('1 passed, 1 failed');
  });

  it('test fails a case whose case.yaml does not parse, naming the case and its file:line:col', () => {
    const file = path.join(dir, 'rules/prod-vms-tagged-in-mde.tests/pass-prod-device-tagged/case.yaml');
    writeFileSync(file, 'description: broken\nexpect:\n  status: passed\n  findings: [\n');
    const r = run(['test'], dir);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.include('✖ pass-prod-device-tagged  case.yaml cannot be used');
    expect(r.stdout).to.match(/rules\/prod-vms-tagged-in-mde\.tests\/pass-prod-device-tagged\/case\.yaml:5:1 {2}error {2}Flow sequence/);
    expect(r.stdout).not.to.include('✔ pass-prod-device-tagged');
    expect(r.stdout.trimEnd().split('\n').pop()).to.equal('1 passed, 1 failed');
  });

  it('test names the closest status to a misspelt expect.status, at its line', () => {
    const file = path.join(dir, CASE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: failed', 'status: fail'));
    const r = run(['test'], dir);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.include(`${CASE}:3:11  error  expect.status must be one of: passed, failed, checked-nothing, not-evaluated (did you mean 'failed'?)  case-invalid`);
  });

  it('test fails on a duplicate case', () => {
    cpSync(path.join(dir, 'rules/prod-vms-tagged-in-mde.tests/fail-prod-device-untagged'), path.join(dir, 'rules/prod-vms-tagged-in-mde.tests/fail-again'), { recursive: true });
    const r = run(['test'], dir);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include("case 'fail-prod-device-untagged' repeats case 'fail-again'");
  });

  it('validate reports each problem at file:line:col and exits 2; a clean folder exits 0', () => {
    expect(run(['validate', 'rules'], dir).stdout).to.include('1 rule valid, 0 errors, 0 warnings');
    const file = path.join(dir, 'rules/prod-vms-tagged-in-mde.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('contains: { $param: tag }', 'contain: { $param: tag }'));
    const r = run(['validate', 'rules'], dir);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.match(/rules\/prod-vms-tagged-in-mde\.yaml:\d+:\d+ {2}error {2}unknown property 'contain' \(did you mean 'contains'\?\) {2}rule-schema/);
  });

  it('validate checks the config\'s rule folders by default, and --max-warnings fails it on warnings', () => {
    const plain = run(['validate'], dir);
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout).to.equal('1 rule valid, 0 errors, 0 warnings\n');
    const file = path.join(dir, 'rules/prod-vms-tagged-in-mde.yaml');
    // A join nothing reads is a warning: the rule still loads.
    writeFileSync(file, readFileSync(file, 'utf8').replace('join:\n', 'join:\n  unused:\n    from: mde.machines\n    on: { local: properties.vmId, foreign: vmMetadata.vmId }\n'));
    const warned = run(['validate'], dir);
    expect(warned.code, warned.stdout).to.equal(0);
    expect(warned.stdout).to.match(/1 rule valid, 0 errors, 1 warning\n$/);
    const strict = run(['validate', '--max-warnings', '0'], dir);
    expect(strict.code).to.equal(1);
    expect(strict.stdout).to.include('validate fails: 1 warning, more than --max-warnings 0');
    expect(run(['validate', '--max-warnings', '1'], dir).code).to.equal(0);
  });

  describe('configuration (posture-lint.yaml)', () => {
    const lintJson = (args: string[]) => JSON.parse(run(['lint', DEMO, '--format', 'json', ...args], dir).stdout);

    it('runs the config\'s own rules beside the rule set, with severities, disabled rules and parameters', () => {
      writeFileSync(
        path.join(dir, 'posture-lint.yaml'),
        'ruleset: recommended\nrules: [./rules]\ndisable: [device-in-device-group]\nseverity:\n  prod-vms-tagged-in-mde: critical\nparameters:\n  mde-device-healthy: { staleDays: 0 }\n',
      );
      const report = lintJson([]);
      const ids = report.rules.map((r: { id: string }) => r.id);
      expect(ids).to.include('prod-vms-tagged-in-mde').and.include('linux-realtime-protection-on');
      expect(ids).not.to.include('device-in-device-group');
      expect(report.rules.find((r: { id: string }) => r.id === 'prod-vms-tagged-in-mde').severity).to.equal('critical');
      const healthy = (staleDays: string) => {
        writeFileSync(path.join(dir, 'posture-lint.yaml'), `parameters:\n  mde-device-healthy: { staleDays: ${staleDays} }\n`);
        return lintJson([]).rules.find((r: { id: string }) => r.id === 'mde-device-healthy').failed;
      };
      expect(healthy('0')).to.be.greaterThan(healthy('30'));
    });

    it('is read from --config too, and command-line options override it', () => {
      writeFileSync(path.join(dir, 'other.yaml'), 'ruleset: none\nrules: [./rules]\n');
      expect(lintJson(['--config', 'other.yaml']).rules.map((r: { id: string }) => r.id)).to.deep.equal(['prod-vms-tagged-in-mde']);
      const ids = lintJson(['--config', 'other.yaml', '--ruleset', 'recommended']).rules.map((r: { id: string }) => r.id);
      expect(ids.length).to.be.greaterThan(1);
    });

    it('reports unknown rule ids and parameters at their line, with a hint, and exits 2', () => {
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'disable:\n  - device-in-device-groups\n  - vm-onboard\nparameters:\n  mde-device-healthy:\n    staleDay: 3\n');
      const r = run(['lint', DEMO, '--format', 'json'], dir);
      expect(r.code).to.equal(2);
      const problems = JSON.parse(r.stdout).diagnostics.filter((d: { code: string }) => d.code === 'config-invalid');
      expect(problems.map((d: { message: string; position: { line: number; column: number } }) => `${d.position.line}:${d.position.column} ${d.message}`)).to.deep.equal([
        "2:5 disable: no rule 'device-in-device-groups' is loaded (did you mean 'device-in-device-group'?)",
        // A shortened id: the one loaded rule that contains it (the rules' ids are read twice).
        "3:5 disable: no rule 'vm-onboard' is loaded (did you mean 'vm-onboarded-to-mde'?)",
        "6:5 parameters: rule 'mde-device-healthy' has no parameter 'staleDay' (did you mean 'staleDays'?) (it has: staleDays)",
      ]);
    });

    it('rejects a malformed config with its position, before linting', () => {
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'rulesets: all\nfailOn: urgent\n');
      const r = run(['lint', DEMO], dir);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include("posture-lint.yaml:1:1  error  unknown property 'rulesets' (did you mean 'ruleset'?)");
      expect(r.stderr).to.include('posture-lint.yaml:2:9  error  failOn: must be one of: critical, high, medium, low, info');
    });
  });
});
