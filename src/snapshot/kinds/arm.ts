import { subscriptionFromAz } from '../normalize';
import { armKind, armList, identifyBy, schemaFileOf, type ExportKind } from './define';

const VM_TYPE = 'microsoft.compute/virtualmachines';

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
  },
  armKind({
    id: 'arm.roleAssignments',
    title: 'Azure RBAC role assignments',
    source: 'arm',
    howToExport: 'az role assignment list --all --output json',
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
      'az rest --method get --url "https://management.azure.com/providers/Microsoft.Management/managementGroups?api-version=2021-04-01"',
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
    alsoFeeds: [{ kind: 'arm.virtualMachines', armTypes: [VM_TYPE] }],
  },
];
