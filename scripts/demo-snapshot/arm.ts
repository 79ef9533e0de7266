/**
 * ARM exports: subscriptions (REST and `az account list`), VMs (Resource Graph pages and a REST
 * list) and role assignments (REST and `az role assignment list`).
 */
import {
  ARC_SERVERS, CONTOSO_TENANT, EXPORTED_SUBSCRIPTIONS, LISTED_SUBSCRIPTIONS, OS, ROLES, ROLE_ASSIGNMENTS, SCALE_SETS, VMS,
  arcServerId, arcVmIdOf, armVmId, principalId, roleAssignmentScope, scaleSetComputerName, scaleSetInstanceId, scaleSetVmIdOf,
  subscription, vmAgeMinutes, vmIdOf,
} from './estate';
import type { ArcServerSpec, OsInfo, Principal, RoleAssignmentSpec, ScaleSetSpec, Subscription, VmSpec } from './estate';
import { guid, sha1Hex, sortKeysDeep, spread, stamp } from './util';
import type { SnapshotFile } from './util';

/** Rows per Resource Graph page; the Contoso VMs need two pages. */
const ARG_PAGE_SIZE = 15;

/** The Contoso admin who created most assignments (ARM records only the object id). */
const CONTOSO_ADMIN = guid('principal:cloud-admin@contoso.com');
const FABRIKAM_ADMIN = guid('principal:admin@fabrikam.com');

const ENVIRONMENT_TAG: Record<Subscription['key'], string> = {
  prod: 'production', dev: 'development', shared: 'shared', fabrikam: 'legacy', sandbox: 'sandbox', lab: 'lab',
};

export function armFiles(): SnapshotFile[] {
  return [
    ['arm/subscriptions.json', subscriptionsRest()],
    ['arm/az-account-list.json', azAccountList()],
    ...resourceGraphPages(),
    ['arm/arc-machines.page-1.json', resourceGraphResult(ARC_SERVERS.map(arcRow))],
    ['arm/scale-set-vms.page-1.json', resourceGraphResult(SCALE_SETS.flatMap((ss) => ss.instances.map((_, i) => scaleSetRow(ss, i))))],
    ...EXPORTED_SUBSCRIPTIONS.filter((s) => s.exportedAs?.vms === 'rest').map(
      (s): SnapshotFile => [`arm/${s.id}/virtual-machines.json`, { value: vmsOf(s).map(restVm) }],
    ),
    ...EXPORTED_SUBSCRIPTIONS.map((s): SnapshotFile => [`arm/${s.id}/role-assignments.json`, roleAssignments(s)]),
  ];
}

// --- subscriptions ------------------------------------------------------------------------------

/** `GET /subscriptions` from the Contoso login; Fabrikam shows up through its Lighthouse delegation. */
function subscriptionsRest(): unknown {
  return {
    value: LISTED_SUBSCRIPTIONS.map((s) => ({
      id: `/subscriptions/${s.id}`,
      subscriptionId: s.id,
      tenantId: s.tenantId,
      displayName: s.displayName,
      state: s.state,
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: s.quotaId, spendingLimit: 'Off' },
      authorizationSource: 'RoleBased',
      managedByTenants: s.managedByTenants.map((tenantId) => ({ tenantId })),
      tags: { environment: ENVIRONMENT_TAG[s.key] },
    })),
  };
}

/**
 * `az account list --all` by the Contoso login: a bare array, bare GUID ids. `tenantId` is the
 * tenant the login reached each subscription through, Contoso for all of them, and `homeTenantId`
 * the subscription's own: fabrikam-legacy, delegated to Contoso through Lighthouse, is homed in
 * Fabrikam. Files sort before arm/subscriptions.json, so these records are the ones rules read.
 */
