import { expect } from 'chai';
import { DEVICES, linkDevices } from '../src/snapshot/servers';
import { indexResources } from '../src/snapshot/repeats';
import type { Collection, JsonObject } from '../src/snapshot/types';

// Unit tests of the loader's one notion of "the live device of a server" (src/snapshot/servers.ts),
// on records shaped like the machines API and ARM list items, as the normaliser leaves them.
const SUB = '/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/rg-app/providers';

function collections(sets: Record<string, JsonObject[]>): Map<string, Collection> {
  return new Map(
    Object.entries(sets).map(([name, rows]) => [
      name,
      { name, files: [`${name}.json`], records: rows.map((data, i) => ({ collection: name, data, origin: { file: `${name}.json`, pointer: `/value/${i}` } })) },
    ]),
  );
}

function device(id: string, computerDnsName: string, extra: JsonObject = {}): JsonObject {
  return { id: id.padEnd(40, '0'), computerDnsName, osPlatform: 'WindowsServer2022', healthStatus: 'Active', onboardingStatus: 'Onboarded', vmMetadata: null, ...extra };
}

function vm(name: string, vmId: string, osType = 'Windows'): JsonObject {
  return {
    id: `${SUB}/Microsoft.Compute/virtualMachines/${name}`,
    name,
    type: 'Microsoft.Compute/virtualMachines',
    properties: { vmId, osProfile: { computerName: name }, storageProfile: { osDisk: { osType } } },
  };
}

function arc(name: string, vmId: string, extra: JsonObject = {}): JsonObject {
  return {
    id: `${SUB}/Microsoft.HybridCompute/machines/${name}`,
    name,
    type: 'Microsoft.HybridCompute/machines',
    properties: { vmId, osType: 'windows', status: 'Connected', osProfile: { computerName: name }, ...extra },
  };
}

const pick = (d: JsonObject) => [d.deviceState, d.liveDeviceId, d.serverId, d.serverMatchedBy];

