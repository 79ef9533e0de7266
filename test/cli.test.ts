/**
 * End-to-end runs of the compiled CLI (`npm test` builds first): arguments in, output and exit
 * code out, on the demo snapshot and on broken copies of it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = 'fixtures/snapshots/contoso';

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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

/** The planted violations of fixtures/snapshots/contoso/README.md, by rule. */
const PLANTED: Record<string, string[]> = {
  'subscription-tenant-matches-xdr': ['/subscriptions/c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35'],
  'device-groups-cover-rbac-scopes': [
    '/subscriptions/1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17',
    '/subscriptions/1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17/resourceGroups/rg-ops-shared',
    '/subscriptions/4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80/resourceGroups/rg-web-prod-neu',
    '/subscriptions/4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80/resourceGroups/rg-web-prod-weu',
  ],
  'linux-realtime-protection-on': [
    '4b56f1a794a9ae0696d94451e1cbbf28fb1388b0',
    'a2d2e5f9391010f0406320b165231f609af4a041',
    'aa8d8f1ffa795f889527cd4431d29a33bcc96d4a',
  ],
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

  it('gives byte-identical reports for the same snapshot', () => {
    const a = run(['lint', DEMO, '--format', 'json']).stdout;
    const b = run(['lint', DEMO, '--format', 'json']).stdout;
    expect(a).to.equal(b);
  });

  it('exits 0 when no finding reaches --fail-on', () => {
    expect(run(['lint', DEMO, '--fail-on', 'critical']).code).to.equal(0);
    expect(run(['lint', DEMO, '--fail-on', 'high']).code).to.equal(1);
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

    it('a JSON file that is no known export is named, with the kinds listed', () => {
      const dir = demoCopy();
      writeFileSync(path.join(dir, 'notes.json'), '{"owner": "secops", "ticket": 4711}\n');
      const { code, report } = jsonReport(['lint', dir]);
      expect(code).to.equal(2);
      const err = report.diagnostics.find((d: { code: string }) => d.code === 'unknown-export');
      expect(err.file).to.equal('notes.json');
      expect(err.message).to.include('mde.machines');
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
      expect(r.stdout).to.match(/^RULE\s+SEVERITY\s+TITLE\s+EXPORTS NEEDED/);
      expect(r.stdout).to.match(/linux-realtime-protection-on\s+high\s+Linux devices have antivirus real-time protection on\s+mde\.avHealth, mde\.health, mde\.machines/);
    });

    it('`explain` prints a rule\'s documentation, and suggests the id on a typo', () => {
      const r = run(['explain', 'linux-realtime-protection-on']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('## Why it matters').and.include('## How to fix');
      const typo = run(['explain', 'linux-realtime-protection']);
      expect(typo.code).to.equal(2);
      expect(typo.stderr).to.include("did you mean 'linux-realtime-protection-on'?");
    });
  });

  describe('usage', () => {
    it('--help prints usage and exits 0', () => {
      const r = run(['--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('posture-lint lint <snapshot-folder>');
      expect(r.stdout).to.include('Exit codes');
    });

    it('an unknown format is a usage error listing the formats', () => {
      const r = run(['lint', DEMO, '--format', 'sarif2']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include("unknown format 'sarif2' (known: json, stylish)");
    });

    it('an unknown option or command is a usage error', () => {
      expect(run(['lint', DEMO, '--fail-onn', 'high']).code).to.equal(2);
      expect(run(['frobnicate']).stderr).to.include("unknown command 'frobnicate'");
    });

    it('a snapshot folder that does not exist exits 2 with its name', () => {
      const r = run(['lint', 'no/such/folder']);
      expect(r.code).to.equal(2);
      expect(r.stdout + r.stderr).to.include('no/such/folder');
    });
  });
});

