/**
 * The pipeline examples in docs/pipelines/ run: their `posture-lint lint` command, taken from the
 * YAML as written, is executed against the demo snapshot with the files it names, and every
 * report it asks for is written.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

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
      rmSync(dir, { recursive: true });
    });
  }
});