function azAccountList(): unknown {
  return sortKeysDeep(
    LISTED_SUBSCRIPTIONS.map((s) => ({
      cloudName: 'AzureCloud',
      homeTenantId: s.tenantId,
      id: s.id,
      isDefault: s.key === 'prod',
      managedByTenants: s.managedByTenants.map((tenantId) => ({ tenantId })),
      name: s.displayName,
      state: s.state,
      tenantId: CONTOSO_TENANT,
      user: { name: 'cloud-admin@contoso.com', type: 'user' },
    })),
  );
}

// --- virtual machines ---------------------------------------------------------------------------

function vmsOf(s: Subscription): VmSpec[] {
  return VMS.filter((vm) => vm.sub === s.key);
}

/**
 * A VM's `properties` as ARM REST returns them; Resource Graph rows carry the same plus
 * `extended`. Shared with the benchmark generator (bench/gen/records.ts), so both write one shape.
 */
export function armVmProperties(vm: { vmId: string; name: string; rgPath: string; os: OsInfo; osDiskName: string; timeCreated: string }): Record<string, unknown> {
  const { os, rgPath, osDiskName } = vm;
  const windows = os.osType === 'Windows';
  const osConfiguration = windows
    ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true, patchSettings: { patchMode: 'AutomaticByOS', assessmentMode: 'ImageDefault' } } }
    : { linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true, patchSettings: { patchMode: 'ImageDefault', assessmentMode: 'ImageDefault' } } };
  return {
    vmId: vm.vmId,
    hardwareProfile: { vmSize: windows ? 'Standard_D4s_v5' : 'Standard_D2s_v5' },
    storageProfile: {
      imageReference: os.image,
      osDisk: {
        osType: os.osType,
        name: osDiskName,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { storageAccountType: 'Premium_LRS', id: `${rgPath}/providers/Microsoft.Compute/disks/${osDiskName}` },
        deleteOption: 'Delete',
        diskSizeGB: windows ? 127 : 30,
      },
      dataDisks: [],
    },
    osProfile: { computerName: vm.name, adminUsername: 'azureadmin', ...osConfiguration, secrets: [], allowExtensionOperations: true },
    networkProfile: { networkInterfaces: [{ id: `${rgPath}/providers/Microsoft.Network/networkInterfaces/${vm.name}-nic` }] },
    provisioningState: 'Succeeded',
    timeCreated: vm.timeCreated,
  };
}

function vmProperties(vm: VmSpec): Record<string, unknown> {
  return armVmProperties({
    vmId: vmIdOf(vm),
    name: vm.name,
    rgPath: `/subscriptions/${subscription(vm.sub).id}/resourceGroups/${vm.rg}`,
    os: OS[vm.os],
    osDiskName: `${vm.name}_OsDisk_1_${sha1Hex(`disk:${vm.name}`).slice(0, 32)}`,
    timeCreated: stamp(vmAgeMinutes(vm), vm.name, 'ticksOffset'),
  });
}

