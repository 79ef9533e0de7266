/**
 * Records in the real export shapes (the same fields and order as the demo snapshot's, see
 * scripts/demo-snapshot/), built from the synthetic estate's facts.
 */
import { CONTOSO_TENANT, OS, ROLES } from '../../scripts/demo-snapshot/estate';
import type { RoleName } from '../../scripts/demo-snapshot/estate';
import { NOW_ISO } from '../../scripts/demo-snapshot/util';
import { armVmProperties } from '../../scripts/demo-snapshot/arm';
import { RGS_PER_SUBSCRIPTION, type DeviceFacts, type Estate, type SubscriptionFacts } from './estate';

const NOW_MS = Date.parse(NOW_ISO);

/** `minutesAgo` before the snapshot time with .NET 7-digit ticks (`ticks`) or whole seconds, as MDE and ARM print them. */
function stamp(minutesAgo: number, digits: number, style: 'ticks' | 'ticksOffset' | 'seconds'): string {
  const base = new Date(NOW_MS - Math.round(minutesAgo * 60_000)).toISOString().slice(0, 19);
  const frac = String(digits % 10_000_000).padStart(7, '0');
  return style === 'seconds' ? `${base}Z` : style === 'ticks' ? `${base}.${frac}Z` : `${base}.${frac}+00:00`;
}

export function vmResourceId(e: Estate, s: SubscriptionFacts, d: DeviceFacts, extra: boolean): string {
  return `/subscriptions/${s.id}/resourceGroups/${e.rgName(d.sub, d.rg)}/providers/Microsoft.Compute/virtualMachines/${vmName(d, extra)}`;
}

function vmName(d: DeviceFacts, extra: boolean): string {
  return extra ? `${d.host}b` : d.host;
}

function dnsName(d: DeviceFacts): string {
  return OS[d.os].osType === 'Windows' ? `${d.host}.corp.contoso.com` : d.host;
}

function lastSeenMinutesAgo(e: Estate, d: DeviceFacts): number {
  return d.silentDays > 0 ? 60 * 24 * d.silentDays + e.random.int(d.index, 'dev:lastSeen', 600) : 15 + e.random.int(d.index, 'dev:lastSeen', 240);
}

/** `GET /api/machines` item. */
export function machine(e: Estate, s: SubscriptionFacts, d: DeviceFacts): unknown {
  const os = OS[d.os];
  const r = e.random;
  const resourceId = vmResourceId(e, s, d, false);
  const vmMetadata = !d.azure
    ? null
    : d.link === 'vmIdOnly'
      ? { vmId: e.vmIdOf(d, false), cloudProvider: 'Azure', resourceId: null, subscriptionId: s.id }
      : d.link === 'resourceIdOnly'
        ? { vmId: null, cloudProvider: 'Azure', resourceId: resourceId.toLowerCase(), subscriptionId: s.id }
        : { vmId: e.vmIdOf(d, false), cloudProvider: 'Azure', resourceId, subscriptionId: s.id };
  return {
    id: d.machineId,
    computerDnsName: dnsName(d),
    firstSeen: stamp(60 * 24 * (200 + r.int(d.index, 'dev:age', 900)), r.u32(d.index, 'dev:firstSeen'), 'ticks'),
    lastSeen: stamp(lastSeenMinutesAgo(e, d), r.u32(d.index, 'dev:lastSeenDigits'), 'ticks'),
    osPlatform: os.mdePlatform,
    version: os.mdeVersion,
    osProcessor: 'x64',
    lastIpAddress: `10.${d.sub % 250}.${d.rg}.${4 + (d.index % 250)}`,
    lastExternalIpAddress: `198.51.100.${d.sub % 250}`,
    osBuild: os.osBuild,
    healthStatus: d.silentDays > 7 ? 'Inactive' : 'Active',
    deviceValue: 'Normal',
    rbacGroupId: d.groupId,
    rbacGroupName: d.groupName,
    riskScore: (['None', 'Low', 'Medium', 'High'] as const)[r.int(d.index, 'dev:risk', 4)],
    exposureLevel: (['Low', 'Medium', 'High'] as const)[r.int(d.index, 'dev:exposure', 3)],
    isAadJoined: false,
    aadDeviceId: null,
    machineTags: d.thirdPartyAv ? [s.displayName, 'ThirdPartyAV'] : d.azure ? [s.displayName] : ['on-premises'],
    onboardingStatus: d.onboarded ? 'Onboarded' : 'CanBeOnboarded',
    osArchitecture: '64-bit',
    managedBy: 'Unknown',
    vmMetadata,
  };
}

