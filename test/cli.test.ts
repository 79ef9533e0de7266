/**
 * End-to-end runs of the compiled CLI (`npm test` builds first): arguments in, output and exit
 * code out, on the demo snapshot and on broken copies of it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { formatterNames } from '../src/report/formatters';
import { unknownFramework } from '../src/compliance/frameworks';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = 'fixtures/snapshots/contoso';

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI as a user whom file permissions bind: as root (whom they do not), it runs as nobody.
 * Undefined when it cannot (no setpriv).
 */
function unprivilegedRun(): ((args: string[]) => { code: number | null; stdout: string; stderr: string }) | undefined {
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const [command, ...prefix] = process.getuid?.() === 0 ? [...asNobody, process.execPath] : [process.execPath];
  if (command === 'setpriv' && spawnSync(command, [...asNobody.slice(1), 'true']).status !== 0) return undefined;
  return (args) => {
    const r = spawnSync(command, [...prefix, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

function jsonReport(args: string[]) {
  const r = run([...args, '--format', 'json']);
  return { ...r, report: JSON.parse(r.stdout) };
}

/** A writable copy of the demo snapshot. */
function demoCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-'));
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

/** The subscriptions of the demo estate, as ARM ids. */
const SUB = {
  prod: '/subscriptions/4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80',
  dev: '/subscriptions/a83c5e17-2b94-4d6f-8a1c-5e0b9d7f2c43',
  shared: '/subscriptions/1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17',
  fabrikam: '/subscriptions/c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35',
  lab: '/subscriptions/3a8f6c21-9d47-4e0b-8c5a-1f2e7d9b4c60',
};

/** MDE machine ids of the demo devices that findings name. */
const DEVICE = {
  'app-prod-01': 'c1f3f3f1144593c3e9bdca01c3d1177495f5acae',
  'app-prod-02': 'aa8d8f1ffa795f889527cd4431d29a33bcc96d4a',
  'dev-web-01': '41bd643fb0d72a371d3cccf5defc1354e5d3be72',
  'dev-data-01': '4b56f1a794a9ae0696d94451e1cbbf28fb1388b0',
  'dev-data-02': 'b856c56702fc3707b664ffcff22be0c86a7e55f7',
  'dc-shr-02': '3c7ceb827d9c18c649356b059854381934c11808',
  'ops-shr-02': '0ab06c527d449b6e5d5a6a2afa3bd29b77d81b75',
  'log-shr-01': 'a2d2e5f9391010f0406320b165231f609af4a041',
  'fs-onprem-01': 'a661c3682bb549d8b7dc50f5d87095b2c66f0500',
  'nas-onprem-01': 'fafb6be111c144971f3b777b6bb2ba8263380e45',
  'etl-onprem-03': '33fdb07b45b9122df384aac746b0ded86f16e3ae',
  'train-onprem-01': '2be18c67aef01ec57518634ec6b5d6e173e89554',
};

const vmId = (sub: string, rg: string, name: string) => `${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const EDR_ASSESSMENT = 'providers/Microsoft.Security/assessments/06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c';

/**
 * The planted violations of fixtures/snapshots/contoso/README.md: every rule of the recommended
 * set, with the resource ids of its findings (sorted).
 */
const PLANTED: Record<string, string[]> = {
  'av-mode-active-on-servers': [
    DEVICE['dc-shr-02'], DEVICE['dev-data-01'], DEVICE['fs-onprem-01'], DEVICE['app-prod-02'], DEVICE['dev-data-02'], DEVICE['log-shr-01'],
    DEVICE['nas-onprem-01'],
  ].sort(),
  'av-signatures-current': [
    DEVICE['ops-shr-02'], DEVICE['dc-shr-02'], DEVICE['dev-web-01'], DEVICE['dev-data-01'], DEVICE['log-shr-01'], DEVICE['fs-onprem-01'], DEVICE['nas-onprem-01'],
  ].sort(),
  'critical-vulnerabilities-exploitable': [DEVICE['ops-shr-02'], DEVICE['fs-onprem-01'], DEVICE['app-prod-01']].sort(),
  'defender-servers-plan-enabled': [SUB.dev],
  'device-groups-cover-rbac-scopes': [
    SUB.shared,
    `${SUB.shared}/resourceGroups/rg-ops-shared`,
    `${SUB.prod}/resourceGroups/rg-web-prod-neu`,
    `${SUB.prod}/resourceGroups/rg-web-prod-weu`,
  ],
  'device-in-device-group': [DEVICE['ops-shr-02'], DEVICE['fs-onprem-01']].sort(),
  // A Linux server device discovery found and nobody onboarded (an Arc server's, by host name).
  'discovered-devices-onboarded': [DEVICE['etl-onprem-03']],
  'edr-assessment-healthy': [
    `${vmId(SUB.dev, 'rg-dev-web', 'dev-web-02')}/${EDR_ASSESSMENT}`,
    `${vmId(SUB.fabrikam, 'rg-fab-legacy-data', 'fab-db-01')}/${EDR_ASSESSMENT}`,
  ],
  'export-set-consistent': ['snapshot.exports'],
  'high-severity-alerts-triaged': [
    `${SUB.fabrikam}/resourceGroups/rg-fab-legacy-app/providers/Microsoft.Security/locations/eastus/alerts/2516173817841603142_8B0E054D-2605-4673-932A-4D90391DE322`,
  ],
  'linux-realtime-protection-on': [DEVICE['dev-data-01'], DEVICE['log-shr-01'], DEVICE['app-prod-02'], DEVICE['nas-onprem-01']].sort(),
  // Not app-prod-03's old record (merged into its new one) nor train-onprem-01 (excluded).
  'mde-device-healthy': [DEVICE['nas-onprem-01']],
  'mde-device-excluded': [DEVICE['train-onprem-01']],
  'mde-integration-enabled': [SUB.fabrikam],
  'mde-unified-solution-enabled': [SUB.shared],
  // Read from az account list by the Contoso login, where tenantId is Contoso and homeTenantId Fabrikam.
  'subscription-tenant-matches-xdr': [SUB.fabrikam],
  'subscription-state-shown': [SUB.lab],
  'vm-onboarded-to-mde': [
    `${SUB.prod}/resourceGroups/rg-arc-prod/providers/Microsoft.HybridCompute/machines/aws-app-01`,
    `${SUB.prod}/resourceGroups/rg-arc-prod/providers/Microsoft.HybridCompute/machines/etl-onprem-03`,
    `${SUB.prod}/resourceGroups/rg-web-prod-weu/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web-prod/virtualMachines/1`,
    vmId(SUB.fabrikam, 'rg-fab-legacy-app', 'fab-app-01'),
    vmId(SUB.fabrikam, 'rg-fab-legacy-app', 'fab-web-01'),
    vmId(SUB.fabrikam, 'rg-fab-legacy-data', 'fab-ci-01'),
    vmId(SUB.fabrikam, 'rg-fab-legacy-data', 'fab-db-01'),
    vmId(SUB.fabrikam, 'rg-fab-legacy-data', 'fab-file-01'),
  ],
  'xdr-access-within-arm-access': [
    '31253496-5466-4315-9d65-0b0f18387307', // sg-web-operators-neu
    '9a7d4fdf-477b-4216-90f0-fc38dc313167', // sg-web-operators-weu
  ],
  'xdr-admin-roles-assigned': ['entra.roleAssignments'],
};

/** Findings of the rules PLANTED speaks for, by rule. */
function findingsByRule(report: { findings: { ruleId: string; resource: { id: string } }[] }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of report.findings) if (f.ruleId in PLANTED) (out[f.ruleId] ??= []).push(f.resource.id);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

describe('posture-lint CLI (compiled)', function () {
  this.timeout(60_000);

  it('lints the demo snapshot: exactly the planted violations, exit 1', () => {
    const { code, report } = jsonReport(['lint', DEMO]);
    expect(code).to.equal(1);
    expect(findingsByRule(report)).to.deep.equal(PLANTED);
    expect(report.diagnostics.filter((d: { severity: string }) => d.severity === 'error')).to.deep.equal([]);
    // The demo exercises every rule of the recommended set: each one ran and found its planted violations.
    expect(report.rules.map((r: { id: string }) => r.id).sort()).to.deep.equal(Object.keys(PLANTED).sort());
    const status = (id: string) => report.rules.find((r: { id: string }) => r.id === id)?.status;
    for (const id of Object.keys(PLANTED)) expect(status(id), id).to.equal('failed');
  });

  it('writes a JSON report that the report schema accepts', () => {
    const { report } = jsonReport(['lint', DEMO]);
    const schema = JSON.parse(readFileSync('schemas/report.schema.json', 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('prints the stylish report by default, without colour when NO_COLOR is set', () => {
    const { code, stdout } = run(['lint', DEMO]);
    expect(code).to.equal(1);
    expect(stdout).to.include('✖ linux-realtime-protection-on');
    expect(stdout).to.include('app-prod-02 (RedHatEnterpriseLinux) has no antivirus real-time protection: deviceavinfo avMode Passive');
    const { report } = jsonReport(['lint', DEMO]);
    expect(stdout).to.include(`${report.summary.findings} findings (`);
    expect(stdout).not.to.match(/\u001b\[/);
  });

  it('says how to fix each finding: a line per rule in stylish, the full remediation in json', () => {
    const { report } = jsonReport(['lint', DEMO]);
    const linux = report.rules.find((r: { id: string }) => r.id === 'linux-realtime-protection-on');
    expect(linux.fix).to.equal('Set antivirusEngine.enforcementLevel to real_time, or run `mdatp config real-time-protection --value enabled`.');
    expect(linux.remediation).to.match(/^Set antivirusEngine\.enforcementLevel to real_time in the managed configuration/);
    for (const r of report.rules) expect(r.fix, r.id).to.be.a('string').and.have.length.at.most(120);
    const { stdout } = run(['lint', DEMO]);
    const block = stdout.slice(stdout.indexOf('✖ linux-realtime-protection-on'));
    const section = block.slice(0, block.indexOf('\n\n'));
    expect(section).to.include(`\n  fix: ${linux.fix}\n       (posture-lint explain linux-realtime-protection-on)`);
    // Each finding names the resource id a waiver matches, not only its display name.
    expect(section).to.include(`app-prod-02`).and.include(`resource: ${DEVICE['app-prod-02']}`);
  });

  it('gives byte-identical reports for the same snapshot', () => {
    const a = run(['lint', DEMO, '--format', 'json']).stdout;
    const b = run(['lint', DEMO, '--format', 'json']).stdout;
    expect(a).to.equal(b);
  });

  it('exits 0 when no finding reaches --fail-on', () => {
    // device-in-device-group is the only low-severity rule; the full demo has critical findings.
    const lowOnly = ['lint', DEMO, '--ruleset', 'none', '--rules', 'rules/device-in-device-group.yaml'];
    expect(run([...lowOnly, '--fail-on', 'medium']).code).to.equal(0);
    expect(run([...lowOnly, '--fail-on', 'low']).code).to.equal(1);
    expect(run(['lint', DEMO, '--fail-on', 'critical']).code).to.equal(1);
  });

  it('writes the report to --output and nothing to stdout', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-out-'));
    const out = path.join(dir, 'report.json');
    const r = run(['lint', DEMO, '--format', 'json', '--output', out]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(readFileSync(out, 'utf8')).to.equal(run(['lint', DEMO, '--format', 'json']).stdout);
    rmSync(dir, { recursive: true });
  });

  describe('broken inputs fail closed with exit 2, and the other findings are still reported', () => {
    it('truncated JSON: file, line and column', () => {
      const dir = demoCopy();
      const file = path.join(dir, 'mde', 'deviceavinfo.json');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
      const { code, report } = jsonReport(['lint', dir]);
      expect(code).to.equal(2);
      const err = report.diagnostics.find((d: { code: string }) => d.code === 'json-syntax');
      expect(err.file).to.equal('mde/deviceavinfo.json');
      expect(err.position.line).to.be.greaterThan(1);
      expect(err.position.column).to.be.greaterThan(0);
      expect(findingsByRule(report)['subscription-tenant-matches-xdr']).to.deep.equal(PLANTED['subscription-tenant-matches-xdr']);
      rmSync(dir, { recursive: true });
    });

    it('a rule file with a typo: file:line:col in the stylish output', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-rules-'));
      cpSync('rules', dir, { recursive: true });
      const rule = path.join(dir, 'linux-realtime-protection-on.yaml');
      writeFileSync(rule, readFileSync(rule, 'utf8').replace('equals: Active', 'equal: Active'));
      const { code, stdout } = run(['lint', DEMO, '--ruleset', 'none', '--rules', dir]);
      expect(code).to.equal(2);
      expect(stdout).to.match(/linux-realtime-protection-on\.yaml:\d+:\d+\s+error\s+unknown property 'equal' \(did you mean 'equals'\?\)/);
      expect(stdout).to.include('subscription-tenant-matches-xdr');
      rmSync(dir, { recursive: true });
    });

    it('an export the manifest lists but the folder lacks', () => {
      const dir = demoCopy();
      rmSync(path.join(dir, 'graph'), { recursive: true });
      const { code, report } = jsonReport(['lint', dir]);
      expect(code).to.equal(2);
      const err = report.diagnostics.find((d: { code: string }) => d.code === 'export-missing');
      expect(err.file).to.equal('snapshot.yaml');
      expect(err.message).to.include('graph.incidents');
      expect(err.position.line).to.be.greaterThan(1);
      expect(report.findings.length).to.be.greaterThan(0);
      rmSync(dir, { recursive: true });
    });

    it('a JSON file that is no known export is named, with the closest kinds by its fields, not all of them', () => {
      const dir = demoCopy();
      writeFileSync(path.join(dir, 'notes.json'), '{"owner": "secops", "ticket": 4711}\n');
      // A device list without the fields MDE's machines export has: its closest kind is named.
      writeFileSync(path.join(dir, 'inventory.json'), '[{"hostname": "web-01", "osPlatform": "Ubuntu", "healthStatus": "Active", "owner": "web team"}]\n');
      const { code, report } = jsonReport(['lint', dir]);
      expect(code).to.equal(2);
      const unknown = report.diagnostics.filter((d: { code: string }) => d.code === 'unknown-export');
      expect(unknown.map((d: { file: string }) => d.file)).to.deep.equal(['inventory.json', 'notes.json']);
      expect(unknown[0].message).to.include('closest kinds by their fields: mde.machines (shares osPlatform, healthStatus), mde.avHealth (shares osPlatform)');
      expect(unknown[1].message).to.include("no kind has fields like its first record's");
      for (const d of unknown) {
        expect(d.message).not.to.include('arm.managementGroups');
        expect(d.message).to.include('ignore:');
      }
      rmSync(dir, { recursive: true });
    });
  });

  describe('ignore lists (posture-lint.yaml and snapshot.yaml)', () => {
    it('skip files that are no export with a note, and still read, with a warning, any that hold data', () => {
      const dir = demoCopy();
      writeFileSync(path.join(dir, 'README.json'), '{"title": "Contoso nightly export", "owner": "secops"}\n');
      writeFileSync(path.join(dir, 'nsgs.json'), JSON.stringify({ value: [{ id: `${SUB.prod}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-web`, name: 'nsg-web', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [] } }] }));
      const withoutIgnore = jsonReport(['lint', dir]);
      expect(withoutIgnore.code).to.equal(2);
      expect(withoutIgnore.report.diagnostics.filter((d: { code: string }) => d.code === 'unknown-export').map((d: { file: string }) => d.file)).to.deep.equal(['README.json', 'nsgs.json']);
      // The manifest ignores one, the configuration the other and, by mistake, a page of the device export.
      writeFileSync(path.join(dir, 'snapshot.yaml'), `${readFileSync(path.join(dir, 'snapshot.yaml'), 'utf8')}ignore: [README.json]\n`);
      const config = path.join(dir, 'config.yaml');
      writeFileSync(config, 'ignore: ["nsg*.json", "mde/machines.page-2.json"]\n');
      const { code, report } = jsonReport(['lint', dir, '--config', config]);
      expect(code).to.equal(1);
      const about = (code: string) => report.diagnostics.filter((d: { code: string }) => d.code === code).map((d: { file: string; severity: string }) => `${d.severity} ${d.file}`);
      expect(about('file-ignored')).to.deep.equal(['note README.json', 'note nsgs.json']);
      expect(about('ignore-not-applied')).to.deep.equal(['warning mde/machines.page-2.json']);
      // Nothing stops the rules any more: the demo's findings, every one.
      expect(report.findings.length).to.equal(jsonReport(['lint', DEMO]).report.findings.length);
      rmSync(dir, { recursive: true });
    });
  });

  describe('exports taken once per subscription', () => {
    it('warn when they cover fewer subscriptions than arm.subscriptions holds (az role assignment list without --subscription)', () => {
      const dir = demoCopy();
      // As `az role assignment list --all` run three times against the current subscription writes it.
      const prod = path.join(dir, 'arm', SUB.prod.split('/')[2], 'role-assignments.json');
      const copy = readFileSync(prod, 'utf8');
      for (const sub of [SUB.prod, SUB.dev, SUB.shared, SUB.fabrikam]) rmSync(path.join(dir, 'arm', sub.split('/')[2], 'role-assignments.json'));
      for (const n of [1, 2, 3]) writeFileSync(path.join(dir, `role-assignments-${n}.json`), copy);
      const { report } = jsonReport(['lint', dir]);
      const warnings = report.diagnostics.filter((d: { code: string }) => d.code === 'export-subscriptions-missing');
      expect(warnings.map((d: { file: string; message: string }) => `${d.file}: ${d.message}`)).to.deep.equal([
        'role-assignments-1.json: arm.roleAssignments covers 1 of the 4 subscriptions arm.subscriptions holds; not contoso-dev (a83c5e17-2b94-4d6f-8a1c-5e0b9d7f2c43), ' +
          'contoso-shared-services (1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17), fabrikam-legacy (c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35): export it once per subscription, ' +
          'with az role assignment list --all --subscription <subscription-id> --output json',
      ]);
      // The demo, exported per subscription (the disabled one is not exported), has no such warning.
      expect(jsonReport(['lint', DEMO]).report.diagnostics.filter((d: { code: string }) => d.code === 'export-subscriptions-missing')).to.deep.equal([]);
      rmSync(dir, { recursive: true });
    });
  });

  describe('absent evidence is never a pass', () => {
    it('without any AV health export the Linux rule is not evaluated, and --strict exits 2', () => {
      const dir = demoCopy();
      unlinkSync(path.join(dir, 'mde', 'deviceavinfo.json'));
      rmSync(path.join(dir, 'mde', 'mdatp-health'), { recursive: true });
      // The manifest promises these exports; drop the promise to test the rule, not the manifest.
      const manifest = path.join(dir, 'snapshot.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/\n\s+- kind: mde\.avHealth/, '').replace(/\n\s+- kind: mde\.health/, ''));
      const { report } = jsonReport(['lint', dir]);
      const rule = report.rules.find((r: { id: string }) => r.id === 'linux-realtime-protection-on');
      expect(rule.status).to.equal('not-evaluated');
      expect(rule.missing.join(' ')).to.include('mde.avHealth').and.include('mde.health');
      expect(run(['lint', dir, '--strict']).code).to.equal(2);
      const stylish = run(['lint', dir]).stdout;
      expect(stylish).to.include('Not evaluated');
      rmSync(dir, { recursive: true });
    });
  });

  describe('rule sets and the rule catalogue', () => {
    it('runs the recommended set by default, a pinned version on request, and all rules with --ruleset all', () => {
      const ids = (args: string[]) => jsonReport(['lint', DEMO, ...args]).report.rules.map((r: { id: string }) => r.id).sort();
      const recommended = ids([]);
      expect(ids(['--ruleset', 'recommended@1'])).to.include.members(['subscription-tenant-matches-xdr', 'device-groups-cover-rbac-scopes', 'linux-realtime-protection-on']);
      expect(ids(['--ruleset', 'all']).length).to.be.at.least(recommended.length);
      expect(ids(['--ruleset', 'none'])).to.deep.equal([]);
    });

    it('an unknown rule set or version exits 2 and names the known sets', () => {
      const r = run(['lint', DEMO, '--ruleset', 'recommended@99']);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.include("rule set 'recommended' has no version 99");
      expect(run(['lint', DEMO, '--ruleset', 'strictest']).stdout).to.include("unknown rule set 'strictest' (known: all, none, recommended");
    });

    it('a misspelt rule set name gets the closest set', () => {
      const r = run(['lint', DEMO, '--ruleset', 'recomended']);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.include("unknown rule set 'recomended' (did you mean 'recommended'?) (known: all, none, recommended");
      expect(run(['lint', DEMO, '--ruleset', 'Recommended']).stdout).to.include("'Recommended' is not a rule set name (did you mean 'recommended'?) (name or name@version; known: all, none, recommended");
    });

    it('runs custom rules beside the rule set, and an id clash with a built-in rule is an error', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-custom-'));
      cpSync('rules/linux-realtime-protection-on.yaml', path.join(dir, 'linux-realtime-protection-on.yaml'));
      const r = jsonReport(['lint', DEMO, '--rules', dir]);
      expect(r.code).to.equal(2);
      expect(r.report.diagnostics.map((d: { code: string }) => d.code)).to.include('rule-duplicate-id');
      rmSync(dir, { recursive: true });
    });

    it('`rules` lists id, severity, title and the exports each rule needs', () => {
      const r = run(['rules', '--ruleset', 'all']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/^RULE\s+SEVERITY\s+TITLE \/ EXPORTS NEEDED/);
      expect(r.stdout).to.match(/linux-realtime-protection-on\s+high\s+Linux devices have antivirus real-time protection on\n\s+needs: mde\.avHealth, mde\.health, mde\.machines\n/);
      // It fits a 120-column terminal: long titles and export lists wrap in their column.
      for (const line of run(['rules', '--ruleset', 'all']).stdout.split('\n')) expect(line.length, line).to.be.at.most(120);
    });

    it('`explain` prints a rule\'s documentation, and suggests the id on a typo', () => {
      const r = run(['explain', 'linux-realtime-protection-on']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('## Why it matters').and.include('## How to fix');
      const typo = run(['explain', 'linux-realtime-protection']);
      expect(typo.code).to.equal(2);
      expect(typo.stderr).to.include("did you mean 'linux-realtime-protection-on'?");
      // A shortened id is found too: the one rule whose id contains it.
      expect(run(['explain', 'vm-onboard']).stderr).to.include("no rule 'vm-onboard' (did you mean 'vm-onboarded-to-mde'?)");
    });
  });

  describe('a rules path that holds no rule file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'pl-norules-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is an error naming the path, exit 2, in lint, rules, explain, baseline create, validate and test', () => {
      const empty = path.join(dir, 'empty');
      // A rule's cases alone are no rule: the loader never reads *.tests folders as rules.
      cpSync('rules/device-in-device-group.tests', path.join(empty, 'device-in-device-group.tests'), { recursive: true });
      const said = `no rule file (*.yaml) in ${empty}`;
      const runs: [string, string[]][] = [
        ['lint', ['lint', DEMO, '--ruleset', 'none', '--rules', empty]],
        ['lint beside a rule set', ['lint', DEMO, '--rules', empty]],
        ['rules', ['rules', '--rules', empty]],
        ['explain', ['explain', 'device-in-device-group', '--rules', empty]],
        ['baseline create', ['baseline', 'create', DEMO, '--rules', empty, '--output', path.join(dir, 'baseline.json')]],
        ['validate', ['validate', empty]],
      ];
      for (const [name, args] of runs) {
        const r = run(args);
        expect(r.code, name).to.equal(2);
        expect(r.stdout + r.stderr, name).to.include(`${empty}  error  ${said}  rules-empty`);
      }
      expect(run(['test', empty])).to.deep.equal({ code: 2, stdout: '', stderr: `posture-lint: ${said}\nRun 'posture-lint test --help' for usage.\n` });
    });

    it("is an error when posture-lint.yaml names it, in lint, validate and test", () => {
      mkdirSync(path.join(dir, 'rules'));
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'rules: [./rules]\n');
      const config = path.join(dir, 'posture-lint.yaml');
      const lint = run(['lint', DEMO, '--config', config]);
      expect(lint.code).to.equal(2);
      expect(lint.stdout).to.match(/rules +error +no rule file \(\*\.yaml\) in \S*rules {2}rules-empty/);
      for (const command of ['validate', 'test']) {
        const r = run([command, '--config', config]);
        expect(r.code, command).to.equal(2);
        expect(r.stdout + r.stderr, command).to.match(/no rule file \(\*\.yaml\) in \S*rules/);
      }
    });

    it('holding only conditions files is not: that is how shared conditions are given beside the rules', () => {
      const conditions = path.join(dir, 'conditions');
      mkdirSync(conditions);
      writeFileSync(path.join(conditions, 'team.conditions.yaml'), 'conditions:\n  team-live:\n    description: an onboarded device\n    condition: { field: deviceState, equals: Live }\n');
      expect(run(['validate', conditions])).to.deep.include({ code: 0, stdout: '0 rules valid, 1 named condition valid, 0 errors, 0 warnings\n' });
      const lint = run(['lint', DEMO, '--rules', conditions]);
      expect(lint.stdout).to.not.include('rules-empty');
    });

    it('holding only conditions files is an error in test, which would run no case and pass; beside a rule it is not', () => {
      const conditions = path.join(dir, 'conditions');
      const file = path.join(conditions, 'team.conditions.yaml');
      mkdirSync(conditions);
      writeFileSync(file, 'conditions:\n  team-live:\n    description: an onboarded device\n    condition: { field: deviceState, equals: Live }\n');
      for (const given of [[conditions], [file], [conditions, file]]) {
        expect(run(['test', ...given]), given.join(' ')).to.deep.equal({
          code: 2,
          stdout: '',
          stderr: `posture-lint: no rule file in ${given.join(', ')}, only conditions files, which have no test cases\nRun 'posture-lint test --help' for usage.\n`,
        });
      }
      writeFileSync(path.join(dir, 'posture-lint.yaml'), 'rules: [./conditions]\n');
      expect(run(['test', '--config', path.join(dir, 'posture-lint.yaml')]).code).to.equal(2);
      const beside = run(['test', 'rules/device-in-device-group.yaml', conditions]);
      expect(beside.code, beside.stdout + beside.stderr).to.equal(0);
      expect(beside.stdout).to.match(/^3 passed, 0 failed$/m);
    });

    it('--ruleset none with no --rules still checks the exports and manifest alone, exit 0', () => {
      const r = run(['lint', DEMO, '--ruleset', 'none']);
      expect(r.code, r.stdout).to.equal(0);
      expect(r.stdout).to.include('rules: 0 passed, 0 failed, 0 not evaluated · 0 errors');
    });
  });

  describe('test finds rule files as validate and lint --rules do', () => {
    it("runs the cases of a rule in a sub-folder of the folder given", () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-nested-'));
      try {
        const team = path.join(dir, 'team');
        cpSync('rules/device-in-device-group.yaml', path.join(team, 'device-in-device-group.yaml'));
        cpSync('rules/device-in-device-group.tests', path.join(team, 'device-in-device-group.tests'), { recursive: true });
        expect(run(['validate', dir]).stdout).to.equal('1 rule valid, 0 errors, 0 warnings\n');
        const r = run(['test', dir]);
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^${team}/device-in-device-group\\.yaml\n  ✔ `));
        expect(r.stdout).to.match(/^3 passed, 0 failed$/m);
        // A broken case below the sub-folder fails the run: it is no longer out of sight.
        const file = path.join(team, 'device-in-device-group.tests/pass-grouped-devices/case.yaml');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/status: passed/, 'status: failed'));
        expect(run(['test', dir]).code).to.equal(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('usage', () => {
    it('--help prints usage and exits 0', () => {
      const r = run(['--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('posture-lint lint <snapshot-folder>');
      expect(r.stdout).to.include('Exit codes');
    });

    it('an unknown format is a usage error with the closest format and the list of them', () => {
      const r = run(['lint', DEMO, '--format', 'sarfi']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(`unknown format 'sarfi' (did you mean 'sarif'?) (known: ${formatterNames().join(', ')})`);
      expect(run(['lint', DEMO, '--format', 'pdf']).stderr).to.include(`unknown format 'pdf' (known: ${formatterNames().join(', ')})`);
    });

    it('a misspelt --fail-on severity or --framework gets the closest name', () => {
      const failOn = run(['lint', DEMO, '--fail-on', 'hihg']);
      expect(failOn.code).to.equal(2);
      expect(failOn.stderr).to.include("--fail-on must be one of critical, high, medium, low, info, not 'hihg' (did you mean 'high'?)");
      const framework = run(['lint', DEMO, '--framework', 'mscb']);
      expect(framework.code).to.equal(2);
      expect(framework.stderr).to.include("unknown framework 'mscb' (did you mean 'mcsb'?) (known: cis-azure, mcsb, nist-800-53,");
    });

    it('a --framework with anything after its version is refused as unknown, not read as that version, in lint and trend', () => {
      for (const command of ['lint', 'trend']) {
        const junk = run([command, DEMO, '--framework', 'mcsb@v1@junk']);
        expect(junk, command).to.deep.include({ code: 2, stdout: '' });
        expect(junk.stderr).to.equal(`posture-lint: ${unknownFramework('mcsb@v1@junk')}\nRun 'posture-lint ${command} --help' for usage.\n`);
        expect(run([command, DEMO, '--framework', 'mcsb@v1@']).stderr).to.include("unknown framework 'mcsb@v1@' (did you mean 'mcsb@v1'?)");
      }
    });

    it('an unknown option or command is a usage error with a did-you-mean and the command\'s help', () => {
      const option = run(['lint', DEMO, '--formt', 'json']);
      expect(option.code).to.equal(2);
      expect(option.stderr).to.equal("posture-lint: unknown option '--formt' (did you mean '--format'?)\nRun 'posture-lint lint --help' for usage.\n");
      expect(run(['lint', DEMO, '--fail-onn', 'high']).stderr).to.include("(did you mean '--fail-on'?)");
      expect(run(['frobnicate']).stderr).to.include("unknown command 'frobnicate'");
      expect(run(['lnt', DEMO]).stderr).to.include("unknown command 'lnt' (did you mean 'lint'?)");
      // Swapped letters are one slip, not two: lnit is lint, not init.
      expect(run(['lnit', DEMO]).stderr).to.include("unknown command 'lnit' (did you mean 'lint'?)");
    });

    it('each command answers --help with its own usage, options and examples', () => {
      for (const [command, option, example] of [
        ['lint', '--max-findings <n>', 'posture-lint lint exports/2026-11-27 --ruleset recommended@1 --fail-on high --strict'],
        ['validate', '--max-warnings <n>', 'posture-lint validate my-rules/ --max-warnings 0'],
        ['explain', '--ruleset <set>', 'posture-lint explain vm-onboarded-to-mde'],
        ['baseline', '--output <file>', 'posture-lint baseline create exports/2026-11-27 --output posture-baseline.json'],
      ]) {
        const r = run([command, '--help']);
        expect(r.code, command).to.equal(0);
        expect(r.stdout, command).to.include(`Usage: posture-lint ${command}`).and.include(option).and.include(`Examples:\n  posture-lint ${command}`).and.include(example);
        expect(run(['help', command]).stdout).to.equal(r.stdout);
      }
      expect(run(['lint', '--help']).stdout).not.to.include('--max-warnings <n>');
    });

    it("each command's --help gives its own exit codes: only lint, validate and test can exit 1", () => {
      const exitCodes = (command: string) => run([command, '--help']).stdout.split('Exit codes:\n')[1];
      expect(exitCodes('test')).to.match(/^ {2}0 {2}every case passed\n {2}1 {2}a case failed \(a rule that does not load fails each of its cases/);
      expect(exitCodes('lint')).to.match(/^ {2}0 {2}no findings at or above --fail-on\n {2}1 {2}findings at or above --fail-on/);
      expect(exitCodes('validate')).to.include('  1  more warnings than --max-warnings\n');
      for (const command of ['rules', 'explain', 'trend', 'init', 'baseline']) {
        const codes = exitCodes(command);
        expect(codes, command).to.match(/^ {2}0 {2}\S/).and.match(/\n {2}2 {2}usage error/);
        expect(codes, command).not.to.match(/^ {2}1 /m);
        expect(codes, command).not.to.include('--fail-on');
      }
    });

    it('test exits 1, as its help says, when a rule does not load: each of its cases fails', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-rules-'));
      cpSync('rules/linux-realtime-protection-on.yaml', path.join(dir, 'linux-realtime-protection-on.yaml'));
      cpSync('rules/linux-realtime-protection-on.tests', path.join(dir, 'linux-realtime-protection-on.tests'), { recursive: true });
      const rule = path.join(dir, 'linux-realtime-protection-on.yaml');
      writeFileSync(rule, readFileSync(rule, 'utf8').replace(/^severity: .*$/m, 'severity: huge'));
      const { code, stdout } = run(['test', dir]);
      expect(stdout).to.match(/the rule did not load: severity: must be one of/);
      expect(stdout).to.match(/^0 passed, [1-9]\d* failed$/m);
      expect(code).to.equal(1);
      expect(run(['test', '--help']).stdout).to.include('1  a case failed (a rule that does not load fails each of its cases');
      rmSync(dir, { recursive: true });
    });

    it('a negative count is refused saying what the option takes, not as an ambiguous argument', () => {
      for (const args of [['--max-findings', '-1'], ['--max-findings=-1'], ['--max-findings', '1.5']]) {
        const r = run(['lint', DEMO, ...args]);
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stderr, args.join(' ')).to.match(/^posture-lint: --max-findings takes a whole number of 0 or more, not '(-1|1\.5)'\n/);
      }
    });

    it('--now reads a time without a zone as UTC, as the exports are read, whatever the machine\'s zone', () => {
      for (const TZ of ['UTC', 'America/Los_Angeles']) {
        const { code, stdout } = run(['lint', DEMO, '--now', '2026-11-26T23:00:00', '--format', 'json'], { TZ });
        const report = JSON.parse(stdout);
        expect(code, TZ).to.equal(2);
        expect(report.diagnostics.find((d: { code: string }) => d.code === 'data-after-snapshot-time')?.message).to.include('after the evaluation time 2026-11-26T23:00:00.000Z (--now)');
      }
    });

    it('--now that is not an ISO 8601 time is a usage error, not a time in 2001', () => {
      for (const now of ['1', 'Nov 27 2026', '2026-11-27T02:00:00z']) {
        const r = run(['lint', DEMO, '--now', now]);
        expect(r.code, now).to.equal(2);
        expect(r.stderr, now).to.include(`--now must be an ISO 8601 time such as 2026-11-27T02:00:00Z, not '${now}'`);
      }
    });

    it('a snapshot folder that does not exist exits 2 with its name', () => {
      const r = run(['lint', 'no/such/folder']);
      expect(r.code).to.equal(2);
      expect(r.stdout + r.stderr).to.include('no/such/folder');
    });

    it('a file given for the snapshot folder (its snapshot.yaml, an export) exits 2 saying to give the folder, in lint and baseline create', () => {
      const manifest = run(['lint', `${DEMO}/snapshot.yaml`]);
      expect(manifest.code).to.equal(2);
      expect(manifest.stderr).to.equal(
        `posture-lint: ${DEMO}/snapshot.yaml is a file, not a snapshot folder: give the folder that holds the exports and their snapshot.yaml, here ${DEMO}\nRun 'posture-lint lint --help' for usage.\n`,
      );
      const exportFile = run(['baseline', 'create', `${DEMO}/mde/vulnerabilities.json`]);
      expect(exportFile.code).to.equal(2);
      expect(exportFile.stdout).to.equal('');
      expect(exportFile.stderr).to.match(/^posture-lint: \S+mde\/vulnerabilities\.json is a file, not a snapshot folder: give the folder that holds the exports and their snapshot.yaml\n/);
    });

    it('a named pipe given for the snapshot folder exits 2 naming it a FIFO as the other inputs do, not a file', function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-fifo-'));
      try {
        const pipe = path.join(dir, 'exports');
        if (spawnSync('mkfifo', [pipe]).status !== 0) this.skip();
        const r = run(['lint', pipe]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.equal(`posture-lint: ${pipe} is a FIFO (named pipe), not a snapshot folder: give the folder that holds the exports and their snapshot.yaml\nRun 'posture-lint lint --help' for usage.\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a named pipe given to test, or where a rule's cases belong, exits 2 naming it a FIFO as the other inputs do, not with the system's ENOTDIR or as a rule with no cases", function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-fifo-'));
      try {
        const rules = path.join(dir, 'rules');
        if (spawnSync('mkfifo', [rules]).status !== 0) this.skip();
        const named = path.join(dir, 'av-signatures-current.yaml');
        spawnSync('mkfifo', [named]);
        for (const pipe of [rules, named]) {
          expect(run(['test', pipe])).to.deep.equal({ code: 2, stdout: '', stderr: `posture-lint: ${pipe} is a FIFO (named pipe), not a rule file or a folder of rules\nRun 'posture-lint test --help' for usage.\n` });
        }
        const own = path.join(dir, 'own');
        cpSync('rules/av-signatures-current.yaml', path.join(own, 'av-signatures-current.yaml'));
        spawnSync('mkfifo', [path.join(own, 'av-signatures-current.tests')]);
        const cases = run(['test', own]);
        expect(cases.code).to.equal(2);
        expect(cases.stderr).to.equal(`posture-lint: ${own}/av-signatures-current.tests is a FIFO (named pipe), not a folder\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('test finds the cases of a rule file named without .yaml in <name>.tests beside it, not in the file itself', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-rule-name-'));
      try {
        // The rule id is the file's name less .yaml: a file named as the id alone is a rule too.
        const rule = path.join(dir, 'av-signatures-current');
        cpSync('rules/av-signatures-current.yaml', rule);
        // With no case at all the run tested nothing: exit 2, not a pass.
        expect(run(['test', rule])).to.deep.equal({
          code: 2,
          stdout: `${rule}\n  (no test cases: add <rule>.tests/<case>/case.yaml)\n0 passed, 0 failed\n`,
          stderr: "posture-lint: no test case ran: add <rule>.tests/<case>/case.yaml beside the rules\nRun 'posture-lint test --help' for usage.\n",
        });
        cpSync('rules/av-signatures-current.tests', `${rule}.tests`, { recursive: true });
        const tested = run(['test', rule]);
        expect(tested).to.deep.include({ code: 0, stderr: '' });
        expect(tested.stdout).to.match(/^4 passed, 0 failed$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('test exits 2 when no case ran (a case folder given for the rules), and a rule without cases beside tested ones does not fail the run', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-no-cases-'));
      try {
        const caseFolder = path.join(dir, 'av-signatures-current.tests');
        cpSync('rules/av-signatures-current.tests', caseFolder, { recursive: true });
        const nothing = run(['test', caseFolder]);
        expect(nothing.code).to.equal(2);
        expect(nothing.stdout).to.match(/^0 passed, 0 failed$/m);
        // Reported as the command's other usage errors are, pointing at the help that shows the case layout.
        expect(nothing.stderr).to.equal("posture-lint: no test case ran: add <rule>.tests/<case>/case.yaml beside the rules\nRun 'posture-lint test --help' for usage.\n");
        const rules = path.join(dir, 'rules');
        cpSync('rules/av-signatures-current.yaml', path.join(rules, 'av-signatures-current.yaml'));
        cpSync('rules/av-signatures-current.tests', path.join(rules, 'av-signatures-current.tests'), { recursive: true });
        cpSync('rules/device-in-device-group.yaml', path.join(rules, 'device-in-device-group.yaml'));
        const some = run(['test', rules]);
        expect(some).to.deep.include({ code: 0, stderr: '' });
        expect(some.stdout).to.include('device-in-device-group.yaml\n  (no test cases: add <rule>.tests/<case>/case.yaml)\n');
        expect(some.stdout).to.match(/^4 passed, 0 failed$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a link to a folder is linted as the folder; a link to nothing or a loop of links exits 2 saying which', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-links-'));
      try {
        symlinkSync(path.resolve(DEMO), path.join(dir, 'snapshot'));
        expect(run(['lint', path.join(dir, 'snapshot'), '--format', 'json']).code).to.equal(1);
        const dangling = path.join(dir, 'latest');
        symlinkSync(path.join(dir, '2026-11-27'), dangling);
        const r = run(['lint', dangling]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.equal(`posture-lint: snapshot folder not found: ${dangling} is a link to ${path.join(dir, '2026-11-27')}, which does not exist\nRun 'posture-lint lint --help' for usage.\n`);
        symlinkSync('b', path.join(dir, 'a'));
        symlinkSync('a', path.join(dir, 'b'));
        const loop = run(['lint', path.join(dir, 'a')]);
        expect(loop.code).to.equal(2);
        expect(loop.stderr).to.include(`posture-lint: ${path.join(dir, 'a')} is a loop of symbolic links, not a snapshot folder\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a snapshot folder its user may not list, or not reach, exits 2 saying so, not with the system\'s EACCES or as not found', function () {
      const runAs = unprivilegedRun();
      if (runAs === undefined) return this.skip();
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-denied-'));
      const lintAs = (folder: string) => {
        const { code, stderr } = runAs(['lint', folder]);
        return { code, stderr };
      };
      const locked = path.join(dir, 'locked');
      const inside = path.join(dir, 'closed', 'snapshot');
      cpSync(DEMO, locked, { recursive: true });
      cpSync(DEMO, inside, { recursive: true });
      try {
        chmodSync(dir, 0o755);
        chmodSync(locked, 0o000);
        // No search permission: the folder inside cannot even be looked at.
        chmodSync(path.dirname(inside), 0o600);
        expect(lintAs(locked)).to.deep.equal({ code: 2, stderr: `posture-lint: cannot read the snapshot folder ${locked}: permission denied\nRun 'posture-lint lint --help' for usage.\n` });
        expect(lintAs(inside)).to.deep.equal({ code: 2, stderr: `posture-lint: cannot reach the snapshot folder ${inside}: permission denied\nRun 'posture-lint lint --help' for usage.\n` });
      } finally {
        for (const d of ['locked', 'closed']) chmodSync(path.join(dir, d), 0o700);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a folder below the snapshot, the rules or the cases that its user may not list stops lint, baseline create, validate and test with exit 2, named, not with the system's EACCES; so does a reports folder trend may not list", function () {
      const runAs = unprivilegedRun();
      if (runAs === undefined) return this.skip();
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-denied-'));
      const snapshot = path.join(dir, 'snapshot');
      const rules = path.join(dir, 'rules');
      const cases = path.join(rules, 'av-signatures-current.tests');
      cpSync(DEMO, snapshot, { recursive: true });
      cpSync('rules/av-signatures-current.yaml', path.join(rules, 'av-signatures-current.yaml'));
      cpSync('rules/av-signatures-current.tests', cases, { recursive: true });
      cpSync('rules/linux-realtime-protection-on.yaml', path.join(rules, 'team', 'linux-realtime-protection-on.yaml'));
      const locked = [path.join(snapshot, 'mde'), path.join(rules, 'team'), path.join(cases, 'pass-all-current')];
      try {
        chmodSync(dir, 0o755);
        for (const folder of locked) chmodSync(folder, 0o000);
        const snapshotDenied = { code: 2, stdout: '', stderr: `posture-lint: cannot list the files in ${snapshot}: the folder mde cannot be read (permission denied)\n` };
        expect(runAs(['lint', snapshot])).to.deep.equal(snapshotDenied);
        expect(runAs(['baseline', 'create', snapshot])).to.deep.equal(snapshotDenied);
        // test finds rule files as validate does, sub-folders too: the locked one stops both alike.
        const teamDenied = { code: 2, stdout: '', stderr: `posture-lint: cannot list the files in ${rules}: the folder team cannot be read (permission denied)\n` };
        expect(runAs(['validate', rules])).to.deep.equal(teamDenied);
        expect(runAs(['test', rules])).to.deep.equal(teamDenied);
        chmodSync(path.join(rules, 'team'), 0o755);
        const tested = runAs(['test', rules]);
        expect(tested.code).to.equal(2);
        expect(tested.stderr).to.equal(`posture-lint: cannot list the files in ${cases}: the folder pass-all-current cannot be read (permission denied)\n`);
        // The folder given itself, listed by test (the rule files) and by validate.
        chmodSync(rules, 0o000);
        for (const command of ['test', 'validate']) expect(runAs([command, rules]).stderr, command).to.equal(`posture-lint: cannot list the files in ${rules}: permission denied\n`);
        const reports = path.join(dir, 'reports');
        mkdirSync(reports, { mode: 0o000 });
        expect(runAs(['trend', reports])).to.deep.equal({ code: 2, stdout: '', stderr: `posture-lint: cannot list the files in ${reports}: permission denied\n` });
      } finally {
        for (const folder of [rules, ...locked]) chmodSync(folder, 0o700);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a snapshot folder whose path holds a backslash exits 2 instead of passing on exports it could not list', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-backslash-'));
      try {
        const snapshot = path.join(dir, 'tenant\\2026-11-27');
        cpSync(DEMO, snapshot, { recursive: true });
        const r = run(['lint', snapshot]);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.equal(
          `posture-lint: cannot list the files in ${snapshot}: a backslash in the folder's path stops the file listing; rename the folder, or give it through a link whose path has none\nRun 'posture-lint lint --help' for usage.\n`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a rules folder whose path holds a backslash exits 2 instead of running without its rules', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pl-backslash-'));
      try {
        const rules = path.join(dir, 'team\\rules');
        cpSync('rules', rules, { recursive: true });
        for (const args of [['lint', DEMO, '--ruleset', 'none', '--rules', rules], ['test', rules]]) {
          const r = run(args);
          expect(r.code, args.join(' ')).to.equal(2);
          // lint lists the folder; test lists each rule's cases below it: either way the folder is named.
          expect(r.stderr.startsWith(`posture-lint: cannot list the files in ${rules}`), r.stderr).to.equal(true);
          expect(r.stderr).to.contain("a backslash in the folder's path stops the file listing; rename the folder, or give it through a link whose path has none\n");
        }
        // Named relatively from a working directory whose path holds the backslash: test must not find no cases and pass.
        const team = path.join(dir, 'team\\b');
        cpSync('rules', path.join(team, 'rules'), { recursive: true });
        const inside = spawnSync(process.execPath, [BIN, 'test', 'rules'], { cwd: team, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        expect(inside.status, inside.stdout).to.equal(2);
        expect(inside.stderr).to.contain(`posture-lint: cannot list the files in ${team}/rules`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