/** One row of `resources | where type =~ 'microsoft.compute/virtualmachines'` (full rows). */
function resourceGraphRow(vm: VmSpec): unknown {
  const s = subscription(vm.sub);
  const os = OS[vm.os];
  return {
    id: armVmId(vm),
    name: vm.name,
    type: 'microsoft.compute/virtualmachines',
    tenantId: s.tenantId,
    kind: '',
    location: vm.location,
    // Resource Graph lowercases resourceGroup even where the id keeps the created casing.
    resourceGroup: vm.rg.toLowerCase(),
    subscriptionId: s.id,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      ...vmProperties(vm),
      extended: {
        instanceView: {
          computerName: vm.name,
          osName: os.osName,
          osVersion: os.osVersion,
          hyperVGeneration: 'V2',
          powerState: { code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' },
        },
      },
    },
    tags: { environment: ENVIRONMENT_TAG[vm.sub] },
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/** A one-page Resource Graph REST result. */
function resourceGraphResult(rows: unknown[]): unknown {
  return { totalRecords: rows.length, count: rows.length, data: rows, facets: [], resultTruncated: 'false' };
}

/** A row of `Resources | where type =~ 'microsoft.hybridcompute/machines'`. */
function arcRow(a: ArcServerSpec): unknown {
  const s = subscription(a.sub);
  const os = OS[a.os];
  const seed = `arc:${a.name}`;
  return {
    id: arcServerId(a),
    name: a.name,
    type: 'microsoft.hybridcompute/machines',
    tenantId: s.tenantId,
    kind: a.provider === 'AWS' ? 'AWS' : '',
    location: 'westeurope',
    resourceGroup: a.rg.toLowerCase(),
    subscriptionId: s.id,
    identity: { type: 'SystemAssigned', principalId: guid(`${seed}:identity`), tenantId: s.tenantId },
    properties: {
      provisioningState: 'Succeeded',
      status: 'Connected',
      lastStatusChange: stamp(60 * 24 * 3 + spread(seed, 600), seed, 'ticks'),
      agentVersion: '1.46.02829.1771',
      vmId: arcVmIdOf(a),
      vmUuid: guid(`${seed}:uuid`).toUpperCase(),
      osName: os.osType.toLowerCase(),
      osType: os.osType.toLowerCase(),
      osVersion: os.osVersion,
      osSku: os.osName,
      displayName: a.name,
      machineFqdn: a.name,
      osProfile: { computerName: a.name },
      cloudMetadata: { provider: a.provider },
      detectedProperties: { cloudprovider: a.provider, manufacturer: a.provider === 'AWS' ? 'Amazon EC2' : 'VMware, Inc.' },
      mssqlDiscovered: 'false',
    },
    tags: { environment: ENVIRONMENT_TAG[a.sub] },
  };
}

/** A row of `ComputeResources | where type =~ 'microsoft.compute/virtualmachinescalesets/virtualmachines'`. */
function scaleSetRow(ss: ScaleSetSpec, instance: number): unknown {
  const s = subscription(ss.sub);
  const id = scaleSetInstanceId(ss, instance);
  const computerName = scaleSetComputerName(ss, instance);
  const { osProfile, storageProfile, hardwareProfile } = armVmProperties({
    vmId: scaleSetVmIdOf(ss, instance),
    name: computerName,
    rgPath: `/subscriptions/${s.id}/resourceGroups/${ss.rg}`,
    os: OS[ss.os],
    osDiskName: `${ss.name}_${ss.name}_${instance}_OsDisk_1_${sha1Hex(`disk:${id}`).slice(0, 32)}`,
    timeCreated: stamp(60 * 24 * 30, id, 'ticksOffset'),
  }) as Record<string, unknown>;
  return {
    id,
    name: `${ss.name}_${instance}`,
    type: 'microsoft.compute/virtualmachinescalesets/virtualmachines',
    tenantId: s.tenantId,
    location: ss.location,
    resourceGroup: ss.rg.toLowerCase(),
    subscriptionId: s.id,
    instanceId: String(instance),
    properties: {
      vmId: scaleSetVmIdOf(ss, instance),
      latestModelApplied: true,
      osProfile,
      storageProfile,
      hardwareProfile,
      provisioningState: 'Succeeded',
    },
    tags: { environment: ENVIRONMENT_TAG[ss.sub] },
  };
}

/** Resource Graph REST pages (`POST /providers/Microsoft.ResourceGraph/resources`) over the Contoso subscriptions. */
function resourceGraphPages(): SnapshotFile[] {
  const rows = VMS.filter((vm) => subscription(vm.sub).exportedAs?.vms === 'resource-graph').map(resourceGraphRow);
  const pages = [rows.slice(0, ARG_PAGE_SIZE), rows.slice(ARG_PAGE_SIZE)];
  return pages.map((data, i): SnapshotFile => {
    const last = i === pages.length - 1;
    const skipToken = Buffer.from(`{"$id":"1","MaxRows":${ARG_PAGE_SIZE},"RowsToSkip":${ARG_PAGE_SIZE * (i + 1)},"kind":"value"}`).toString('base64');
    return [
      `arm/vms.page-${i + 1}.json`,
      {
        totalRecords: rows.length,
        count: data.length,
        data,
        facets: [],
        resultTruncated: 'false',
        ...(last ? {} : { $skipToken: skipToken }),
      },
    ];
  });
}

/** `GET /subscriptions/{id}/providers/Microsoft.Compute/virtualMachines` item. */
function restVm(vm: VmSpec): unknown {
  return {
    name: vm.name,
    id: armVmId(vm),
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: { environment: ENVIRONMENT_TAG[vm.sub] },
    properties: vmProperties(vm),
  };
}

// --- role assignments ---------------------------------------------------------------------------

/** The fields both role-assignment forms share. */
function roleAssignmentCore(s: Subscription, ra: RoleAssignmentSpec) {
  const scope = roleAssignmentScope(ra);
  const name = guid(`roleAssignment:${scope}:${ra.principal.name}:${ra.role}`);
  return {
    scope,
    name,
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    roleDefinitionId: `/subscriptions/${s.id}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[ra.role]}`,
    principalId: principalId(ra.principal),
    // ARM records only the creator's object id.
    createdBy: s.tenantId === CONTOSO_TENANT ? CONTOSO_ADMIN : FABRIKAM_ADMIN,
    minutesAgo: 60 * 24 * ra.ageDays + spread(name, 600),
  };
}

/** An item of `GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments`. */
function restRoleAssignment(s: Subscription, ra: RoleAssignmentSpec): unknown {
  const c = roleAssignmentCore(s, ra);
  return {
    properties: {
      roleDefinitionId: c.roleDefinitionId,
      principalId: c.principalId,
      principalType: ra.principal.type,
      scope: c.scope,
      condition: null,
      conditionVersion: null,
      createdOn: stamp(c.minutesAgo, c.name, 'ticks'),
      updatedOn: stamp(c.minutesAgo, c.name, 'ticks'),
      createdBy: c.createdBy,
      updatedBy: c.createdBy,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
    id: c.id,
    type: 'Microsoft.Authorization/roleAssignments',
    name: c.name,
  };
}

/** What `az` prints as principalName: a group's name, a user's UPN, a service principal's app id. */
function principalName(p: Principal): string {
  return p.type === 'ServicePrincipal' ? guid(`appId:${p.name}`) : p.name;
}

/** An item of `az role assignment list --all`: flattened, with CLI-added names (keys sorted on output). */
function azRoleAssignment(s: Subscription, ra: RoleAssignmentSpec): unknown {
  const c = roleAssignmentCore(s, ra);
  return {
    condition: null,
    conditionVersion: null,
    createdBy: c.createdBy,
    createdOn: stamp(c.minutesAgo, c.name, 'python'),
    delegatedManagedIdentityResourceId: null,
    description: null,
    id: c.id,
    name: c.name,
    principalId: c.principalId,
    principalName: principalName(ra.principal),
    principalType: ra.principal.type,
    ...(ra.rg === undefined ? {} : { resourceGroup: ra.rg }),
    roleDefinitionId: c.roleDefinitionId,
    roleDefinitionName: ra.role,
    scope: c.scope,
    type: 'Microsoft.Authorization/roleAssignments',
    updatedBy: c.createdBy,
    updatedOn: stamp(c.minutesAgo, c.name, 'python'),
  };
}

function roleAssignments(s: Subscription): unknown {
  const specs = ROLE_ASSIGNMENTS.filter((ra) => ra.sub === s.key);
  return s.exportedAs?.roleAssignments === 'az'
    ? sortKeysDeep(specs.map((ra) => azRoleAssignment(s, ra)))
    : { value: specs.map((ra) => restRoleAssignment(s, ra)) };
}