/** When the deviceavinfo report was last refreshed (all records share it). */
const AV_REPORT_REFRESHED_MINUTES_AGO = 310;

/** `GET /api/deviceavinfo` item, or undefined when the device has none. */
export function avInfo(e: Estate, d: DeviceFacts): unknown {
  if (d.avMode === undefined) return undefined;
  const windows = OS[d.os].osType === 'Windows';
  const active = d.avMode === '0';
  const lastReport = d.silentDays > 0 ? lastSeenMinutesAgo(e, d) : AV_REPORT_REFRESHED_MINUTES_AGO;
  const digits = e.random.u32(d.index, 'av:digits');
  const upToDate = d.signaturesCurrent && d.silentDays <= 7 ? 'True' : 'False';
  return {
    id: e.random.guid(d.index, 'av:id'),
    machineId: d.machineId,
    computerDnsName: dnsName(d),
    osKind: windows ? 'windows' : 'linux',
    osPlatform: OS[d.os].mdePlatform,
    osVersion: OS[d.os].osVersion,
    avMode: d.avMode,
    avSignatureVersion: upToDate === 'True' ? '1.421.1498.0' : '1.419.233.0',
    avEngineVersion: windows ? '1.1.24090.11' : '1.1.24090.3000',
    avPlatformVersion: windows ? '4.18.24090.11' : '101.24092.0002',
    lastSeenTime: stamp(lastReport + 30, digits, 'seconds'),
    quickScanResult: active ? 'Completed' : '',
    quickScanError: '',
    quickScanTime: active ? stamp(lastReport + 200 + (digits % 600), digits, 'seconds') : null,
    fullScanResult: '',
    fullScanError: '',
    fullScanTime: null,
    dataRefreshTimestamp: stamp(AV_REPORT_REFRESHED_MINUTES_AGO, 0, 'seconds'),
    avEngineUpdateTime: stamp(lastReport + 900, digits, 'seconds'),
    avSignatureUpdateTime: stamp(lastReport + 400, digits, 'seconds'),
    avPlatformUpdateTime: stamp(lastReport + 20_000, digits, 'seconds'),
    avIsSignatureUpToDate: upToDate,
    avIsEngineUpToDate: 'True',
    // Windows Server 2012 R2 stays on an older platform update channel.
    avIsPlatformUpToDate: d.os === 'ws2012r2' ? 'False' : 'True',
    avSignaturePublishTime: stamp(lastReport + 500, digits, 'seconds'),
    rbacGroupName: d.groupName,
    rbacGroupId: d.groupId,
  };
}

