/**
 * The pipeline examples in docs/pipelines/ run: their `posture-lint lint` command, taken from the
 * YAML as written, is executed against the demo snapshot with the files it names, and every
 * report it asks for is written.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { codeScanningProblems } from './code-scanning';

const BIN = path.resolve('dist/src/cli/bin.js');
const DEMO = path.resolve('fixtures/snapshots/contoso');

/** The lint command of a pipeline, as argument list: continuation lines joined, quotes removed. */
function lintCommand(pipelineYaml: string): string[] {
  parse(pipelineYaml); // the example must be valid YAML
  const joined = pipelineYaml.replace(/\\\n\s*/g, ' ');
  const line = joined.split('\n').find((l) => /npx posture-lint lint /.test(l));
  expect(line, 'a posture-lint lint command').to.be.a('string');
  const args = line!.slice(line!.indexOf('npx posture-lint lint ') + 'npx posture-lint '.length).trim().split(/\s+/);
  return args.map((a) => a.replace(/^"|"$/g, ''));
}

describe('pipeline examples', function () {
  this.timeout(60_000);

  for (const file of ['github-actions.yml', 'azure-pipelines.yml']) {
    it(`${file}: the lint step runs as written and writes every report it names`, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-pipeline-'));
      const staging = path.join(dir, 'staging');
      const args = lintCommand(readFileSync(path.join('docs/pipelines', file), 'utf8')).map((a) =>
        a.replace('$(Build.ArtifactStagingDirectory)', staging).replace(/^(.*\/)?snapshot$/, DEMO),
      );
      spawnSync('mkdir', ['-p', staging]);
      // What the repository next to the pipeline would hold: a baseline of today's findings and a waiver.
      const baseline = spawnSync(process.execPath, [BIN, 'baseline', 'create', DEMO, '--output', 'baseline.json'], { cwd: dir, encoding: 'utf8' });
      expect(baseline.status, baseline.stderr).to.equal(0);
      writeFileSync(
        path.join(dir, 'waivers.yaml'),
        'waivers:\n  - rule: subscription-tenant-matches-xdr\n    resources: ["*"]\n    justification: Fabrikam moves into the Contoso tenant in Q1.\n    owner: cloud@contoso.com\n    expires: 2027-03-31\n',
      );
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr).to.equal('');
      expect(r.status, r.stdout.slice(-500)).to.equal(0);
      const outputs = args.filter((_a, i) => args[i - 1] === '--output');
      expect(outputs.length).to.be.at.least(2);
      for (const o of outputs) expect(existsSync(path.resolve(dir, o)), o).to.equal(true);
      // Each report is one the service it goes to accepts.
      const sarifFile = outputs.find((o) => o.endsWith('.sarif'))!;
      expect(codeScanningProblems(readFileSync(path.resolve(dir, sarifFile), 'utf8'), { shown: true })).to.deep.equal([]);
      if (args.includes('github')) {
        // 10 annotations per level per step (REST docs, Checks; see test/report-github.test.ts).
        for (const level of ['error', 'warning', 'notice']) expect(r.stdout.split('\n').filter((l) => l.startsWith(`::${level}`)).length, level).to.be.at.most(10);
      }
      const md = outputs.find((o) => o.endsWith('.md'));
      if (md) expect(statSync(path.resolve(dir, md)).size).to.be.at.most(1024 * 1024);
      rmSync(dir, { recursive: true });
    });
  }

  describe('github-actions.yml', () => {
    const workflow = parse(readFileSync('docs/pipelines/github-actions.yml', 'utf8')) as {
      permissions: Record<string, string>;
      jobs: { posture: { steps: { uses?: string; run?: string; with?: Record<string, string> }[] } };
    };
    const steps = workflow.jobs.posture.steps;

    it('grants what upload-sarif needs, in private repositories too', () => {
      // GitHub docs "Uploading a SARIF file to GitHub": security-events: write for all workflows;
      // actions: read and contents: read in private repositories.
      expect(workflow.permissions).to.include({ 'security-events': 'write', actions: 'read', contents: 'read' });
    });

    it('uploads with the current major of upload-sarif, under a category', () => {
      // github/codeql-action README: v4 is the latest supported major; CHANGELOG: "CodeQL Action v3
      // will be deprecated in December 2026".
      const upload = steps.find((st) => st.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
      expect(upload.uses).to.equal('github/codeql-action/upload-sarif@v4');
      expect(upload.with).to.have.property('category').that.is.a('string').and.not.empty;
    });

    it('keeps the reports as an artifact, not the snapshot', () => {
      const artifact = steps.find((st) => st.uses?.startsWith('actions/upload-artifact@'))!;
      const exportOut = /--out (\S+)/.exec(steps.map((st) => st.run ?? '').join('\n'))![1];
      const paths = String(artifact.with!.path).split('\n').map((p) => p.trim().replace(/\/$/, '')).filter(Boolean);
      expect(paths).to.not.include(exportOut);
      expect(paths).to.deep.equal(['reports']);
    });
  });

  describe('azure-pipelines.yml', () => {
    const pipeline = parse(readFileSync('docs/pipelines/azure-pipelines.yml', 'utf8')) as { steps: { task?: string; inputs?: Record<string, string> }[] };

    it('publishes only SARIF in the CodeAnalysisLogs artifact, which the Scans tab downloads in the browser', () => {
      const published = pipeline.steps.filter((st) => st.task === 'PublishBuildArtifacts@1').map((st) => st.inputs!);
      const scans = published.find((i) => i.ArtifactName === 'CodeAnalysisLogs')!;
      const sarifOut = lintCommand(readFileSync('docs/pipelines/azure-pipelines.yml', 'utf8')).filter((a) => a.endsWith('.sarif'));
      expect(sarifOut.every((o) => path.posix.dirname(o) === scans.PathtoPublish)).to.equal(true);
      const others = lintCommand(readFileSync('docs/pipelines/azure-pipelines.yml', 'utf8')).filter((a, i, all) => all[i - 1] === '--output' && !a.endsWith('.sarif'));
      for (const o of others) expect(path.posix.dirname(o)).to.not.equal(scans.PathtoPublish);
    });
  });
});
