import { expect } from 'chai';
import { join } from 'node:path';
import { loadSnapshot } from '../src/snapshot/load';
import { EXPORT_KINDS } from '../src/snapshot/kinds';
import { brief, copyInto, FIXTURES, scratch } from './snapshot-helpers';
import { REAL_EXAMPLES } from './snapshot-real-examples';

describe('snapshot loader: real published examples', () => {
  for (const example of REAL_EXAMPLES) {
    it(`loads ${example.file} as ${example.kinds.join(' + ')} with no diagnostic`, async () => {
      // Alone in a folder, under a neutral name: the kind must come from the content.
      const { dir, cleanup } = scratch();
      try {
        copyInto(dir, join(FIXTURES, example.file), 'export.json');
        const snapshot = await loadSnapshot(dir);
        expect(brief(snapshot.diagnostics)).to.deep.equal([]);
        expect(snapshot.files).to.have.length(1);
        expect(snapshot.files[0].kinds).to.deep.equal(example.kinds);
        expect(snapshot.files[0].records).to.equal(example.records);
        for (const kind of example.kinds) {
          const collection = snapshot.collections.get(kind);
          expect(collection?.files).to.deep.equal(['export.json']);
          expect(collection?.records.every((r) => r.origin.file === 'export.json')).to.equal(true);
        }
      } finally {
        cleanup();
      }
    });
  }

  it('covers every export kind with at least one real example', () => {
    const covered = new Set(REAL_EXAMPLES.flatMap((e) => e.kinds));
    expect(EXPORT_KINDS.map((k) => k.id).filter((id) => !covered.has(id))).to.deep.equal([]);
  });

  it('loads every example as one snapshot: the docs examples come from different tenants, a fact conflict', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(FIXTURES, 'real-examples'), 'real-examples');
      copyInto(dir, join(FIXTURES, 'real-examples-repaired'), 'real-examples-repaired');
      const snapshot = await loadSnapshot(dir);
      expect(snapshot.files).to.have.length(REAL_EXAMPLES.length);
      // The repaired MDE alert (tenant a839…) disagrees with the Graph alert and incident (tenant b3c1…).
      // The per-subscription exports are other subscriptions' than the subscription list's, which the loader says.
      expect(brief(snapshot.diagnostics)).to.deep.equal([
        'error fact-conflict -',
        'warning export-subscriptions-missing real-examples/arm/role-assignment.create.az-cli-output.docs-example.json',
        'warning export-subscriptions-missing real-examples/defender-for-cloud/pricings.get-virtualmachines-resource-level.rest-2024-01-01.example.json',
        'warning export-subscriptions-missing real-examples/defender-for-cloud/settings.list.az-cli-recording.response.json',
      ]);
      const message = snapshot.diagnostics[0].message;
      expect(message).to.contain(
        'a839b112-1253-6432-9bf6-94542403f21c (MDE alerts (aadTenantId), real-examples-repaired/mde/alerts.list-filter-lastupdatetime.odata-samples.docs-example.json /value/0)',
      );
      expect(message).to.contain(
        'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c (Graph security alerts (tenantId), real-examples/graph/security-alerts_v2.list.graph-v1.0.docs-example.json /value/0)',
      );
      const fact = snapshot.facts.get('xdrTenantId');
      expect(fact?.value).to.equal(undefined);
      expect(fact?.conflicting).to.deep.equal(['a839b112-1253-6432-9bf6-94542403f21c', 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c']);
    } finally {
      cleanup();
    }
  });

  it('records keep the JSON pointer of their place in the original file', async () => {
    const snapshot = await loadSnapshot(join(FIXTURES, 'real-examples'));
    const origins = (kind: string): string[] => (snapshot.collections.get(kind)?.records ?? []).map((r) => `${r.origin.file} ${r.origin.pointer}`);
    expect(origins('arm.virtualMachines')).to.deep.equal([
      'arm/resource-graph.query-filter-vms.rest-2021-03-01.example.json /data/0',
      'arm/resource-graph.query-filter-vms.rest-2021-03-01.example.json /data/1',
      'arm/resource-graph.query-filter-vms.rest-2021-03-01.example.json /data/2',
      'arm/virtual-machines.create-linux-ssh.response-200.rest-2024-07-01.example.json ',
      'arm/virtual-machines.get.rest-2024-07-01.example.json ',
    ]);
    expect(origins('mde.managedConfig')[0]).to.equal('mde/mdatp_managed.linux.full-profile.docs-example.json ');
  });
});
