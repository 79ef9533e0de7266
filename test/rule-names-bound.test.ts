/**
 * The names a rule binds for each record (joins, then lets, in the order written) shadow the
 * record's fields, each seeing only those bound before it: a let named like a field reads the
 * field's list before it is bound and the let after; a later let reads the earlier one; a nested
 * join named like an outer join is the joined record's own. The evaluator binds them in a list the
 * size of the rule's names (src/rules/path.ts Bound), which must keep every one of these readings.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintAt } from './adversarial-helpers';
import { scratch } from './snapshot-helpers';

const MACHINES = 'https://api.security.microsoft.com/api/$metadata#Machines';
const AV = 'https://api.security.microsoft.com/api/$metadata#DeviceAvInfo';

const device = (id: string, name: string, tags: string[]) => ({
  id: id.padEnd(40, '0'), computerDnsName: name, osPlatform: 'Ubuntu', healthStatus: 'Active', lastSeen: '2026-11-26T22:00:00Z',
  onboardingStatus: 'Onboarded', rbacGroupId: 7, rbacGroupName: 'Linux', machineTags: tags,
});
const av = (id: string, machine: string, avMode: string) => ({
  id, machineId: machine.padEnd(40, '0'), computerDnsName: 'x', avMode, dataRefreshTimestamp: '2026-11-26T22:00:00Z', lastSeenTime: '2026-11-26T22:00:00Z',
});

const RULE = `id: names-shadow
title: Names bound per record shadow fields and one another
severity: high
description: d
for: mde.machines
join:
  # A join named like a field of the record.
  computerDnsName: { from: mde.avHealth, on: { local: id, foreign: machineId }, required: false }
  # A join whose own nested join has its name.
  av:
    from: mde.machines
    on: { local: id, foreign: id }
    join:
      av: { from: mde.avHealth, on: { local: id, foreign: machineId }, required: false }
let:
  # Named like a field: selects the record's tags (the name is not bound yet when it is read).
  osPlatform: { select: machineTags }
  # Named like a field too: reads the let above, not the record's osPlatform.
  machineTags: { select: osPlatform, where: { field: item, notEquals: skip } }
  tagged: { select: machineTags, distinct: item }
assert: { count: tagged, greater: 1 }
message: "{{av.computerDnsName}}: av {{computerDnsName.avMode}}, nested av {{av.av.avMode}}, tags {{machineTags | join}}, distinct {{tagged | count}}"
`;

describe('names a rule binds per record', () => {
  it('joins and lets shadow fields, later lets read earlier ones, nested joins bind their own names', async () => {
    const { dir, cleanup } = scratch();
    try {
      mkdirSync(join(dir, 'mde'));
      const devices = [device('d1', 'app-01', ['a', 'skip', 'a', 'b']), device('d2', 'app-02', ['skip', 'c', 'c']), device('d3', 'app-03', ['x'])];
      writeFileSync(join(dir, 'mde', 'machines.json'), JSON.stringify({ '@odata.context': MACHINES, value: devices }));
      writeFileSync(join(dir, 'mde', 'deviceavinfo.json'), JSON.stringify({ '@odata.context': AV, value: [av('av1', 'd1', 'Active'), av('av2', 'd2', 'Passive')] }));
      writeFileSync(join(dir, 'names-shadow.yaml'), RULE);
      const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [join(dir, 'names-shadow.yaml')], now: new Date('2026-11-27T02:00:00Z') });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(report.rules.find((r) => r.id === 'names-shadow')?.status).to.equal('failed');
      // d1: tags a, a, b without skip, two distinct: passes. d2: c, c, one distinct. d3: x, and no av record.
      expect(report.findings.map((f) => f.message).sort()).to.deep.equal([
        'app-02: av Passive, nested av Passive, tags c, c, distinct 1',
        'app-03: av (missing), nested av (missing), tags x, distinct 1',
      ]);
    } finally {
      cleanup();
    }
  });
});
