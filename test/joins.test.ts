import { expect } from 'chai';
import { JoinChoices, JoinIndexes } from '../src/engine/joins';
import { Budget, UNLIMITED } from '../src/engine/budget';
import { Resources } from '../src/engine/resources';
import { Bound, parsePath, type ParsedPath } from '../src/rules/path';
import type { CompiledJoin, EvalContext, JoinKeyPair } from '../src/rules/types';
import type { Collection, JsonObject } from '../src/snapshot/types';

const ctx: EvalContext = { facts: new Map(), now: 0, budget: UNLIMITED };
const SUB = '/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071';
const SUB_B = '/subscriptions/7d3a9c21-4b5e-4f60-9a1b-2c3d4e5f6071-b';
const vmId = (sub: string, rg: string, name: string) => `${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

const path = (p: string) => parsePath(p) as ParsedPath;

function collection(name: string, records: JsonObject[]): Collection {
  return { name, files: [`${name}.json`], records: records.map((data, i) => ({ collection: name, data, origin: { file: `${name}.json`, pointer: `/value/${i}` } })) };
}

function join(name: string, from: string, on: [string, string, JoinKeyPair['match']][], extra: Partial<CompiledJoin> = {}): CompiledJoin {
  return {
    name,
    from,
    on: on.map(([local, foreign, match]) => ({ local: path(local), foreign: path(foreign), match })),
    many: true,
    required: true,
    joins: [],
    indexKey: `${from}|${JSON.stringify(on)}`,
    ...extra,
  };
}

/** VMs in two resource groups of one subscription, one in a subscription whose id extends the first. */
const vms = collection('arm.virtualMachines', [
  { id: vmId(SUB, 'RG-PROD', 'web-01'), properties: { vmId: 'A1B2C3D4-0000-4000-8000-000000000001' } },
  { id: vmId(SUB, 'rg-prod1', 'web-02'), properties: { vmId: 'a1b2c3d4-0000-4000-8000-000000000002' } },
  { id: vmId(SUB_B, 'rg-prod', 'web-03'), properties: { vmId: 'a1b2c3d4-0000-4000-8000-000000000003' } },
  { id: vmId(SUB, 'rg-data', 'db-01').toUpperCase(), properties: { vmId: 'a1b2c3d4-0000-4000-8000-000000000004' } },
]);
const assignments = collection('arm.roleAssignments', [
  { id: 'ra-root', properties: { scope: '/' } },
  { id: 'ra-sub', properties: { scope: `${SUB.toUpperCase()}/` } },
  { id: 'ra-rg', properties: { scope: `${SUB}/resourcegroups/rg-prod` } },
  { id: 'ra-other', properties: { scope: SUB_B } },
]);
const machines = collection('mde.machines', [
  { id: 'm1', rbacGroupId: 7, vmMetadata: { vmId: 'a1b2c3d4-0000-4000-8000-000000000001' } },
  { id: 'm2', rbacGroupId: 7, vmMetadata: { vmId: 'a1b2c3d4-0000-4000-8000-000000000002' } },
  { id: 'm3', rbacGroupId: 9, vmMetadata: { resourceId: vmId(SUB_B, 'rg-prod', 'web-03') } },
]);
const collections = new Map([vms, assignments, machines].map((c) => [c.name, c]));

const indexesOf = (colls: Map<string, Collection>) => new JoinIndexes(new Resources(colls), ctx);

function lookup(j: CompiledJoin, data: unknown, budget = UNLIMITED): unknown {
  return indexesOf(collections).lookup(j, new Bound(data, undefined), { ...ctx, budget });
}
const ids = (v: unknown) => (v as JsonObject[]).map((r) => r.id);

describe('joins', () => {
  it('scope: finds the resources inside a scope, by whole segments and whatever the casing', () => {
    const inScope = join('vms', 'arm.virtualMachines', [['key', 'id', 'scope']]);
    expect(ids(lookup(inScope, { key: SUB }))).to.deep.equal([vms.records[0].data.id, vms.records[1].data.id, vms.records[3].data.id]);
    expect(ids(lookup(inScope, { key: `${SUB}/resourceGroups/rg-prod/` }))).to.deep.equal([vms.records[0].data.id]);
    expect(ids(lookup(inScope, { key: vmId(SUB, 'rg-data', 'DB-01') }))).to.deep.equal([vms.records[3].data.id]);
    expect(ids(lookup(inScope, { key: '/' }))).to.have.length(4);
    expect(lookup(inScope, { key: `${SUB}/resourceGroups/rg` })).to.deep.equal([]);
  });

  it('within: finds the scopes a resource lies in, the root scope included', () => {
    const scopes = join('roles', 'arm.roleAssignments', [['id', 'properties.scope', 'within']]);
    expect(ids(lookup(scopes, { id: vms.records[0].data.id }))).to.deep.equal(['ra-root', 'ra-sub', 'ra-rg']);
    expect(ids(lookup(scopes, { id: vms.records[1].data.id }))).to.deep.equal(['ra-root', 'ra-sub']);
    expect(ids(lookup(scopes, { id: vms.records[2].data.id }))).to.deep.equal(['ra-root', 'ra-other']);
    expect(ids(lookup(scopes, { id: SUB }))).to.deep.equal(['ra-root', 'ra-sub']);
    expect(ids(lookup(scopes, { id: '/' }))).to.deep.equal(['ra-root']);
  });

  it('equals: matches case-insensitively on any of several key pairs, each record once and in export order', () => {
    const devices = join('devices', 'mde.machines', [
      ['vms.properties.vmId', 'vmMetadata.vmId', 'equals'],
      ['vms.id', 'vmMetadata.resourceId', 'equals'],
    ]);
    const all = vms.records.map((r) => r.data);
    expect(ids(lookup(devices, { vms: [...all].reverse() }))).to.deep.equal(['m1', 'm2', 'm3']);
    const one = { ...devices, many: false };
    expect(lookup(one, { vms: [] })).to.equal(undefined);
    expect((lookup(one, { vms: [all[2]] }) as JsonObject).id).to.equal('m3');
  });

  it('a join of one record whose key matches several binds each in turn, in content order, the same one wherever one check meets it', () => {
    const device = join('device', 'mde.machines', [['vms.properties.vmId', 'vmMetadata.vmId', 'equals']], { many: false });
    const group = join('group', 'mde.machines', [['rbacGroupId', 'rbacGroupId', 'equals']], { many: false });
    const indexes = indexesOf(collections);
    const all = vms.records.map((r) => r.data);
    const choices = new JoinChoices();
    const seen: string[] = [];
    do {
      const scope = indexes.attach([device], new Bound({ vms: [all[1], all[0]] }, ['device']), ctx, choices);
      // Same join index and key met again in one check (a nested or repeated join): the same record.
      const again = indexes.lookup(device, new Bound({ vms: [all[0], all[1]] }, undefined), ctx, choices) as JsonObject;
      const found = scope.find('device') as JsonObject;
      expect(again.id).to.equal(found.id);
      const other = indexes.lookup(group, new Bound({ rbacGroupId: 7 }, undefined), ctx, choices) as JsonObject;
      seen.push(`${found.id}/${other.id}`);
    } while (choices.advance());
    expect(seen).to.deep.equal(['m1/m1', 'm1/m2', 'm2/m1', 'm2/m2']);
  });

  it('many local values that share a key cost one lookup and yield each record once', () => {
    const members = join('members', 'mde.machines', [['devices.rbacGroupId', 'rbacGroupId', 'equals']]);
    const devices = Array.from({ length: 10_000 }, (_, i) => ({ rbacGroupId: i % 2 === 0 ? 7 : 9 }));
    expect(ids(lookup(members, { devices }))).to.deep.equal(['m1', 'm2', 'm3']);
  });

  it('binds nested joins of a joined record once, and charges the budget for what it joins', () => {
    const nested = join('devices', 'mde.machines', [['properties.vmId', 'vmMetadata.vmId', 'equals']], {
      joins: [join('vm', 'arm.virtualMachines', [['vmMetadata.vmId', 'properties.vmId', 'equals']], { many: false })],
    });
    const indexes = indexesOf(collections);
    const first = indexes.lookup(nested, new Bound(vms.records[0].data, undefined), ctx) as Bound[];
    const again = indexes.lookup(nested, new Bound(vms.records[0].data, undefined), ctx) as Bound[];
    expect(first).to.have.length(1);
    expect(again[0]).to.equal(first[0]);
    expect(((first[0].find('vm')) as JsonObject).id).to.equal(vms.records[0].data.id);
    const everything = join('all', 'mde.machines', []);
    expect(() => lookup(everything, {}, new Budget(2))).to.throw(/budget of 2 steps/);
  });

  it('joins a resource exported many times once: every subscription lists the root assignment it inherits', () => {
    const root = { id: '/providers/Microsoft.Authorization/roleAssignments/0d1e2f3a', properties: { scope: '/', principalId: 'p1' } };
    const perSubscription = Array.from({ length: 500 }, () => ({ ...root, id: root.id.toUpperCase() }));
    const repeated = new Map(collections).set('arm.roleAssignments', collection('arm.roleAssignments', [root, ...perSubscription]));
    const scopes = join('roles', 'arm.roleAssignments', [['id', 'properties.scope', 'within']]);
    const found = indexesOf(repeated).lookup(scopes, new Bound({ id: vms.records[0].data.id }, undefined), ctx);
    expect(found).to.deep.equal([root]);
  });
});