/** One row of `resources | where type =~ 'microsoft.compute/virtualmachines'` (full rows). */
export function resourceGraphVm(e: Estate, s: SubscriptionFacts, d: DeviceFacts, extra: boolean): unknown {
  const os = OS[d.os];
  const name = vmName(d, extra);
  const rgPath = `/subscriptions/${s.id}/resourceGroups/${e.rgName(d.sub, d.rg)}`;
  const osDiskName = `${name}_OsDisk_1_${e.random.hex(d.index, extra ? 'vm:diskExtra' : 'vm:disk', 32)}`;
  const power = d.deallocated && !extra
    ? { code: 'PowerState/deallocated', level: 'Info', displayStatus: 'VM deallocated' }
    : { code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' };
  return {
    id: vmResourceId(e, s, d, extra),
    name,
    type: 'microsoft.compute/virtualmachines',
    tenantId: s.tenantId,
    kind: '',
    location: d.sub % 3 === 0 ? 'northeurope' : 'westeurope',
    // Resource Graph lowercases resourceGroup even where the id keeps the created casing.
    resourceGroup: e.rgName(d.sub, d.rg).toLowerCase(),
    subscriptionId: s.id,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      ...armVmProperties({
        vmId: e.vmIdOf(d, extra),
        name,
        rgPath,
        os,
        osDiskName,
        timeCreated: stamp(60 * 24 * (200 + e.random.int(d.index, 'dev:age', 900)) + 30, e.random.u32(d.index, 'vm:created'), 'ticksOffset'),
      }),
      extended: {
        instanceView: { computerName: name, osName: os.osName, osVersion: os.osVersion, hyperVGeneration: 'V2', powerState: power },
      },
    },
    tags: { environment: s.env },
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/** `GET /subscriptions` item. */
export function subscriptionRecord(s: SubscriptionFacts): unknown {
  return {
    id: `/subscriptions/${s.id}`,
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'EnterpriseAgreement_2014-09-01', spendingLimit: 'Off' },
    authorizationSource: 'RoleBased',
    managedByTenants: s.tenantId === CONTOSO_TENANT ? [] : [{ tenantId: CONTOSO_TENANT }],
    tags: { environment: s.env },
  };
}

/** Principals the generated role assignments name, shared with the Defender XDR and Entra exports. */
export function principalId(e: Estate, name: string): string {
  return e.random.guid(0, `principal:${name}`);
}

/** Group of the team that runs one resource group's VMs. */
export function teamGroup(sub: number, rg: number): string {
  return `sg-team-${String(sub).padStart(4, '0')}-${String(rg).padStart(2, '0')}`;
}

export const SOC_GROUP = 'sg-secops';

interface RoleAssignmentSpec {
  scope: string;
  principal: string;
  principalType: 'Group' | 'ServicePrincipal';
  role: RoleName;
}

/**
 * What `GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments` lists: the
 * security team's Reader at the root scope (inherited, so every subscription lists it), three at
 * subscription scope, and each resource group's team.
 */
function roleAssignmentSpecs(e: Estate, s: SubscriptionFacts): RoleAssignmentSpec[] {
  const sub = `/subscriptions/${s.id}`;
  const specs: RoleAssignmentSpec[] = [
    { scope: '/', principal: SOC_GROUP, principalType: 'Group', role: 'Reader' },
    { scope: sub, principal: 'sg-contoso-cloud-admins', principalType: 'Group', role: 'Owner' },
    { scope: sub, principal: SOC_GROUP, principalType: 'Group', role: 'Security Reader' },
    { scope: sub, principal: `sp-deploy-${s.displayName}`, principalType: 'ServicePrincipal', role: 'Contributor' },
  ];
  for (let rg = 0; rg < RGS_PER_SUBSCRIPTION; rg++) {
    // Typed in lower case, whatever the resource group's casing.
    specs.push({ scope: `${sub}/resourceGroups/${e.rgName(s.index, rg).toLowerCase()}`, principal: teamGroup(s.index, rg), principalType: 'Group', role: 'Virtual Machine Contributor' });
  }
  return specs;
}

export function roleAssignments(e: Estate, s: SubscriptionFacts): unknown {
  const records = roleAssignmentSpecs(e, s).map((ra, k) => {
    const name = e.random.guid(ra.scope === '/' ? 0 : s.index * 100 + k, ra.scope === '/' ? 'ra:root' : 'ra:name');
    const id = `${ra.scope === '/' ? '' : ra.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const roleDefinitionId = `/subscriptions/${s.id}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[ra.role]}`;
    const created = stamp(60 * 24 * (30 + e.random.int(s.index * 100 + k, 'ra:age', 900)), e.random.u32(s.index * 100 + k, 'ra:digits'), 'ticks');
    const pid = principalId(e, ra.principal);
    const admin = principalId(e, 'cloud-admin@contoso.com');
    if (s.roleAssignmentsViaAz) {
      // `az role assignment list --all`: flattened, CLI-added names, keys sorted.
      return {
        condition: null, conditionVersion: null, createdBy: admin, createdOn: created, delegatedManagedIdentityResourceId: null,
        description: null, id, name, principalId: pid, principalName: ra.principal, principalType: ra.principalType,
        roleDefinitionId, roleDefinitionName: ra.role, scope: ra.scope, type: 'Microsoft.Authorization/roleAssignments',
        updatedBy: admin, updatedOn: created,
      };
    }
    return {
      properties: {
        roleDefinitionId, principalId: pid, principalType: ra.principalType, scope: ra.scope, condition: null, conditionVersion: null,
        createdOn: created, updatedOn: created, createdBy: admin, updatedBy: admin, delegatedManagedIdentityResourceId: null, description: null,
      },
      id,
      type: 'Microsoft.Authorization/roleAssignments',
      name,
    };
  });
  return s.roleAssignmentsViaAz ? records : { value: records };
}

const PLANS = ['VirtualMachines', 'SqlServers', 'AppServices', 'StorageAccounts', 'SqlServerVirtualMachines', 'KubernetesService', 'ContainerRegistry', 'KeyVaults', 'Dns', 'Arm', 'OpenSourceRelationalDatabases', 'CosmosDbs', 'Containers', 'CloudPosture', 'Api'] as const;

/** `GET .../providers/Microsoft.Security/pricings`. */
export function pricings(s: SubscriptionFacts): unknown {
  return {
    value: PLANS.map((plan) => {
      const servers = plan === 'VirtualMachines' && s.serversPlan !== null;
      return {
        id: `/subscriptions/${s.id}/providers/Microsoft.Security/pricings/${plan}`,
        name: plan,
        type: 'Microsoft.Security/pricings',
        properties: servers
          ? {
              extensions: [{ name: 'MdeDesignatedSubscription', isEnabled: 'False' }, ...(s.serversPlan === 'P2' ? [{ name: 'AgentlessVmScanning', isEnabled: 'True', additionalExtensionProperties: { ExclusionTags: '[]' } }] : [])],
              enablementTime: stamp(60 * 24 * 400, s.index, 'ticks'),
              subPlan: s.serversPlan,
              pricingTier: 'Standard',
              freeTrialRemainingTime: 'PT0S',
            }
          : { pricingTier: 'Free', freeTrialRemainingTime: 'PT0S' },
      };
    }),
  };
}

/** `GET .../providers/Microsoft.Security/settings`. */
export function settings(s: SubscriptionFacts): unknown {
  return {
    value: (Object.keys(s.settings) as Array<keyof SubscriptionFacts['settings']>).map((name) => ({
      id: `/subscriptions/${s.id}/providers/Microsoft.Security/settings/${name}`,
      name,
      type: 'Microsoft.Security/settings',
      kind: name === 'Sentinel' ? 'AlertSyncSettings' : 'DataExportSettings',
      properties: { enabled: s.settings[name] },
    })),
  };
}

/**
 * Defender XDR unified RBAC (`GET /beta/roleManagement/defender/roleAssignments`): the security
 * team sees every device; a few resource-group teams respond on their own device group.
 */
export function xdrRoleAssignments(e: Estate): unknown {
  const teams = Math.min(4, e.subscriptions);
  const value = [
    { id: e.random.guid(0, 'xdr:id'), description: 'Security operations, all devices', displayName: 'SOC analysts', roleDefinitionId: e.random.guid(0, 'xdr:role'), principalIds: [principalId(e, SOC_GROUP)], directoryScopeIds: ['/'], appScopeIds: ['/'] },
    ...Array.from({ length: teams }, (_, t) => ({
      id: e.random.guid(t + 1, 'xdr:id'),
      description: `Respond on the servers of ${teamGroup(t, 0)}`,
      displayName: `Operators ${t}`,
      roleDefinitionId: e.random.guid(1, 'xdr:role'),
      principalIds: [principalId(e, teamGroup(t, 0))],
      directoryScopeIds: ['/'],
      appScopeIds: [String(e.groupIdOf(t, 0))],
    })),
  ];
  return { '@odata.context': 'https://graph.microsoft.com/beta/$metadata#roleManagement/defender/roleAssignments', value };
}

/** Entra directory roles (`GET /v1.0/roleManagement/directory/roleAssignments`): a few admins. */
export function entraRoleAssignments(e: Estate): unknown {
  const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
  const SECURITY_ADMIN = '194ae4cb-b126-40b2-bd5b-6091b380977d';
  const holders: Array<[string, string]> = [['breakglass01', GLOBAL_ADMIN], ['breakglass02', GLOBAL_ADMIN], ['it-director', GLOBAL_ADMIN], ['secops-lead', SECURITY_ADMIN]];
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments',
    value: holders.map(([user, role], k) => ({
      id: `${e.random.hex(k, 'entra:id', 40)}-1`,
      principalId: principalId(e, user),
      resourceScope: '/',
      directoryScopeId: '/',
      roleDefinitionId: role,
    })),
  };
}
