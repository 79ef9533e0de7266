import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unwrap } from '../src/snapshot/envelope';
import { EXPORT_KINDS, exportKind } from '../src/snapshot/kinds';
import { decodeText } from '../src/decode';
import { validateRecord } from '../src/snapshot/validate';
import { PACKAGE_ROOT } from '../src/paths';
import { FIXTURES } from './snapshot-helpers';
import { REAL_EXAMPLES } from './snapshot-real-examples';

/** Raw records (as exported, before normalisation) of each kind, from the real examples. */
function realRecords(): Map<string, unknown[]> {
  const byKind = new Map<string, unknown[]>();
  for (const example of REAL_EXAMPLES) {
    const decoded = decodeText(readFileSync(join(FIXTURES, example.file)));
    if (!('text' in decoded)) throw new Error(decoded.error);
    const records = unwrap(JSON.parse(decoded.text)).records.map((r) => r.value);
    for (const kind of example.kinds) {
      // Resource Graph files feed arm.virtualMachines with their VM rows only.
      const mine = kind === 'arm.virtualMachines' && example.kinds.includes('arm.resourceGraph')
        ? records.filter((r) => String((r as { type?: unknown }).type).toLowerCase() === 'microsoft.compute/virtualmachines')
        : records;
      byKind.set(kind, [...(byKind.get(kind) ?? []), ...mine]);
    }
  }
  return byKind;
}

/** Kinds whose records have the same shape: only the @odata.context of the file tells them apart. */
const SAME_SHAPE: Readonly<Record<string, string>> = {
  'xdr.roleAssignments': 'graph.providerRoleAssignments',
  'graph.providerRoleAssignments': 'xdr.roleAssignments',
};

describe('snapshot export schemas', () => {
  const records = realRecords();

  for (const kind of EXPORT_KINDS) {
    describe(kind.id, () => {
      const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, kind.schemaFile), 'utf8')) as Record<string, unknown>;

      it('has a schema file with $id, title and description', () => {
        expect(kind.schemaFile).to.equal(`schemas/exports/${kind.id}.schema.json`);
        expect(schema.$id).to.equal(`https://posture-lint.dev/schemas/exports/${kind.id}.schema.json`);
        expect(schema.title).to.be.a('string').and.not.equal('');
        expect(schema.description).to.be.a('string').and.not.equal('');
      });

      it('accepts every real example record of the kind', () => {
        const mine = records.get(kind.id) ?? [];
        expect(mine).to.not.have.length(0);
        expect(mine.map((r) => validateRecord(kind, r))).to.deep.equal(mine.map(() => undefined));
      });

      if (kind.id === 'arm.resourceGraph') {
        it('accepts any projected row but rejects a row that is not an object or has a non-string type', () => {
          expect(validateRecord(kind, { count_: 3, resourceGroup: 'rg' })).to.equal(undefined);
          expect(validateRecord(kind, 'row')?.message).to.equal('must be object');
          expect(validateRecord(kind, { type: 7 })).to.deep.equal({ instancePath: '/type', message: 'must be string' });
        });
      } else {
        it('rejects the records of every other kind', () => {
          const accepted = [...records]
            .filter(([other]) => other !== kind.id && other !== SAME_SHAPE[kind.id] && other !== 'arm.resourceGraph')
            .filter(([, rs]) => validateRecord(kind, rs[0]) === undefined)
            .map(([other]) => other);
          expect(accepted).to.deep.equal([]);
        });
      }
    });
  }

  it('types the fields rules read: rbacGroupId number, string or null; vmMetadata object or null', () => {
    const machines = exportKind('mde.machines');
    if (machines === undefined) throw new Error('mde.machines');
    const base = { id: 'a'.repeat(40), computerDnsName: 'web-01', osPlatform: 'Ubuntu', healthStatus: 'Active' };
    for (const rbacGroupId of [140, '140', null]) expect(validateRecord(machines, { ...base, rbacGroupId })).to.equal(undefined);
    expect(validateRecord(machines, { ...base, rbacGroupId: true })).to.deep.equal({ instancePath: '/rbacGroupId', message: 'must be number, string or null' });
    expect(validateRecord(machines, { ...base, vmMetadata: null })).to.equal(undefined);
    expect(validateRecord(machines, { ...base, vmMetadata: { vmId: 7 } })).to.deep.equal({ instancePath: '/vmMetadata/vmId', message: 'must be string or null' });
  });

  it('reports the real problem of an az flattened or REST ARM record, not the if/then wrapper', () => {
    const assignments = exportKind('arm.roleAssignments');
    if (assignments === undefined) throw new Error('arm.roleAssignments');
    const type = 'Microsoft.Authorization/roleAssignments';
    expect(validateRecord(assignments, { id: '/x', type, properties: { principalId: 'p', scope: '/' } })).to.deep.equal({
      instancePath: '/properties',
      message: "missing required property 'roleDefinitionId'",
    });
    expect(validateRecord(assignments, { id: '/x', type, principalId: 'p', roleDefinitionId: 'r', scope: 5 })).to.deep.equal({
      instancePath: '/scope',
      message: 'must be string',
    });
    const properties = { principalId: 'p', roleDefinitionId: 'r', scope: '/' };
    expect(validateRecord(assignments, { id: '/x', type: 'microsoft.authorization/roleassignments', properties })).to.equal(undefined);
    expect(validateRecord(assignments, { id: '/x', type: 'Microsoft.Security/pricings', properties })?.instancePath).to.equal('/type');
  });

  it('lists exactly the export kinds in the manifest schema', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas/snapshot-manifest.schema.json'), 'utf8')) as {
      properties: { exports: { items: { properties: { kind: { enum: string[] } } } } };
    };
    expect(manifest.properties.exports.items.properties.kind.enum).to.deep.equal(EXPORT_KINDS.map((k) => k.id));
  });
});
