import { subscriptionFromAz } from '../normalize';
import { armKind, armList, identifyBy, schemaFileOf, type ExportKind, type FieldMeaning } from './define';

const VM_TYPE = 'microsoft.compute/virtualmachines';
const SCALE_SET_VM_TYPE = 'microsoft.compute/virtualmachinescalesets/virtualmachines';
const ARC_MACHINE_TYPE = 'microsoft.hybridcompute/machines';

const LIGHTHOUSE = 'https://learn.microsoft.com/azure/lighthouse/concepts/cross-tenant-management-experience';
const STATES = 'https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states';
const MDE_MACHINE = 'https://learn.microsoft.com/defender-endpoint/api/machine';

/** How a server of any kind is joined to its Defender for Endpoint device (src/snapshot/servers.ts). */
function serverJoin(kind: string, vmIdNote = ''): FieldMeaning[] {
  return [
    {
      field: 'properties.vmId',
      meaning: `The ${kind}'s unique id; the device whose vmMetadata.vmId equals it is its device.${vmIdNote}`,
      source: MDE_MACHINE,
    },
    {
      field: 'id',
      meaning: `The ${kind}'s ARM id; the device whose vmMetadata.resourceId equals it (in any letter case) is its device.`,
      source: MDE_MACHINE,
    },
    {
      field: 'properties.osProfile.computerName',
      meaning:
        'The host name. Only when no device names the server by vmId or resource id, a device with no vmMetadata whose ' +
        'computerDnsName starts with this name (and no other server of that name) is taken for its device, and findings say ' +
        'it matched by host name only; not when its platform is of another OS than the server (osDisk.osType, or osType of ' +
        'an Arc server), nor when two live devices qualify.',
      source: MDE_MACHINE,
    },
  ];
}

