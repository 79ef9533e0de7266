import { expect } from 'chai';
import { cmp } from '../src/diagnostics';
import { EXPORT_KINDS, exportKind } from '../src/snapshot/kinds';

describe('snapshot export kinds table', () => {
  it('is sorted by id, ids are unique and found by exportKind', () => {
    const ids = EXPORT_KINDS.map((k) => k.id);
    expect(ids).to.deep.equal([...ids].sort(cmp));
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(exportKind(id)?.id).to.equal(id);
    expect(exportKind('mde.nothing')).to.equal(undefined);
  });

  it('says how to export each kind in one line', () => {
    for (const kind of EXPORT_KINDS) {
      expect(kind.howToExport, kind.id).to.match(/^(az |mdatp |cp )/);
      expect(kind.howToExport, kind.id).to.not.contain('\n');
    }
    expect(exportKind('mde.machines')?.howToExport).to.equal(
      "az rest --method get --url 'https://api.securitycenter.microsoft.com/api/machines' --resource https://api.securitycenter.microsoft.com --output json",
    );
  });

  it('gives each kind a way to be recognised', () => {
    for (const { id, detect } of EXPORT_KINDS) {
      const ways = [detect.odataContext, detect.resourceGraphEnvelope, detect.armTypes?.length, detect.signatures?.length];
      expect(ways.some(Boolean), id).to.equal(true);
    }
  });

  it('identifies records for findings', () => {
    const id = (kind: string, data: Record<string, unknown>, origin?: { file: string; pointer: string }) => exportKind(kind)?.identify(data, origin && { origin });
    expect(id('mde.machines', { id: '1e5b', computerDnsName: 'web-01.contoso.com' })).to.deep.equal({ id: '1e5b', name: 'web-01.contoso.com' });
    expect(id('mde.avHealth', { id: 'x', machineId: '1e5b', computerDnsName: 'web-01' })).to.deep.equal({ id: '1e5b', name: 'web-01' });
    expect(id('mde.health', { edrMachineId: '1e5b' })).to.deep.equal({ id: '1e5b' });
    expect(id('arm.subscriptions', { id: '/subscriptions/s1', displayName: 'Prod' })).to.deep.equal({ id: '/subscriptions/s1', name: 'Prod' });
    expect(id('defender.pricings', { id: '/subscriptions/s1/providers/Microsoft.Security/pricings/VirtualMachines', name: 'VirtualMachines' })).to.deep.equal({
      id: '/subscriptions/s1/providers/Microsoft.Security/pricings/VirtualMachines',
      name: 'VirtualMachines',
    });
    expect(id('mde.deviceGroups', { rbacGroupName: 'GroupOne', score: 41.3 })).to.deep.equal({ id: 'GroupOne', name: 'GroupOne' });
    // A managed profile has no id of its own: its file is its identity.
    expect(id('mde.managedConfig', { antivirusEngine: {} }, { file: 'mde/web-01/mdatp_managed.json', pointer: '' })).to.deep.equal({ id: 'mde/web-01/mdatp_managed.json' });
  });
});
