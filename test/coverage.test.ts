import { expect } from 'chai';
import * as path from 'node:path';
import { coverage } from '../src/engine/coverage';
import { loadSnapshot } from '../src/snapshot/load';
import type { JsonObject, Snapshot } from '../src/snapshot/types';

const CASE = path.join(__dirname, '..', 'rules', 'vm-onboarded-to-mde.tests', 'servers-of-every-kind');

describe('coverage chart', () => {
  it('counts VMs, scale-set instances and Arc servers, each onboarded only through a live or excluded device', async () => {
    const snapshot = await loadSnapshot(CASE);
    const rows = coverage(snapshot);
    // contoso-prod: 3 VMs, 2 scale-set instances, 3 Arc servers. Onboarded: app-03 through the record
    // its merged one points to, kiosk-01 (excluded), file-onprem-01 (by host name), instance 0. Not:
    // app-04 (merged into a record the export lacks), etl-onprem-02 (discovered), aws-web-01, instance 1.
    expect(rows.map((r) => [r.name, r.vms, r.onboarded])).to.deep.equal([
      ['contoso-prod', 8, 4],
      ['contoso-retired', 1, 0],
    ]);
  });

  it('does not count a re-created VM as onboarded through the device of the earlier VM of its name', async () => {
    const snapshot = await loadSnapshot(path.join(CASE, '..', 'recreated-vm-keeps-old-device'));
    // app-11's only device names another vmId with the same resource id; app-12's names its vmId in braces.
    expect(coverage(snapshot).map((r) => [r.name, r.vms, r.onboarded])).to.deep.equal([['contoso-prod', 2, 1]]);
  });

  it('does not count an excluded device that was never onboarded, nor one whose onboardingStatus is null', async () => {
    const snapshot = await loadSnapshot(path.join(CASE, '..', 'excluded-or-blank-status-not-onboarded'));
    // kiosk-01's excluded device was onboarded; kiosk-02's was only discovered; etl-onprem-02's status is null.
    expect(coverage(snapshot).map((r) => [r.name, r.vms, r.onboarded])).to.deep.equal([['contoso-prod', 3, 1]]);
  });

  it('does not count a device whose host name another live device of the same OS also has', async () => {
    const snapshot = await loadSnapshot(path.join(CASE, '..', 'host-name-shared-by-other-devices'));
    // Only web-onprem-07 is onboarded: file-onprem-05's device is discovered, app-onprem-06 has two namesakes,
    // db-onprem-08's only namesake is in another domain than its FQDN.
    expect(coverage(snapshot).map((r) => [r.name, r.vms, r.onboarded])).to.deep.equal([['contoso-prod', 4, 1]]);
  });
});

describe('coverage chart: server ids', () => {
  const SUB = '20ff7fc3-e762-44dd-bd96-b71116dcdc23';
  const vmId = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;
  const snapshotOf = (devices: JsonObject[], vms: JsonObject[]): Snapshot => {
    const collection = (name: string, rows: JsonObject[]) => ({ name, files: [`${name}.json`], records: rows.map((data, i) => ({ collection: name, data, origin: { file: `${name}.json`, pointer: `/value/${i}` } })) });
    return { root: '/snapshot', collections: new Map([collection('mde.machines', devices), collection('arm.virtualMachines', vms)].map((c) => [c.name, c])), facts: new Map(), files: [], diagnostics: [], incomplete: new Map(), unattributed: [] };
  };
  const device = (id: string, serverId: string, extra: JsonObject = {}): JsonObject => ({ id: id.padEnd(40, '0'), serverId, serverMatchedBy: 'resourceId', deviceState: 'Live', sensorOnboarded: true, rbacGroupId: 7, rbacGroupName: 'Servers', ...extra });

  it('counts a device that names its server in other letters, as rules compare ARM ids', () => {
    const vms = ['app-01', 'app-02', 'app-03'].map((name) => ({ id: vmId(name), name, type: 'Microsoft.Compute/virtualMachines' }));
    const devices = [device('a1', vmId('app-01')), device('b1', vmId('APP-02').toUpperCase()), device('c1', vmId('app-03'), { serverMatchedBy: 'deviceOnly' })];
    expect(coverage(snapshotOf(devices, vms)).map((r) => [r.subscriptionId, r.vms, r.onboarded, r.inDeviceGroup])).to.deep.equal([[SUB, 3, 2, 2]]);
  });

  it('prefers a live device of a server to an excluded one, whichever comes first and however the id is written', () => {
    const vms = [{ id: vmId('app-01'), name: 'app-01', type: 'Microsoft.Compute/virtualMachines' }];
    const excluded = device('a2', vmId('app-01'), { deviceState: 'Excluded', rbacGroupName: 'Servers' });
    const live = device('b2', vmId('app-01'), { rbacGroupId: null, rbacGroupName: null });
    for (const devices of [[excluded, live], [live, excluded], [excluded, { ...live, serverId: vmId('app-01').toUpperCase() }]]) {
      // The live device is in no device group: counting the excluded one instead would count one.
      expect(coverage(snapshotOf(devices, vms)).map((r) => [r.onboarded, r.inDeviceGroup])).to.deep.equal([[1, 0]]);
    }
  });
});
