import { expect } from 'chai';
import { liftArmProperties, stringBooleans, subscriptionFromAz } from '../src/snapshot/normalize';
import type { JsonObject } from '../src/snapshot/types';
import { loadCase } from './snapshot-helpers';

function only<T>(items: readonly T[] | undefined): T {
  expect(items).to.have.length(1);
  return (items as T[])[0];
}

describe('snapshot normalisation', () => {
  describe('az account list subscriptions', () => {
    it("reads homeTenantId as the home tenant and keeps az's tenantId, the login's, as accessTenantId", () => {
      // An MSP's login in its own tenant sees a customer subscription delegated through Lighthouse.
      const out = subscriptionFromAz({
        id: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
        name: 'Fabrikam Customer Prod',
        tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
        homeTenantId: '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c',
        managedByTenants: [{ tenantId: '31c75423-32d6-4322-88b7-c478bdde4858' }],
        state: 'Enabled',
      });
      expect(out.id).to.equal('/subscriptions/72ac930a-f34e-42d8-b06d-dc2a9e12ed71');
      expect(out.tenantId).to.equal('2a0ff0de-96b2-4859-bb7c-a430d07a3e0c');
      expect(out.accessTenantId).to.equal('31c75423-32d6-4322-88b7-c478bdde4858');
      expect(out.managedByTenants).to.deep.equal([{ tenantId: '31c75423-32d6-4322-88b7-c478bdde4858' }]);
    });

    it('leaves the home tenant unknown when an az record has no homeTenantId, and REST records alone', () => {
      const old = subscriptionFromAz({ id: '5e1c7a44-0b6f-4c2e-9d8a-3f7b2c1e6a90', name: 'Old', tenantId: '31c75423-32d6-4322-88b7-c478bdde4858', state: 'Enabled' });
      expect(Object.hasOwn(old, 'tenantId')).to.equal(false);
      expect(old.accessTenantId).to.equal('31c75423-32d6-4322-88b7-c478bdde4858');
      const rest = { id: '/subscriptions/5e1c7a44-0b6f-4c2e-9d8a-3f7b2c1e6a90', subscriptionId: '5e1c7a44-0b6f-4c2e-9d8a-3f7b2c1e6a90', tenantId: '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c', state: 'Enabled' };
      expect(subscriptionFromAz({ ...rest })).to.deep.equal(rest);
    });

    it('reads az output reshaped into REST names (--query, jq) by its homeTenantId and bare id, not as REST', () => {
      // az account list --query "[].{id:id, subscriptionId:id, displayName:name, tenantId:tenantId, homeTenantId:homeTenantId}"
      const reshaped = subscriptionFromAz({
        id: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
        subscriptionId: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
        displayName: 'Fabrikam Customer Prod',
        tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
        homeTenantId: '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c',
      });
      expect([reshaped.id, reshaped.tenantId, reshaped.accessTenantId]).to.deep.equal([
        '/subscriptions/72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
        '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c',
        '31c75423-32d6-4322-88b7-c478bdde4858',
      ]);
      // With a REST id too, homeTenantId still says whose subscription it is; without it, a bare id tells none.
      const restId = subscriptionFromAz({ id: '/subscriptions/72ac930a-f34e-42d8-b06d-dc2a9e12ed71', subscriptionId: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71', tenantId: '31c75423-32d6-4322-88b7-c478bdde4858', homeTenantId: '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c' });
      expect(restId.tenantId).to.equal('2a0ff0de-96b2-4859-bb7c-a430d07a3e0c');
      const noHome = subscriptionFromAz({ id: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71', subscriptionId: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71', tenantId: '31c75423-32d6-4322-88b7-c478bdde4858' });
      expect(Object.hasOwn(noHome, 'tenantId')).to.equal(false);
    });
  });

  it('gives az account list and REST subscriptions the same canonical fields', async () => {
    const az = only((await loadCase('subscriptions-az')).collections.get('arm.subscriptions')?.records).data;
    const rest = only((await loadCase('subscriptions-rest')).collections.get('arm.subscriptions')?.records).data;
    const canonical = (d: JsonObject) => ({ id: d.id, subscriptionId: d.subscriptionId, displayName: d.displayName, tenantId: d.tenantId, state: d.state });
    expect(canonical(az)).to.deep.equal({
      id: '/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071',
      subscriptionId: '7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071',
      displayName: 'Contoso Production',
      tenantId: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      state: 'Enabled',
    });
    expect(canonical(rest)).to.deep.equal(canonical(az));
    // az-only fields pass through untouched.
    expect(az.homeTenantId).to.equal('4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f');
    expect(az.isDefault).to.equal(true);
  });

  describe('deviceavinfo', () => {
    let records: JsonObject[] = [];
    before(async () => {
      records = ((await loadCase('normalization')).collections.get('mde.avHealth')?.records ?? []).map((r) => r.data);
    });

    it('names avMode codes and keeps the code', () => {
      expect(records.map((r) => [r.computerDnsName, r.avMode, r.avModeCode])).to.deep.equal([
        ['web-01', 'Active', '0'],
        ['db-01', 'Passive', '1'],
        ['legacy-01', 'Other', ''],
        ['edr-01', 'EDRBlocked', '4'],
      ]);
    });

    it('turns "True"/"False" into booleans and leaves "Unknown" alone', () => {
      expect(records.map((r) => [r.avIsSignatureUpToDate, r.avIsEngineUpToDate, r.avIsPlatformUpToDate])).to.deep.equal([
        [true, true, 'Unknown'],
        [false, true, 'Unknown'],
        ['Unknown', true, 'Unknown'],
        [true, true, 'Unknown'],
      ]);
    });
  });

  it('puts a flattened az role assignment under properties like REST', async () => {
    const record = only((await loadCase('normalization')).collections.get('arm.roleAssignments')?.records);
    const properties = record.data.properties as JsonObject;
    expect(properties.scope).to.equal('/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071/resourceGroups/rg-prod');
    expect(properties.principalId).to.equal('f1847572-48aa-47aa-96a3-2ec61904f41f');
    expect(properties.roleDefinitionId).to.match(/roleDefinitions\/8e3af657-a8ff-443c-a75c-2fe8c4bcb635$/);
    expect(properties.principalName).to.equal('alex@contoso.com');
    expect(properties.roleDefinitionName).to.equal('Owner');
    expect(record.data.resourceGroup).to.equal('rg-prod');
    expect(record.data.type).to.equal('Microsoft.Authorization/roleAssignments');
    expect(record.data).to.not.have.property('scope');
    expect(record.origin).to.deep.equal({ file: 'arm/role-assignments.az.json', pointer: '/0' });
  });

  it('turns pricing string booleans into booleans, inside extensions too', async () => {
    const record = only((await loadCase('normalization')).collections.get('defender.pricings')?.records);
    const properties = record.data.properties as JsonObject;
    expect(properties.enforce).to.equal(false);
    expect(properties.extensions).to.deep.equal([
      { name: 'MdeDesignatedSubscription', isEnabled: false },
      { name: 'AgentlessVmScanning', isEnabled: true },
    ]);
    expect(properties.pricingTier).to.equal('Standard');
  });

  it('keeps ARM id casing as exported', async () => {
    const snapshot = await loadCase('resource-graph');
    expect(snapshot.collections.get('arm.virtualMachines')?.records.map((r) => r.data.id)).to.deep.equal([
      '/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071/resourceGroups/RG-PROD/providers/Microsoft.Compute/virtualMachines/web-01',
      '/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071/resourceGroups/RG-DATA/providers/Microsoft.Compute/virtualMachines/db-01',
    ]);
  });

  it('keeps __proto__ keys as plain data while lifting and converting records', () => {
    const input = JSON.parse('{"id":"/x","type":"t","__proto__":{"polluted":true},"enabled":"True","extensions":[{"isEnabled":"false"}]}') as JsonObject;
    const lifted = liftArmProperties(['enabled'])(input);
    const properties = lifted.properties as JsonObject;
    expect(Object.getPrototypeOf(properties)).to.equal(Object.prototype);
    expect(Object.hasOwn(properties, '__proto__')).to.equal(true);
    expect(({} as JsonObject).polluted).to.equal(undefined);
    const bools = stringBooleans(['properties.enabled', 'properties.extensions[].isEnabled', 'properties.__proto__.polluted']);
    const converted = bools(lifted);
    expect(properties.enabled).to.equal(true);
    expect(properties.extensions).to.deep.equal([{ isEnabled: false }]);
    expect(bools(converted)).to.equal(converted);
    expect(({} as JsonObject).polluted).to.equal(undefined);
  });
});
