import { expect } from 'chai';
import * as path from 'node:path';
import { coverage } from '../src/engine/coverage';
import { loadSnapshot } from '../src/snapshot/load';

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
