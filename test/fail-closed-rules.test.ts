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
      expect(rule.evaluated).to.equal(4);
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
      expect(alone.filter((f) => f.startsWith('servers-plan-on'))).to.have.length(1);
      expect(alone.filter((f) => f.startsWith('key-vaults-plan-on'))).to.have.length(2);
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
});
