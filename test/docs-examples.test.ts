/**
 * The docs are runnable: every complete rule shown in the docs validates, and the authoring guide's
 * walk-through, assembled from its own code blocks, passes `posture-lint test` as the guide says.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadRules } from '../src/rules/load';
import { COLLECTIONS } from '../src/lint';

const BIN = path.resolve('dist/src/cli/bin.js');
const DOCS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Fenced code blocks of a Markdown file, with their language. */
function blocks(file: string): { lang: string; text: string }[] {
  const out: { lang: string; text: string }[] = [];
  const re = /```(\w*)\n([\s\S]*?)```/g;
  const md = readFileSync(file, 'utf8');
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ lang: m[1], text: m[2] });
  return out;
}

describe('documentation examples', function () {
  this.timeout(60_000);

  it('every complete rule and conditions file in the docs validates with no problem', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-docs-'));
    // Conditions files shown in the docs, which their rules may use.
    const conditions = DOCS.flatMap((file) => blocks(file).filter((b) => b.lang === 'yaml' && /^conditions:/m.test(b.text)).map((b) => ({ file, text: b.text })));
    expect(conditions.length).to.be.at.least(1);
    const conditionFiles = conditions.map((c, i) => {
      const f = path.join(dir, `doc-${i}.conditions.yaml`);
      writeFileSync(f, c.text);
      return f;
    });
    const alone = await loadRules(conditionFiles, { collections: COLLECTIONS });
    expect(alone.diagnostics, conditions.map((c) => c.file).join(', ')).to.deep.equal([]);
    expect(alone.conditions.length).to.be.at.least(2);
    let count = 0;
    for (const file of DOCS) {
      for (const b of blocks(file)) {
        if (b.lang !== 'yaml' || !/^id: /m.test(b.text) || !/^for: /m.test(b.text)) continue;
        const id = /^id: (\S+)/m.exec(b.text)![1];
        writeFileSync(path.join(dir, `${id}.yaml`), b.text);
        const { rules, diagnostics } = await loadRules([path.join(dir, `${id}.yaml`), ...conditionFiles], { collections: COLLECTIONS });
        expect(diagnostics, `${file}: rule ${id}`).to.deep.equal([]);
        expect(rules).to.have.length(1);
        count++;
      }
    }
    expect(count).to.be.at.least(2);
    rmSync(dir, { recursive: true });
  });

  it('the authoring guide, followed step by step, ends with passing tests', () => {
    const guide = blocks('docs/authoring.md');
    const rule = guide.find((b) => b.lang === 'yaml' && b.text.includes('id: vm-device-reporting'))!.text;
    const [vms, machines] = guide.filter((b) => b.lang === 'json').map((b) => b.text);
    const caseYaml = guide.find((b) => b.lang === 'yaml' && b.text.startsWith('description:'))!.text;
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-guide-'));
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
    expect(run(['init']).status).to.equal(0);
    // The guide's rule points at the repository's schema; a scaffolded folder uses the path init wrote.
    const schemaLine = readFileSync(path.join(dir, 'rules/prod-vms-tagged-in-mde.yaml'), 'utf8').split('\n')[0];
    writeFileSync(path.join(dir, 'rules/vm-device-reporting.yaml'), rule.replace(/^# yaml-language-server.*$/m, schemaLine));
    const caseDir = path.join(dir, 'rules/vm-device-reporting.tests/fail-no-device-and-inactive');
    mkdirSync(caseDir, { recursive: true });
    writeFileSync(path.join(caseDir, 'vms.json'), vms);
    writeFileSync(path.join(caseDir, 'machines.json'), machines);
    writeFileSync(path.join(caseDir, 'case.yaml'), caseYaml);
    expect(run(['validate', 'rules']).stdout).to.include('2 rules valid, 0 errors, 0 warnings');
    const r = run(['test', 'rules/vm-device-reporting.yaml']);
    expect(r.stdout).to.include('✔ fail-no-device-and-inactive');
    expect(r.status, r.stdout).to.equal(0);
    rmSync(dir, { recursive: true });
  });

  it('the waiver example of docs/pipelines.md matches findings of the demo estate, and a misspelt rule id gets its hint', () => {
    const waivers = blocks('docs/pipelines.md').find((b) => b.lang === 'yaml' && b.text.startsWith('waivers:'))!.text;
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-waivers-'));
    const lint = (text: string) => {
      writeFileSync(path.join(dir, 'waivers.yaml'), text);
      const r = spawnSync(process.execPath, [BIN, 'lint', 'fixtures/snapshots/contoso', '--waivers', path.join(dir, 'waivers.yaml'), '--format', 'json'], { encoding: 'utf8' });
      return JSON.parse(r.stdout) as { findings: { suppression?: { kind: string } }[]; diagnostics: { code: string; message: string }[] };
    };
    const report = lint(waivers);
    expect(report.diagnostics.filter((d) => d.code.startsWith('waiver'))).to.deep.equal([]);
    expect(report.findings.filter((f) => f.suppression?.kind === 'waiver')).to.have.length(5);
    const misspelt = lint(waivers.replace('rule: vm-onboarded-to-mde', 'rule: vm-onboarded-mde'));
    expect(misspelt.diagnostics.filter((d) => d.code.startsWith('waiver')).map((d) => `${d.code} ${d.message}`)).to.deep.equal([
      "waiver-unknown-rule waiver for vm-onboarded-mde (fabrikam-migration@contoso.com): no rule 'vm-onboarded-mde' ran (did you mean 'vm-onboarded-to-mde'?), so it waives nothing",
    ]);
    rmSync(dir, { recursive: true });
  });
});