describe('servers: the live device of a server', () => {
  it('follows a merge chain A→B→C to its end, and carries the server of an old record over to the live one', () => {
    const a = device('a1', 'app-01.corp.contoso.com', { mergedIntoMachineId: 'b1'.padEnd(40, '0'), vmMetadata: { vmId: '5d3c2b1a-0f9e-4d8c-b7a6-958473625140' } });
    const b = device('b1', 'app-01.corp.contoso.com', { mergedIntoMachineId: 'C1'.padEnd(40, '0') });
    const c = device('c1', 'app-01.corp.contoso.com');
    linkDevices(collections({ 'mde.machines': [a, b, c], 'arm.virtualMachines': [vm('app-01', '5D3C2B1A-0F9E-4D8C-B7A6-958473625140')] }));
    const server = `${SUB}/Microsoft.Compute/virtualMachines/app-01`;
    expect(pick(a)).to.deep.equal(['Merged', c.id, server, 'vmId']);
    expect(pick(b)).to.deep.equal(['Merged', c.id, undefined, undefined]);
    expect(pick(c)).to.deep.equal(['Live', c.id, server, 'vmId']);
  });

  it("takes the device of a re-created VM's earlier incarnation (same resource id, other vmId) for no server's", () => {
    const id = `${SUB}/Microsoft.Compute/virtualMachines/app-11`;
    const earlier = device('a6', 'app-11.corp.contoso.com', { vmMetadata: { vmId: '11111111-2222-4333-8444-555555555555', resourceId: id.toLowerCase() } });
    const braces = device('b6', 'app-12.corp.contoso.com', { vmMetadata: { vmId: '{2A3B4C5D-6E7F-4081-92A3-B4C5D6E7F809}', resourceId: null } });
    const elsewhere = device('c6', 'app-13.corp.contoso.com', { vmMetadata: { vmId: null, resourceId: `${SUB}/Microsoft.Compute/virtualMachines/app-13` } });
    linkDevices(
      collections({
        'mde.machines': [earlier, braces, elsewhere],
        'arm.virtualMachines': [vm('app-11', '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f'), vm('app-12', '2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809')],
      }),
    );
    // deviceOnly: where the device says it runs, which places it in Azure scopes but makes it no server's device.
    expect([earlier.serverId, earlier.serverMatchedBy]).to.deep.equal([id.toLowerCase(), 'deviceOnly']);
    expect([braces.serverId, braces.serverMatchedBy]).to.deep.equal([`${SUB}/Microsoft.Compute/virtualMachines/app-12`, 'vmId']);
    expect(elsewhere.serverMatchedBy).to.equal('deviceOnly');
  });

  it('links a device by its vmId before any server claims it by a resource id the device no longer runs at', () => {
    // app-21 moved from rg-old to rg-app and kept its vmId; its device still names the old id, where a
    // VM of the same name (exported without vmId) now stands and has no device of its own.
    const moved = vm('app-21', '3b4c5d6e-7f80-4192-a3b4-c5d6e7f8091a');
    const standIn = vm('app-21', '');
    standIn.id = String(standIn.id).replace('rg-app', 'rg-old');
    delete (standIn.properties as JsonObject).vmId;
    const d = device('a7', 'app-21.corp.contoso.com', { vmMetadata: { vmId: '3b4c5d6e-7f80-4192-a3b4-c5d6e7f8091a', resourceId: standIn.id } });
    linkDevices(collections({ 'mde.machines': [d], 'arm.virtualMachines': [standIn, moved] }));
    expect([d.serverId, d.serverMatchedBy]).to.deep.equal([moved.id, 'vmId']);
  });

  it('leaves a merge loop, a self-merge and a merge into a record the export lacks without a live record', () => {
    const loopA = device('a2', 'loop-01', { mergedIntoMachineId: 'b2'.padEnd(40, '0') });
    const loopB = device('b2', 'loop-01', { mergedIntoMachineId: 'a2'.padEnd(40, '0') });
    const lasso = device('c2', 'loop-02', { mergedIntoMachineId: 'a2'.padEnd(40, '0') });
    const self = device('d2', 'self-01', { mergedIntoMachineId: 'd2'.padEnd(40, '0') });
    const dangling = device('e2', 'gone-01', { mergedIntoMachineId: 'f'.repeat(40) });
    linkDevices(collections({ 'mde.machines': [loopA, loopB, lasso, self, dangling] }));
    for (const d of [loopA, loopB, lasso, self, dangling]) expect(pick(d)).to.deep.equal(['Merged', undefined, undefined, undefined]);
  });

  it('links no device by host name when two servers share the name, or two live devices of its OS do, and marks those devices ambiguous', () => {
    const twins = [arc('file-01', '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'), vm('file-01', '1e2f3a4b-5c6d-4e7f-9081-92a3b4c5d6e7')];
    const fileDevice = device('a3', 'file-01.corp.contoso.com');
    const one = device('b3', 'app-02.corp.contoso.com', { platformFamily: 'WindowsServer' });
    const other = device('c3', 'app-02.branch.contoso.com', { platformFamily: 'WindowsServer' });
    // Two records of one device (a merge chain) are one candidate: web-03's device links.
    const oldWeb = device('d3', 'web-03.corp.contoso.com', { mergedIntoMachineId: 'e3'.padEnd(40, '0') });
    const web = device('e3', 'web-03.corp.contoso.com');
    linkDevices(
      collections({
        'mde.machines': [fileDevice, one, other, oldWeb, web],
        'arm.arcMachines': [...twins.slice(0, 1), arc('app-02', '2f3a4b5c-6d7e-4f80-a192-a3b4c5d6e7f8'), arc('web-03', '3a4b5c6d-7e8f-4091-b2a3-b4c5d6e7f809')],
        'arm.virtualMachines': twins.slice(1),
      }),
    );
    // Refused, yet each may be a server's device: not taken for one of no Azure resource.
    expect([fileDevice, one, other].map((d) => [d.serverId, d.serverMatchedBy])).to.deep.equal([
      [undefined, 'hostNameAmbiguous'],
      [undefined, 'hostNameAmbiguous'],
      [undefined, 'hostNameAmbiguous'],
    ]);
    expect([web.serverMatchedBy, web.serverId]).to.deep.equal(['hostName', `${SUB}/Microsoft.HybridCompute/machines/web-03`]);
  });

  it('counts a server exported twice (overlapping pages, or under two kinds) once, so its one device still links by host name', () => {
    const page1 = vm('app-31', '4c5d6e7f-8091-42a3-b4c5-d6e7f8091a2b');
    const page2 = { ...vm('app-31', '4c5d6e7f-8091-42a3-b4c5-d6e7f8091a2b'), id: String(page1.id).toUpperCase() };
    const d = device('a8', 'app-31.corp.contoso.com');
    const all = collections({ 'mde.machines': [d], 'arm.virtualMachines': [page1, page2] });
    all.get('arm.virtualMachines')!.repeats = [[0, 1]];
    linkDevices(all);
    expect([d.serverId, d.serverMatchedBy]).to.deep.equal([page1.id, 'hostName']);
    // The same id under another kind (a file mapped to it by the manifest) is the same server too.
    const e = device('a9', 'app-31.corp.contoso.com');
    linkDevices(collections({ 'mde.machines': [e], 'arm.virtualMachines': [page1], 'arm.arcMachines': [{ ...page1 }] }));
    expect([e.serverId, e.serverMatchedBy]).to.deep.equal([page1.id, 'hostName']);
  });

  it("links no device by host name whose full name is in another domain than an Arc server's FQDN", () => {
    const fqdn = { dnsFqdn: 'db-08.corp.contoso.com', machineFqdn: 'db-08.corp.contoso.com' };
    const elsewhere = device('a5', 'db-08.lab.fabrikam.local');
    const same = device('b5', 'DB-09.corp.contoso.com.');
    const bare = device('c5', 'db-10');
    linkDevices(
      collections({
        'mde.machines': [elsewhere, same, bare],
        'arm.arcMachines': [
          arc('db-08', '4b5c6d7e-8f90-4a1b-83c4-d5e6f708192a', fqdn),
          arc('db-09', '5c6d7e8f-9001-4b2c-94d5-e6f708192a3b', { dnsFqdn: 'db-09.corp.contoso.com' }),
          arc('db-10', '6d7e8f90-0112-4c3d-a5e6-f708192a3b4c', { dnsFqdn: 'db-10.corp.contoso.com' }),
        ],
      }),
    );
    // Another host, not an ambiguous one: it is a device of no Azure resource.
    expect([elsewhere.serverId, elsewhere.serverMatchedBy]).to.deep.equal([undefined, undefined]);
    // The same FQDN in another letter case or with the root dot, or a bare name that tells no domain, still links.
    expect([same.serverMatchedBy, bare.serverMatchedBy]).to.deep.equal(['hostName', 'hostName']);
  });

  it('keeps whether an excluded device was ever onboarded, and takes a null or blank onboardingStatus for not onboarded', () => {
    const excludedOnboarded = device('a4', 'kiosk-01', { isExcluded: true, exclusionReason: 'MachineOutOfScope' });
    const excludedDiscovered = device('b4', 'kiosk-02', { isExcluded: true, onboardingStatus: 'CanBeOnboarded' });
    const nullStatus = device('c4', 'etl-01', { onboardingStatus: null });
    const blankStatus = device('d4', 'etl-02', { onboardingStatus: ' ' });
    const lowerCase = device('e4', 'etl-03', { onboardingStatus: 'onboarded' });
    const published = device('f4', 'etl-04');
    delete published.onboardingStatus;
    const all = [excludedOnboarded, excludedDiscovered, nullStatus, blankStatus, lowerCase, published];
    linkDevices(collections({ 'mde.machines': all }));
    expect(all.map((d) => [d.deviceState, d.sensorOnboarded])).to.deep.equal([
      ['Excluded', true],
      ['Excluded', false],
      ['Discovered', false],
      ['Discovered', false],
      ['Live', true],
      ['Live', true],
    ]);
  });
  it("links the same with the loader's index of the devices as without it, and keys ids with blanks around them itself", () => {
    const vmId = '6e7f8091-a2b3-44c5-d6e7-f8091a2b3c4d';
    const records = (padded: boolean): JsonObject[] => [
      // Merged into a record whose id is written in other letters (and, in the second set, padded with blanks).
      device('a5', 'app-41.corp.contoso.com', { mergedIntoMachineId: 'B5'.padEnd(40, '0'), vmMetadata: { vmId } }),
      { ...device('b5', 'app-41.corp.contoso.com'), ...(padded ? { id: ` ${'b5'.padEnd(40, '0')} ` } : {}) },
      // The same device again (an overlapping page) names the VM: its first record is the one linked.
      device('c5', 'app-42.corp.contoso.com'),
      device('c5', 'app-42.corp.contoso.com', { vmMetadata: { vmId: '7f8091a2-b3c4-45d6-e7f8-091a2b3c4d5e' } }),
    ];
    const servers = [vm('app-41', vmId), vm('app-42', '7F8091A2-B3C4-45D6-E7F8-091A2B3C4D5E')];
    for (const padded of [false, true]) {
      const alone = records(padded);
      linkDevices(collections({ [DEVICES]: alone, 'arm.virtualMachines': servers }));
      const indexed = records(padded);
      const all = collections({ [DEVICES]: indexed, 'arm.virtualMachines': servers });
      const index = indexResources(DEVICES, all.get(DEVICES)!.records);
      all.get(DEVICES)!.repeats = index.repeats;
      linkDevices(all, index.firstOf);
      expect(indexed.map(pick), `ids padded: ${padded}`).to.deep.equal(alone.map(pick));
      expect(indexed.map(pick), `ids padded: ${padded}`).to.deep.equal([
        ['Merged', indexed[1].id, `${SUB}/Microsoft.Compute/virtualMachines/app-41`, 'vmId'],
        ['Live', indexed[1].id, `${SUB}/Microsoft.Compute/virtualMachines/app-41`, 'vmId'],
        ['Live', indexed[2].id, `${SUB}/Microsoft.Compute/virtualMachines/app-42`, 'vmId'],
        ['Live', indexed[2].id, `${SUB}/Microsoft.Compute/virtualMachines/app-42`, 'vmId'],
      ]);
    }
  });
});
