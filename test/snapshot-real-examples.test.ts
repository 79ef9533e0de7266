import { expect } from 'chai';
import { join } from 'node:path';
import { loadSnapshot } from '../src/snapshot/load';
import { EXPORT_KINDS } from '../src/snapshot/kinds';
import { brief, copyInto, FIXTURES, scratch } from './snapshot-helpers';

/** Every published example, the kinds it must load as, and its record count. */
export const REAL_EXAMPLES: readonly { file: string; kinds: string[]; records: number }[] = [
  { file: 'real-examples/arm/management-groups.get.rest-2023-04-01.example.json', kinds: ['arm.managementGroups'], records: 1 },
  { file: 'real-examples/arm/management-groups.list.rest-2021-04-01.example.json', kinds: ['arm.managementGroups'], records: 2 },
  { file: 'real-examples/arm/resource-graph.az-graph-query.cli-output.docs-example.json', kinds: ['arm.resourceGraph'], records: 4 },
  { file: 'real-examples/arm/resource-graph.query-filter-vms.rest-2021-03-01.example.json', kinds: ['arm.resourceGraph', 'arm.virtualMachines'], records: 3 },
  { file: 'real-examples/arm/resource-graph.query-properties.rest-2021-03-01.example.json', kinds: ['arm.resourceGraph'], records: 2 },
  { file: 'real-examples/arm/resource-graph.query.az-cli-recording.rest-response.json', kinds: ['arm.resourceGraph'], records: 2 },
  { file: 'real-examples/arm/role-assignment.create.az-cli-output.docs-example.json', kinds: ['arm.roleAssignments'], records: 1 },
  { file: 'real-examples/arm/role-assignments.list-filter-principal.az-cli-recording.response.json', kinds: ['arm.roleAssignments'], records: 1 },
  { file: 'real-examples/arm/role-assignments.list-for-scope.rest-2022-04-01.example.json', kinds: ['arm.roleAssignments'], records: 1 },
  { file: 'real-examples/arm/role-definitions.list-filter-reader.az-cli-recording.response.json', kinds: ['arm.roleDefinitions'], records: 1 },
  { file: 'real-examples/arm/subscriptions.list.rest-2022-12-01.example.json', kinds: ['arm.subscriptions'], records: 2 },
  { file: 'real-examples/arm/virtual-machines.create-linux-ssh.response-200.rest-2024-07-01.example.json', kinds: ['arm.virtualMachines'], records: 1 },
  { file: 'real-examples/arm/virtual-machines.get.rest-2024-07-01.example.json', kinds: ['arm.virtualMachines'], records: 1 },
  { file: 'real-examples/defender-for-cloud/alerts.list-subscription.rest-2022-01-01.example.json', kinds: ['defender.alerts'], records: 2 },
  { file: 'real-examples/defender-for-cloud/assessments-metadata.get.rest-2021-06-01.example.json', kinds: ['defender.assessmentMetadata'], records: 1 },
  { file: 'real-examples/defender-for-cloud/assessments.list.rest-2021-06-01.example.json', kinds: ['defender.assessments'], records: 2 },
  { file: 'real-examples/defender-for-cloud/auto-provisioning-settings.list.az-cli-recording.response.json', kinds: ['defender.autoProvisioning'], records: 1 },
  { file: 'real-examples/defender-for-cloud/auto-provisioning-settings.show-default-on.az-cli-recording.response.json', kinds: ['defender.autoProvisioning'], records: 1 },
  { file: 'real-examples/defender-for-cloud/pricings.get-virtualmachines-resource-level.rest-2024-01-01.example.json', kinds: ['defender.pricings'], records: 1 },
  { file: 'real-examples/defender-for-cloud/pricings.get-virtualmachines.rest-2024-01-01.example.json', kinds: ['defender.pricings'], records: 1 },
  { file: 'real-examples/defender-for-cloud/pricings.list.az-cli-recording.response.json', kinds: ['defender.pricings'], records: 15 },
  { file: 'real-examples/defender-for-cloud/pricings.list.rest-2024-01-01.example.json', kinds: ['defender.pricings'], records: 14 },
  { file: 'real-examples/defender-for-cloud/pricings.show-virtualmachines-free.az-cli-recording.response.json', kinds: ['defender.pricings'], records: 1 },
  { file: 'real-examples/defender-for-cloud/pricings.show-virtualmachines-p2.az-cli-recording.response.json', kinds: ['defender.pricings'], records: 1 },
  { file: 'real-examples/defender-for-cloud/secure-scores.list.rest-2020-01-01.example.json', kinds: ['defender.secureScores'], records: 1 },
  { file: 'real-examples/defender-for-cloud/server-vulnerability-assessments-settings.list.rest-2023-05-01.example.json', kinds: ['defender.serverVulnerabilityAssessmentsSettings'], records: 1 },
  { file: 'real-examples/defender-for-cloud/settings.list.az-cli-recording.response.json', kinds: ['defender.settings'], records: 5 },
  { file: 'real-examples/defender-for-cloud/settings.list.rest-2022-05-01.example.json', kinds: ['defender.settings'], records: 5 },
  { file: 'real-examples/graph/defender-xdr-rbac.role-assignment.create-response.graph-beta.docs-example.json', kinds: ['xdr.roleAssignments'], records: 1 },
  { file: 'real-examples/graph/defender-xdr-rbac.role-definition.create-response.graph-beta.docs-example.json', kinds: ['xdr.roleDefinitions'], records: 1 },
  { file: 'real-examples/graph/directory-role-assignments.list-filter-principal.graph-v1.0.docs-example.json', kinds: ['entra.roleAssignments'], records: 2 },
  { file: 'real-examples/graph/security-alerts_v2.list.graph-v1.0.docs-example.json', kinds: ['graph.alerts'], records: 1 },
  { file: 'real-examples/graph/security-incidents.list.graph-v1.0.docs-example.json', kinds: ['graph.incidents'], records: 1 },
  { file: 'real-examples/graph/unified-role-assignment-multiple.list-cloudpc-filter-roledef.graph-beta.docs-example.json', kinds: ['graph.providerRoleAssignments'], records: 3 },
  { file: 'real-examples/mde/machine-actions.list.docs-example.json', kinds: ['mde.machineActions'], records: 3 },
  { file: 'real-examples/mde/machines.get-machines.docs-example.repaired.json', kinds: ['mde.machines'], records: 1 },
  { file: 'real-examples/mde/mdatp-health.output-json.linux-101.23062.0010.captured.json', kinds: ['mde.health'], records: 1 },
  { file: 'real-examples/mde/mdatp-health.output-json.macos-101.98.30.captured.json', kinds: ['mde.health'], records: 1 },
  { file: 'real-examples/mde/mdatp_managed.linux.full-profile.docs-example.json', kinds: ['mde.managedConfig'], records: 1 },
  { file: 'real-examples/mde/mdatp_managed.linux.sample-profile.docs-example.json', kinds: ['mde.managedConfig'], records: 1 },
  { file: 'real-examples-repaired/arm/subscriptions.az-login-account-list.cli-output.docs-example.json', kinds: ['arm.subscriptions'], records: 1 },
  { file: 'real-examples-repaired/graph/directory-role-assignments.list-filter-roledef-expand-principal.graph-v1.0.docs-example.json', kinds: ['entra.roleAssignments'], records: 3 },
  { file: 'real-examples-repaired/mde/alerts.list-filter-lastupdatetime.odata-samples.docs-example.json', kinds: ['mde.alerts'], records: 1 },
  { file: 'real-examples-repaired/mde/device-av-health.deviceavinfo.docs-example.json', kinds: ['mde.avHealth'], records: 1 },
  { file: 'real-examples-repaired/mde/machine-groups.exposure-score-by-machine-groups.docs-example.json', kinds: ['mde.deviceGroups'], records: 2 },
  { file: 'real-examples-repaired/mde/machines.get-machines.docs-example.json', kinds: ['mde.machines'], records: 1 },
  { file: 'real-examples-repaired/mde/machines.list-filter-healthstatus.odata-samples.docs-example.json', kinds: ['mde.machines'], records: 1 },
  { file: 'real-examples-repaired/mde/recommendations.list.docs-example.json', kinds: ['mde.recommendations'], records: 1 },
  { file: 'real-examples-repaired/mde/software.list.docs-example.json', kinds: ['mde.software'], records: 1 },
  { file: 'real-examples-repaired/mde/vulnerabilities.machines-vulnerabilities.docs-example.json', kinds: ['mde.vulnerabilities'], records: 2 },
];

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
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error fact-conflict -']);
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
