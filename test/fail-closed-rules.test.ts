/**
 * Issue 10, rule language and evaluator: no gate passes on data it did not see. Each case is run
 * through the compiled CLI (`npm test` builds first) on the demo snapshot or a copy of it, as a
 * pipeline would run it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = 'fixtures/snapshots/contoso';

interface Report {
  rules: { id: string; status: string; evaluated: number; passed: number; failed: number }[];
  findings: { ruleId: string; message: string; resource: { id: string } }[];
  diagnostics: { severity: string; code: string; message: string; file?: string; position?: { line: number; column: number } }[];
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lint(args: string[]): { code: number | null; report: Report } {
  const r = run(['lint', ...args, '--format', 'json']);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `posture-lint-${prefix}-`));
  temps.push(dir);
  return dir;
}

/** A folder holding the given rule files. */
function ruleDir(files: Record<string, string>): string {
  const dir = tempDir('rules');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('fail closed: the rule language and evaluator (issue 10, cases 1-5)', function () {
  this.timeout(60_000);

  describe('1. names', () => {
    const OWNERS = `id: subscription-owners
title: Subscriptions have at most three role assignments
severity: high
description: d
for: arm.subscriptions
join:
  owners:
    from: arm.roleAssignments
    on: { local: id, foreign: properties.scope, match: scope }
    many: true
assert: { count: owner, lessOrEqual: 3 }
message: "{{displayName}} has {{owners | count}} role assignments"
`;

    it('a quantifier over a misspelt join is refused at its line:column with a did-you-mean, exit 2', () => {
      const dir = ruleDir({ 'subscription-owners.yaml': OWNERS });
      const { code, report } = lint([DEMO, '--ruleset', 'none', '--rules', dir]);
      expect(code).to.equal(2);
      expect(report.rules).to.deep.equal([]);
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => [d.code, d.position?.line, d.position?.column])).to.deep.equal([['rule-name-unknown', 11, 18]]);
      expect(errors[0].message).to.include("did you mean the join 'owners'?");
      const validate = run(['validate', dir]);
      expect(validate.code).to.equal(2);
      expect(validate.stdout).to.include("subscription-owners.yaml:11:18  error  'owner': 'owner' names nothing this rule declares here");
    });

    it('the corrected rule loads and checks every subscription', () => {
      const dir = ruleDir({ 'subscription-owners.yaml': OWNERS.replace('count: owner,', 'count: owners,') });
      const { report } = lint([DEMO, '--ruleset', 'none', '--rules', dir]);
      expect(report.diagnostics.filter((d) => d.severity !== 'note')).to.deep.equal([]);
      const [rule] = report.rules;
      // The demo lists five subscriptions (one of them Disabled).
      expect(rule.evaluated).to.equal(5);
    });

    it('a count over a list field a record lacks fails that record instead of counting 0', () => {
      const dir = ruleDir({
        'few-tags.yaml': `id: few-tags
title: Devices carry at most one machine tag
severity: low
description: d
for: mde.machines
assert: { count: machineTags, lessOrEqual: 1 }
message: "{{computerDnsName}}"
`,
      });
      const snap = tempDir('snap');
      cpSync(DEMO, snap, { recursive: true });
      const file = path.join(snap, 'mde', 'machines.page-1.json');
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { value: Record<string, unknown>[] };
      delete doc.value[0].machineTags;
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const { report } = lint([snap, '--ruleset', 'none', '--rules', dir]);
      expect(report.findings.map((f) => f.resource.id)).to.include(doc.value[0].id);
    });
  });
  describe('2. shared join indexes', () => {
    /** A rule whose join keeps only one Defender plan, chosen by a parameter. */
    const planRule = (id: string, plan: string) => `id: ${id}
title: Every subscription has the ${plan} plan on Standard
severity: medium
description: d
parameters:
  plan:
    type: string
    default: ${plan}
for: arm.subscriptions
join:
  plan:
    from: defender.pricings
    where: { field: name, equals: { $param: plan } }
    on: { local: id, foreign: id, match: scope }
assert: { field: plan.properties.pricingTier, equals: Standard }
message: "{{displayName}}: {{$params.plan}} is {{plan.properties.pricingTier}}"
`;
    const findings = (files: Record<string, string>) =>
      lint([DEMO, '--ruleset', 'none', '--rules', ruleDir(files)])
        .report.findings.map((f) => `${f.ruleId} ${f.message}`)
        .sort();

    it('two rules that differ only in a parameter value give together what each gives alone', () => {
      const servers = { 'servers-plan-on.yaml': planRule('servers-plan-on', 'VirtualMachines') };
      const keyVaults = { 'key-vaults-plan-on.yaml': planRule('key-vaults-plan-on', 'KeyVaults') };
      const alone = [...findings(servers), ...findings(keyVaults)].sort();
      // The demo's Disabled lab subscription has no pricings export: it fails both.
      expect(alone.filter((f) => f.startsWith('servers-plan-on'))).to.have.length(2);
      expect(alone.filter((f) => f.startsWith('key-vaults-plan-on'))).to.have.length(3);
      expect(findings({ ...servers, ...keyVaults })).to.deep.equal(alone);
    });
  });
  describe('3. typed parameters', () => {
    it('config linuxPlatforms: Ubuntu (a string, not a list) is an error at its line in the config, exit 2', () => {
      const dir = tempDir('config');
      const config = path.join(dir, 'posture-lint.yaml');
      writeFileSync(config, 'ruleset: recommended\nparameters:\n  linux-realtime-protection-on:\n    linuxPlatforms: Ubuntu\n');
      const { code, report } = lint([DEMO, '--config', config]);
      expect(code).to.equal(2);
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => [d.code, d.file, d.position?.line, d.position?.column])).to.deep.equal([['config-invalid', path.relative(process.cwd(), config), 4, 21]]);
      expect(errors[0].message).to.equal("parameters: linux-realtime-protection-on.linuxPlatforms: expected a list of strings with at least 1 element, got a string (\"Ubuntu\")");
      // The rule still runs with its default, so its findings are not lost while the config is fixed.
      const rule = report.rules.find((r) => r.id === 'linux-realtime-protection-on')!;
      expect(rule.evaluated).to.be.greaterThan(0);
    });

    it('a configured value of the right type is used', () => {
      const dir = tempDir('config');
      const config = path.join(dir, 'posture-lint.yaml');
      writeFileSync(config, 'ruleset: recommended\nparameters:\n  linux-realtime-protection-on:\n    linuxPlatforms: [Ubuntu]\n');
      const { report } = lint([DEMO, '--config', config]);
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      const all = lint([DEMO]).report.rules.find((r) => r.id === 'linux-realtime-protection-on')!;
      const ubuntu = report.rules.find((r) => r.id === 'linux-realtime-protection-on')!;
      expect(ubuntu.evaluated).to.be.greaterThan(0).and.lessThan(all.evaluated);
    });

    it('a default that does not fit its type, and a parameter an operator cannot take, are rule errors', () => {
      const rule = (params: string, assert: string) => `id: typed
title: t
severity: low
description: d
parameters:
${params}
for: mde.machines
assert: ${assert}
message: m
`;
      const dir = ruleDir({
        'typed.yaml': rule('  days:\n    type: number\n    default: "7"', '{ field: lastSeen, withinDays: { $param: days } }'),
      });
      const first = run(['validate', dir]);
      expect(first.code).to.equal(2);
      expect(first.stdout).to.include('typed.yaml:8:14  error  parameter \'days\': expected a number, got a string ("7")');
      writeFileSync(path.join(dir, 'typed.yaml'), rule('  platforms:\n    type: string\n    default: Ubuntu', '{ field: osPlatform, in: { $param: platforms } }'));
      const second = run(['validate', dir]);
      expect(second.code).to.equal(2);
      expect(second.stdout).to.include("in takes a list, but parameter 'platforms' is a string (\"Ubuntu\")");
    });
  });
  /** A writable copy of the demo snapshot with `edit` applied to each named JSON file. */
  function demoWith(edits: Record<string, (doc: any) => void>): string {
    const dir = tempDir('snap');
    cpSync(DEMO, dir, { recursive: true });
    for (const [file, edit] of Object.entries(edits)) {
      const abs = path.join(dir, file);
      const doc = JSON.parse(readFileSync(abs, 'utf8'));
      edit(doc);
      writeFileSync(abs, `${JSON.stringify(doc, null, 2)}\n`);
    }
    return dir;
  }
  const device = (doc: { value: { computerDnsName: string }[] }, name: string) => doc.value.find((d) => d.computerDnsName.split('.')[0] === name)!;
  const findingsOf = (report: Report, rule: string) => report.findings.filter((f) => f.ruleId === rule);
  const APP_PROD_02 = 'aa8d8f1ffa795f889527cd4431d29a33bcc96d4a';
  const DEV_DATA_01 = '4b56f1a794a9ae0696d94451e1cbbf28fb1388b0';
  const WEB_PROD_01 = '2a23102e1c1a8256776cf92e9b9fe4e12e426992';
  const WEB_PROD_03 = '84451f453c40cf9c1798d8d4582e168ad24bfe25';

  describe('4. platform scope', () => {
    it('"RHEL", "Ubuntu " and a null platform stay in scope of both antivirus rules', () => {
      const before = lint([DEMO]).report;
      const snap = demoWith({
        'mde/machines.page-1.json': (doc) => {
          device(doc, 'app-prod-02').osPlatform = 'RHEL';
          device(doc, 'web-prod-neu-02').osPlatform = 'Ubuntu ';
          device(doc, 'dev-data-01').osPlatform = null;
        },
      });
      const { report } = lint([snap]);
      for (const rule of ['linux-realtime-protection-on', 'av-mode-active-on-servers']) {
        const was = before.rules.find((r) => r.id === rule)!;
        const now = report.rules.find((r) => r.id === rule)!;
        expect(now.evaluated, rule).to.equal(was.evaluated);
        const ids = findingsOf(report, rule).map((f) => f.resource.id);
        expect(ids, rule).to.include.members([APP_PROD_02, DEV_DATA_01]);
        const unknown = findingsOf(report, rule).find((f) => f.resource.id === DEV_DATA_01)!;
        expect(unknown.message, rule).to.include('Its platform cannot be told (osPlatform null)');
      }
      const rhel = findingsOf(report, 'linux-realtime-protection-on').find((f) => f.resource.id === APP_PROD_02)!;
      expect(rhel.message).to.include('app-prod-02 (RedHatEnterpriseLinux)');
    });
  });

  describe('5. time', () => {
    it('a lastSeen after the snapshot time fails the age check and is an error naming the record', () => {
      const snap = demoWith({ 'mde/machines.page-1.json': (doc) => (device(doc, 'web-prod-01').lastSeen = '2099-01-01T00:00:00Z') });
      const { code, report } = lint([snap]);
      expect(code).to.equal(2);
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => [d.code, d.file, (d as { pointer?: string }).pointer])).to.deep.equal([
        ['data-after-snapshot-time', 'mde/machines.page-1.json', '/value/0/lastSeen'],
      ]);
      expect(errors[0].message).to.include('mde.machines lastSeen 2099-01-01T00:00:00Z is').and.include('takenAt');
      const healthy = findingsOf(report, 'mde-device-healthy').find((f) => f.resource.id === WEB_PROD_01)!;
      expect(healthy.message).to.include('not within 7 days');
    });

    it('an epoch 99999999999999 in an mdatp capture proves nothing and is an error', () => {
      const snap = demoWith({ 'mde/mdatp-health/web-prod-03.json': (doc) => (doc.definitionsUpdated = '99999999999999') });
      const { code, report } = lint([snap]);
      expect(code).to.equal(2);
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.file])).to.deep.equal([
        ['data-after-snapshot-time', 'mde/mdatp-health/web-prod-03.json'],
      ]);
      // web-prod-03 passed on its capture alone (deviceavinfo says passive).
      expect(findingsOf(report, 'linux-realtime-protection-on').map((f) => f.resource.id)).to.include(WEB_PROD_03);
    });

    it('a takenAt earlier than the newest data is an error naming the newer record', () => {
      const dir = tempDir('snap');
      cpSync(DEMO, dir, { recursive: true });
      const manifest = path.join(dir, 'snapshot.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('takenAt: "2026-11-27T02:00:00Z"', 'takenAt: "2026-11-20T00:00:00Z"'));
      const { code, report } = lint([dir]);
      expect(code).to.equal(2);
      const errors = report.diagnostics.filter((d) => d.code === 'data-after-snapshot-time');
      expect(errors).to.have.length(1);
      expect(errors[0].message).to.include('after the evaluation time 2026-11-20T00:00:00.000Z (takenAt in the snapshot manifest)');
      expect(errors[0].file).to.match(/^mde\//);
    });

    it('a deviceavinfo report refreshed 30 days before the snapshot proves no device active', () => {
      const before = findingsOf(lint([DEMO]).report, 'linux-realtime-protection-on').length;
      const snap = demoWith({
        'mde/deviceavinfo.json': (doc) => {
          for (const r of doc.value) r.dataRefreshTimestamp = '2026-10-28T01:16:23Z';
        },
      });
      const { report } = lint([snap]);
      const after = findingsOf(report, 'linux-realtime-protection-on');
      expect(after.length).to.be.greaterThan(before);
      expect(after.filter((f) => f.message.includes('The deviceavinfo record is older than 7 days')).length).to.be.greaterThan(0);
      expect(report.rules.find((r) => r.id === 'av-signatures-current')!.passed).to.equal(0);
    });
  });
});