export const ARM_KINDS: readonly ExportKind[] = [
  {
    id: 'arm.subscriptions',
    title: 'Azure subscriptions',
    source: 'arm',
    howToExport: 'az account list --all --output json',
    schemaFile: schemaFileOf('arm.subscriptions'),
    identify: identifyBy(['id'], ['displayName', 'name']),
    // Neither REST nor az items carry a `type`: REST has subscriptionId + displayName, az has cloudName.
    detect: {
      signatures: [{ has: ['subscriptionId', 'displayName'] }, { has: ['cloudName', 'tenantId', 'isDefault'] }],
    },
    normalize: subscriptionFromAz,
    semantics: [
      {
        field: 'tenantId',
        meaning:
          "The subscription's home tenant: REST GET /subscriptions says so in tenantId. `az account list` (and " +
          "Get-AzSubscription) print in tenantId the tenant the login reached the subscription through, which under Azure " +
          'Lighthouse is the managing tenant, and the home tenant in homeTenantId; posture-lint reads homeTenantId as tenantId ' +
          '(also in az output reshaped into REST names: REST never prints homeTenantId), and leaves tenantId out when an az ' +
          'record (a bare GUID id) has no homeTenantId.',
        source: 'https://github.com/Azure/azure-cli/pull/11886, https://github.com/Azure/azure-powershell/issues/11783',
      },
      {
        field: 'accessTenantId',
        meaning: "Added by posture-lint for az records: az's own tenantId, the tenant the exporting login used.",
        source: 'https://github.com/Azure/azure-cli/pull/11886',
      },
      {
        field: 'managedByTenants',
        meaning:
          'Tenants that manage the subscription through Azure Lighthouse delegations (`[{tenantId}]`, in REST and az alike). ' +
          'A delegated subscription still onboards its servers to the Defender XDR of its home tenant.',
        source: LIGHTHOUSE,
      },
      {
        field: 'state',
        meaning:
          'Enabled: all operations. Warned and PastDue: resources still run (a warned subscription will be disabled soon; ' +
          'a past-due one has a payment outstanding). Disabled: VMs are deallocated and other services are off until it is ' +
          're-enabled; resources can only be read or deleted. Deleted: the subscription and its resources are gone. ' +
          'Posture rules judge Enabled, Warned and PastDue subscriptions (and any state they do not know); Disabled and ' +
          'Deleted ones run no server and are shown by subscription-state-shown instead.',
        source: STATES,
      },
    ],
  },
  armKind({
    id: 'arm.roleAssignments',
    title: 'Azure RBAC role assignments',
    source: 'arm',
    // Per subscription: without --subscription, az lists the current subscription's every time.
    howToExport: 'az role assignment list --all --subscription <subscription-id> --output json',
    perSubscription: true,
    armTypes: ['microsoft.authorization/roleassignments'],
    flattenedMarkers: ['principalId', 'roleDefinitionId', 'scope'],
    namePaths: ['properties.principalName', 'name'],
  }),
  armKind({
    id: 'arm.roleDefinitions',
    title: 'Azure RBAC role definitions',
    source: 'arm',
    howToExport: armList('Microsoft.Authorization/roleDefinitions', '2022-04-01'),
    armTypes: ['microsoft.authorization/roledefinitions'],
    flattenedMarkers: ['roleName', 'permissions', 'roleType'],
    // `az role definition list` prints `properties.type` (BuiltInRole/CustomRole) as `roleType`.
    rename: { roleType: 'type' },
    namePaths: ['properties.roleName', 'name'],
  }),
  armKind({
    id: 'arm.managementGroups',
    title: 'Azure management groups',
    source: 'arm',
    howToExport:
      "az rest --method get --url 'https://management.azure.com/providers/Microsoft.Management/managementGroups?api-version=2021-04-01' --output json",
    armTypes: ['microsoft.management/managementgroups'],
    flattenedMarkers: ['displayName', 'tenantId', 'details'],
  }),
  armKind({
    id: 'arm.virtualMachines',
    title: 'Azure virtual machines',
    source: 'arm',
    howToExport: armList('Microsoft.Compute/virtualMachines', '2024-07-01'),
    armTypes: [VM_TYPE],
    flattenedMarkers: ['vmId', 'storageProfile', 'osProfile', 'hardwareProfile', 'provisioningState'],
    namePaths: ['name'],
    semantics: serverJoin('VM'),
  }),
  armKind({
    id: 'arm.scaleSetVms',
    title: 'Azure virtual machine scale set instances',
    source: 'arm',
    howToExport: `az graph query -q "ComputeResources | where type =~ '${SCALE_SET_VM_TYPE}'" --first 1000 --output json`,
    armTypes: [SCALE_SET_VM_TYPE],
    armIdPattern: /\/providers\/microsoft\.compute\/virtualmachinescalesets\/[^/]+\/virtualmachines\/[^/]+$/i,
    flattenedMarkers: ['vmId', 'latestModelApplied', 'storageProfile', 'osProfile', 'provisioningState'],
    namePaths: ['properties.osProfile.computerName', 'name'],
    semantics: [
      ...serverJoin('scale-set instance'),
      {
        field: 'properties.instanceView.statuses',
        meaning: 'With $expand=instanceView, the power state as a PowerState/<state> status, as for VMs.',
        source: 'https://learn.microsoft.com/rest/api/compute/virtual-machine-scale-set-vms/list',
      },
    ],
  }),
  armKind({
    id: 'arm.arcMachines',
    title: 'Azure Arc-enabled servers',
    source: 'arm',
    howToExport: armList('Microsoft.HybridCompute/machines', '2024-07-10'),
    armTypes: [ARC_MACHINE_TYPE],
    flattenedMarkers: ['vmId', 'status', 'osName', 'agentVersion', 'machineFqdn'],
    namePaths: ['properties.displayName', 'name'],
    semantics: [
      ...serverJoin(
        'Arc-enabled server',
        ' The machines API documents vmMetadata for devices on Azure VMs; an Arc server\'s device usually has none and is told by host name.',
      ),
      {
        field: 'properties.status',
        meaning:
          'Connected; Disconnected when the agent sent no heartbeat for 15 minutes (the machine may be off or unreachable); ' +
          'Error; Expired after 45 days disconnected. Every status is checked: a disconnected server may still run.',
        source: 'https://learn.microsoft.com/azure/azure-arc/servers/overview',
      },
      {
        field: 'properties.dnsFqdn',
        meaning:
          "The server's fully qualified DNS name (else machineFqdn). A device whose computerDnsName is a full name in " +
          'another domain is another host of the same short name, and is not taken for its device by host name.',
        source: 'https://learn.microsoft.com/rest/api/hybridcompute/machines/get',
      },
      {
        field: 'properties.cloudMetadata.provider',
        meaning: 'Where the machine runs (AWS, GCP, N/A on premises); Defender for Servers covers each alike.',
        source: 'https://learn.microsoft.com/rest/api/hybridcompute/machines/get',
      },
    ],
  }),
  {
    id: 'arm.resourceGraph',
    title: 'Azure Resource Graph query results',
    source: 'arm',
    howToExport: 'az graph query -q "Resources" --first 1000 --output json',
    schemaFile: schemaFileOf('arm.resourceGraph'),
    identify: identifyBy(['id'], ['name']),
    detect: { resourceGraphEnvelope: true },
    // Rows are projections in REST shape already: nothing to lift.
    alsoFeeds: [
      { kind: 'arm.virtualMachines', armTypes: [VM_TYPE] },
      { kind: 'arm.scaleSetVms', armTypes: [SCALE_SET_VM_TYPE] },
      { kind: 'arm.arcMachines', armTypes: [ARC_MACHINE_TYPE] },
    ],
  },
];
