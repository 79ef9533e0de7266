/**
 * Report polish: counts agree with their nouns, findings name the machine or principal a reader
 * knows, and a finding about the snapshot as a whole has one location.
 */
import { expect } from 'chai';
import { lint } from '../src/lint';
import { Bound } from '../src/rules/path';
import { parseTemplate, renderTemplate } from '../src/rules/template';
import { getFormatter } from '../src/report/formatters';
import { readFileSync } from 'node:fs';

const DEMO = 'fixtures/snapshots/contoso';

function render(template: string, data: Record<string, unknown>): string {
  const { template: t, errors } = parseTemplate(template);
  expect(errors).to.deep.equal([]);
  return renderTemplate(t, new Bound(data, undefined), { params: {}, facts: new Map() });
}

async function findingsOf(ruleId: string, snapshot: string) {
  const { report } = await lint({ snapshot, ruleset: 'none', rules: [`rules/${ruleId}.yaml`] });
  return report;
}

describe('report polish', () => {
  it('a message template says "1 device is" and "3 devices are", and names a resource by the last segment of its ARM id', () => {
    const t = '{{devices | count | plural: device is / devices are}} in no group; {{vm | basename}}';
    expect(render(t, { devices: ['a'], vm: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01' })).to.equal('1 device is in no group; web01');
    expect(render(t, { devices: ['a', 'b', 'c'], vm: 'plain' })).to.equal('3 devices are in no group; plain');
    expect(render(t, { devices: [], vm: 'x/' })).to.equal('0 devices are in no group; x');
    expect(parseTemplate('{{devices | count | plural: devices}}').errors[0].message).to.equal("'plural: devices': plural takes the words for one and for many, as in 'plural: device is / devices are'");
  });

  it('edr-assessment-healthy names the machine assessed, keeping the assessment as the resource id (one finding per recommendation)', async () => {
    const report = await findingsOf('edr-assessment-healthy', DEMO);
    expect(report.findings.map((f) => [f.resource.name, f.resource.id.split('/providers/Microsoft.Security/')[1]])).to.deep.equal([
      ['dev-web-02', 'assessments/06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c'],
      ['fab-db-01', 'assessments/06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c'],
    ]);
    expect(report.findings[0].message).to.match(/^dev-web-02: EDR solution should be installed on Virtual Machines is Unhealthy \(assessment 06e3a6db-/);
  });

  it('xdr-access-within-arm-access names the principal where the role assignment export has its name (more in principal-names.test.ts)', async () => {
    const report = await findingsOf('xdr-access-within-arm-access', 'rules/xdr-access-within-arm-access.tests/fail-arc-device-outside-role-scope');
    expect(report.findings.map((f) => [f.resource.id, f.resource.name])).to.deep.equal([['c0ffee00-0000-0000-0000-0000000000b1', 'hybrid-operators']]);
    expect(report.findings[0].message).to.match(/^Principal hybrid-operators \(c0ffee00-0000-0000-0000-0000000000b1\) through Defender XDR role assignments /);
  });

  it('a finding about the snapshot as a whole has one location, not one pseudo-location per export kind', async () => {
    const report = await findingsOf('export-set-consistent', DEMO);
    expect(report.findings).to.have.length(1);
    expect(report.findings[0].locations).to.deep.equal([{ file: 'snapshot', pointer: '/snapshot.exports' }]);
    const sarif = JSON.parse(getFormatter('sarif')!(report, { rules: new Map(), color: false })) as { runs: { results: { properties: { records: string[] } }[] }[] };
    expect(sarif.runs[0].results[0].properties.records).to.deep.equal(['snapshot#/snapshot.exports']);
  });

  it('counts agree with their nouns in rule messages and reports: "1 device is", "1 resource checked"', async () => {
    const report = await findingsOf('export-set-consistent', DEMO);
    expect(report.findings[0].message).to.include('1 Defender for Endpoint device is in subscriptions missing');
    // export-set-consistent checks one resource, the snapshot's exports.
    const junit = getFormatter('junit')!(report, { rules: new Map(), color: false });
    expect(junit).to.include('0 of 1 resource checked passed');
    expect(junit).to.not.match(/\b1 resources\b|\b1 findings\b|\b1 rules\b/);
  });

  it("the README's excerpt of the demo run is what stylish prints: its lines, in order, with only whole findings cut", async () => {
    const { report, rules } = await lint({ snapshot: DEMO });
    const printed = getFormatter('stylish')!(report, { rules: new Map([...rules].map(([id, meta]) => [id, meta])), color: false }).split('\n');
    const readme = readFileSync('README.md', 'utf8');
    const excerpt = /```text\n(✖ critical-vulnerabilities-exploitable[\s\S]*?)```/.exec(readme)![1].trimEnd().split('\n');
    let at = 0;
    for (const line of excerpt) {
      if (line === '…') continue;
      const found = printed.indexOf(line, at);
      expect(found, `README line not printed (or out of order): ${line}`).to.be.at.least(0);
      // A finding's own lines (resource id, records, fix) are indented further: none may be left out.
      if (/^ {3}/.test(line)) expect(found, `README leaves out a line before: ${line}`).to.equal(at);
      at = found + 1;
    }
  });
});
