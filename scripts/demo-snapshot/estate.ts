/**
 * The Contoso demo estate as data. Every export file of the demo snapshot is rendered from these
 * tables (alerts, vulnerabilities and Graph role assignments from the tables of the modules that
 * render them); the planted rule violations are marked `PLANT` and listed in the snapshot's README.
 */
import { guid, sha1Hex, spread } from './util';

export const CONTOSO_TENANT = '6f1f0d64-1c1e-4c36-9a8e-0a7d1b3c2e11';
export const FABRIKAM_TENANT = 'b2c3d4e5-0000-4a5b-8c9d-fab71c4e0002';
/** Northwind Managed Services, an MSP that manages shared-services through Azure Lighthouse. */
export const NORTHWIND_MSP_TENANT = '7b2e9f40-3a6c-4d18-9e5b-1f4c8a2d6e93';

// ---------------------------------------------------------------------------------------------
// Subscriptions

export type SubKey = 'prod' | 'dev' | 'shared' | 'fabrikam' | 'sandbox' | 'lab';

export interface Subscription {
  key: SubKey;
  id: string;
  displayName: string;
  tenantId: string;
  managedByTenants: string[];
  /** ARM `state`; a Disabled subscription is listed but the export script exports nothing of it. */
  state: 'Enabled' | 'Disabled';
  quotaId: string;
  /** Defender for Servers plan (`pricings/VirtualMachines`); null = Free. */
  serversPlan: 'P1' | 'P2' | null;
  /** Defender for Cloud integration settings (`settings/<NAME>.properties.enabled`). */
  settings: {
    MCAS: boolean;
    WDATP: boolean;
    WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: boolean;
    WDATP_UNIFIED_SOLUTION: boolean;
    Sentinel: boolean;
  };
  /**
   * How the export script captured this subscription's VMs and role assignments; null = the
   * export login holds no role on it, so no ARM or Defender for Cloud export covers it.
   */
  exportedAs: { vms: 'resource-graph' | 'rest'; roleAssignments: 'rest' | 'az' } | null;
}

export const SUBSCRIPTIONS: readonly Subscription[] = [
  {
    key: 'prod', id: '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80', displayName: 'contoso-prod',
    tenantId: CONTOSO_TENANT, managedByTenants: [], state: 'Enabled', quotaId: 'EnterpriseAgreement_2014-09-01',
    serversPlan: 'P2',
    settings: { MCAS: true, WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: true, Sentinel: true },
    exportedAs: { vms: 'resource-graph', roleAssignments: 'rest' },
  },
  {
    key: 'dev', id: 'a83c5e17-2b94-4d6f-8a1c-5e0b9d7f2c43', displayName: 'contoso-dev',
    tenantId: CONTOSO_TENANT, managedByTenants: [], state: 'Enabled', quotaId: 'MSDNDevTest_2014-09-01',
    serversPlan: null,
    settings: { MCAS: false, WDATP: false, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: false, Sentinel: false },
    exportedAs: { vms: 'resource-graph', roleAssignments: 'rest' },
  },
  {
    // Look-alike for subscription-tenant-matches-xdr: managed by another tenant, but homed in Contoso.
    key: 'shared', id: '1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17', displayName: 'contoso-shared-services',
    tenantId: CONTOSO_TENANT, managedByTenants: [NORTHWIND_MSP_TENANT], state: 'Enabled', quotaId: 'EnterpriseAgreement_2014-09-01',
    serversPlan: 'P1',
    // A legacy subscription: Linux still excluded from the MDE integration, unified agent off.
    settings: { MCAS: true, WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true, WDATP_UNIFIED_SOLUTION: false, Sentinel: false },
    exportedAs: { vms: 'resource-graph', roleAssignments: 'az' },
  },
  {
    // PLANT subscription-tenant-matches-xdr: homed in the Fabrikam tenant (delegated to Contoso via Lighthouse).
    key: 'fabrikam', id: 'c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35', displayName: 'fabrikam-legacy',
    tenantId: FABRIKAM_TENANT, managedByTenants: [CONTOSO_TENANT], state: 'Enabled', quotaId: 'PayAsYouGo_2014-09-01',
    serversPlan: 'P1',
    // PLANT mde-integration-enabled: Fabrikam onboarded its servers to its own Defender for Endpoint
    // with a script before the acquisition and switched the Defender for Cloud integration off.
    settings: { MCAS: false, WDATP: false, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: true, Sentinel: false },
    exportedAs: { vms: 'rest', roleAssignments: 'rest' },
  },
  {
    // PLANT export-set-consistent: a project team's sandbox. Defender for Servers reached it through
    // management-group policy, so its VM reports to Contoso's MDE, but nobody gave the export
    // login a role on it: it is in no ARM or Defender for Cloud export.
    key: 'sandbox', id: 'e7a41c09-5d3b-4f86-b2e0-7c9f1a4d6b28', displayName: 'contoso-sandbox',
    tenantId: CONTOSO_TENANT, managedByTenants: [], state: 'Enabled', quotaId: 'EnterpriseAgreement_2014-09-01',
    serversPlan: 'P2',
    settings: { MCAS: true, WDATP: true, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: true, Sentinel: false },
    exportedAs: null,
  },
  {
    // PLANT subscription-state-shown: an old lab whose credit ran out. Disabled, so its VMs are
    // deallocated; the export script lists it (az account list --all) but exports nothing of it,
    // and the posture rules do not judge it.
    key: 'lab', id: '3a8f6c21-9d47-4e0b-8c5a-1f2e7d9b4c60', displayName: 'contoso-legacy-lab',
    tenantId: CONTOSO_TENANT, managedByTenants: [], state: 'Disabled', quotaId: 'MSDNDevTest_2014-09-01',
    serversPlan: null,
    settings: { MCAS: false, WDATP: false, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, WDATP_UNIFIED_SOLUTION: false, Sentinel: false },
    exportedAs: null,
  },
];

/** The subscriptions the export login lists: the exported ones and the disabled lab. */
export const LISTED_SUBSCRIPTIONS: readonly Subscription[] = SUBSCRIPTIONS.filter((s) => s.exportedAs !== null || s.state === 'Disabled');

/** The subscriptions the export login can see: the ones the ARM and Defender for Cloud exports cover. */
export const EXPORTED_SUBSCRIPTIONS: readonly Subscription[] = SUBSCRIPTIONS.filter((s) => s.exportedAs !== null);

export function subscription(key: SubKey): Subscription {
  const found = SUBSCRIPTIONS.find((s) => s.key === key);
  if (!found) throw new Error(`unknown subscription ${key}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Operating systems: how each appears in ARM (image, osType) and in MDE (osPlatform, version).

export type OsKey =
  | 'ws2022' | 'ws2019' | 'ws2016' | 'ws2012r2'
  | 'ubuntu2204' | 'ubuntu2004' | 'ubuntu1804' | 'rhel8' | 'rhel9'
  | 'debian11' | 'debian12' | 'centos7' | 'sles15' | 'sles12';

export interface OsInfo {
  osType: 'Windows' | 'Linux';
  image: { publisher: string; offer: string; sku: string; version: string };
  /** ARG `extended.instanceView.osName` / `osVersion`. */
  osName: string;
  osVersion: string;
  mdePlatform: string;
  mdeVersion: string;
  osBuild: number | null;
}

function windows(sku: string, osName: string, osVersion: string, mdePlatform: string, mdeVersion: string, osBuild: number): OsInfo {
  return {
    osType: 'Windows', image: { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku, version: 'latest' },
    osName, osVersion, mdePlatform, mdeVersion, osBuild,
  };
}

function linux(publisher: string, offer: string, sku: string, osName: string, osVersion: string, mdePlatform: string): OsInfo {
  return { osType: 'Linux', image: { publisher, offer, sku, version: 'latest' }, osName, osVersion, mdePlatform, mdeVersion: osVersion, osBuild: null };
}

export const OS: Readonly<Record<OsKey, OsInfo>> = {
  ws2022: windows('2022-datacenter-azure-edition', 'Windows Server 2022 Datacenter Azure Edition', '10.0.20348.2849', 'WindowsServer2022', '21H2', 20348),
  ws2019: windows('2019-Datacenter', 'Windows Server 2019 Datacenter', '10.0.17763.6532', 'WindowsServer2019', '1809', 17763),
  ws2016: windows('2016-Datacenter', 'Windows Server 2016 Datacenter', '10.0.14393.7515', 'WindowsServer2016', '1607', 14393),
  ws2012r2: windows('2012-R2-Datacenter', 'Windows Server 2012 R2 Datacenter', '6.3.9600.21620', 'WindowsServer2012R2', '6.3', 9600),
  ubuntu2204: linux('Canonical', '0001-com-ubuntu-server-jammy', '22_04-lts-gen2', 'ubuntu', '22.04', 'Ubuntu'),
  ubuntu2004: linux('Canonical', '0001-com-ubuntu-server-focal', '20_04-lts-gen2', 'ubuntu', '20.04', 'Ubuntu'),
  ubuntu1804: linux('Canonical', 'UbuntuServer', '18.04-LTS', 'ubuntu', '18.04', 'Ubuntu'),
  rhel8: linux('RedHat', 'RHEL', '8-lvm-gen2', 'redhat', '8.10', 'RedHatEnterpriseLinux'),
  rhel9: linux('RedHat', 'RHEL', '9-lvm-gen2', 'redhat', '9.4', 'RedHatEnterpriseLinux'),
  debian11: linux('Debian', 'debian-11', '11-gen2', 'debian', '11', 'Debian'),
  debian12: linux('Debian', 'debian-12', '12-gen2', 'debian', '12', 'Debian'),
  centos7: linux('OpenLogic', 'CentOS', '7_9-gen2', 'centos', '7.9', 'CentOS'),
  sles15: linux('SUSE', 'sles-15-sp5', 'gen2', 'sles', '15.5', 'SuSE'),
  sles12: linux('SUSE', 'sles-12-sp5', 'gen2', 'sles', '12.5', 'SuSE'),
};

// ---------------------------------------------------------------------------------------------
// MDE device groups (machine groups) and what each device reports about antivirus.

export const DEVICE_GROUPS = {
  'Prod-Web': 112,
  'Prod-SQL': 113,
  'Prod-App': 114,
  'Prod-Mgmt': 115,
  'Dev-Servers': 121,
  'Shared-Identity': 131,
  'Shared-Ops': 132,
  'Shared-Infra': 133,
  'Corp-OnPrem': 141,
  Sandbox: 151,
} as const;
export type GroupName = keyof typeof DEVICE_GROUPS;

/** deviceavinfo `avMode`: "0" Active, "1" Passive, "2" Disabled. */
export type AvMode = '0' | '1' | '2';

export interface DeviceSpec {
  /** null = ungrouped: the API shows `rbacGroupId: 0, rbacGroupName: null`. */
  group: GroupName | null;
  /**
   * Which `vmMetadata` fields MDE filled: `full` (vmId + resourceId in ARM casing), `vmIdOnly`
   * (resourceId null), `resourceIdOnly` (vmId null, resourceId all lower case).
   */
  link: 'full' | 'vmIdOnly' | 'resourceIdOnly';
  /** deviceavinfo avMode; absent = the device has no deviceavinfo record. */
  avMode?: AvMode;
  /** An `mdatp health --output json` capture exists, showing this realTimeProtectionEnabled.value. */
  rtpCapture?: boolean;
  /** Windows servers are joined to corp.contoso.com, so MDE reports an FQDN. */
  domainJoined?: boolean;
  /**
   * Days since the sensor last reported; absent = it reported within the last few hours. Past
   * INACTIVE_AFTER_DAYS MDE marks the device Inactive and its last antivirus report shows
   * signatures out of date.
   */
  silentDays?: number;
  /**
   * The server was re-onboarded this many days ago: its previous device record is still listed,
   * Inactive, with `mergedIntoMachineId` pointing at the current one.
   */
  reonboardedDaysAgo?: number;
  /** An admin excluded the device, giving this reason (`isExcluded`, `exclusionReason`). */
  excluded?: string;
  /** Device discovery found the device; it was never onboarded (`onboardingStatus`). */
  discovered?: 'CanBeOnboarded' | 'InsufficientInfo';
}

/**
 * MDE marks a device Inactive after 7 days without signals, and Defender Antivirus by default
 * counts signatures older than 7 days as out of date.
 */
export const INACTIVE_AFTER_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Virtual machines. `rg` is the resource group as ARM ids spell it (case as created).

export interface VmSpec {
  name: string;
  sub: SubKey;
  rg: string;
  location: string;
  os: OsKey;
  /** The VM's MDE device in the Contoso (XDR) tenant; absent = not onboarded there. */
  device?: DeviceSpec;
}

const win = (group: GroupName | null, link: DeviceSpec['link'], avMode?: AvMode): DeviceSpec =>
  avMode === undefined ? { group, link, domainJoined: true } : { group, link, avMode, domainJoined: true };

export const VMS: readonly VmSpec[] = [
  // contoso-prod ------------------------------------------------------------------------------
  // PLANT device-groups-cover-rbac-scopes (leak): Prod-Web holds devices of rg-web-prod-weu and of
  // RG-WEB-PROD-NEU, and each of those resource groups has its own role assignment.
  { name: 'web-prod-01', sub: 'prod', rg: 'rg-web-prod-weu', location: 'westeurope', os: 'ws2022', device: win('Prod-Web', 'full', '0') },
  { name: 'web-prod-02', sub: 'prod', rg: 'rg-web-prod-weu', location: 'westeurope', os: 'ws2022', device: win('Prod-Web', 'vmIdOnly', '0') },
  // Look-alike for linux-realtime-protection-on: deviceavinfo says passive, a newer mdatp capture shows RTP on.
  { name: 'web-prod-03', sub: 'prod', rg: 'rg-web-prod-weu', location: 'westeurope', os: 'ubuntu2204', device: { group: 'Prod-Web', link: 'full', avMode: '1', rtpCapture: true } },
  { name: 'web-prod-neu-01', sub: 'prod', rg: 'RG-WEB-PROD-NEU', location: 'northeurope', os: 'ws2019', device: win('Prod-Web', 'full', '0') },
  { name: 'web-prod-neu-02', sub: 'prod', rg: 'RG-WEB-PROD-NEU', location: 'northeurope', os: 'ubuntu2004', device: { group: 'Prod-Web', link: 'resourceIdOnly', avMode: '0' } },
  // Look-alike for device-groups-cover-rbac-scopes: Prod-SQL holds only this resource group's devices
  // (plus an on-premises server, which has no ARM scope and does not count).
  { name: 'SQL-PROD-01', sub: 'prod', rg: 'RG-SQL-PROD', location: 'westeurope', os: 'ws2019', device: win('Prod-SQL', 'resourceIdOnly', '0') },
  { name: 'SQL-PROD-02', sub: 'prod', rg: 'RG-SQL-PROD', location: 'westeurope', os: 'ws2016', device: win('Prod-SQL', 'full', '0') },
  { name: 'app-prod-01', sub: 'prod', rg: 'rg-app-prod', location: 'westeurope', os: 'rhel8', device: { group: 'Prod-App', link: 'full', avMode: '0' } },
  // PLANT linux-realtime-protection-on: antivirus in passive mode, no capture.
  { name: 'app-prod-02', sub: 'prod', rg: 'rg-app-prod', location: 'westeurope', os: 'rhel9', device: { group: 'Prod-App', link: 'vmIdOnly', avMode: '1' } },
  // Look-alike for mde-device-healthy: re-onboarded 40 days ago; its old record (Inactive) was merged into the new one.
  { name: 'app-prod-03', sub: 'prod', rg: 'rg-app-prod', location: 'westeurope', os: 'ws2022', device: { ...win('Prod-App', 'full', '0'), reonboardedDaysAgo: 40 } },
  { name: 'jump-prod-01', sub: 'prod', rg: 'rg-mgmt-prod', location: 'westeurope', os: 'ws2022', device: win('Prod-Mgmt', 'full', '0') },
  { name: 'jump-prod-02', sub: 'prod', rg: 'rg-mgmt-prod', location: 'westeurope', os: 'debian12', device: { group: 'Prod-Mgmt', link: 'full', avMode: '0', rtpCapture: true } },

  // contoso-dev: role assignments only at subscription scope, so one group may span its resource groups.
  // Look-alike for linux-realtime-protection-on: no deviceavinfo record, but a capture shows RTP on.
  { name: 'dev-web-01', sub: 'dev', rg: 'rg-dev-web', location: 'westeurope', os: 'ubuntu2204', device: { group: 'Dev-Servers', link: 'full', rtpCapture: true } },
  { name: 'dev-web-02', sub: 'dev', rg: 'rg-dev-web', location: 'westeurope', os: 'ws2022' }, // never onboarded
  // PLANT linux-realtime-protection-on: antivirus disabled.
  { name: 'dev-data-01', sub: 'dev', rg: 'rg-dev-data', location: 'westeurope', os: 'debian11', device: { group: 'Dev-Servers', link: 'full', avMode: '2' } },
  // Look-alike for linux-realtime-protection-on: passive, but Windows.
  { name: 'dev-data-02', sub: 'dev', rg: 'rg-dev-data', location: 'westeurope', os: 'ws2019', device: win('Dev-Servers', 'full', '1') },
  { name: 'dev-build-01', sub: 'dev', rg: 'rg-dev-build', location: 'westeurope', os: 'centos7', device: { group: 'Dev-Servers', link: 'vmIdOnly', avMode: '0' } },
  { name: 'dev-build-02', sub: 'dev', rg: 'rg-dev-build', location: 'westeurope', os: 'sles15', device: { group: 'Dev-Servers', link: 'full', avMode: '0' } },

  // contoso-shared-services -------------------------------------------------------------------
  { name: 'dc-shr-01', sub: 'shared', rg: 'rg-identity-shared', location: 'northeurope', os: 'ws2022', device: win('Shared-Identity', 'full', '0') },
  { name: 'dc-shr-02', sub: 'shared', rg: 'rg-identity-shared', location: 'northeurope', os: 'ws2019', device: win('Shared-Identity', 'vmIdOnly') },
  { name: 'ops-shr-01', sub: 'shared', rg: 'rg-ops-shared', location: 'northeurope', os: 'ubuntu2204', device: { group: 'Shared-Ops', link: 'full', avMode: '0' } },
  // PLANT device-groups-cover-rbac-scopes (ungrouped): rg-ops-shared and the subscription hold role assignments.
  { name: 'ops-shr-02', sub: 'shared', rg: 'rg-ops-shared', location: 'northeurope', os: 'ws2012r2', device: win(null, 'full', '0') },
  // PLANT linux-realtime-protection-on: no deviceavinfo record and no capture (no evidence).
  { name: 'log-shr-01', sub: 'shared', rg: 'rg-ops-shared', location: 'northeurope', os: 'sles12', device: { group: 'Shared-Ops', link: 'full' } },
  { name: 'mon-shr-01', sub: 'shared', rg: 'rg-mon-shared', location: 'northeurope', os: 'ubuntu2004', device: { group: 'Shared-Infra', link: 'resourceIdOnly', avMode: '0' } },
  { name: 'bkp-shr-01', sub: 'shared', rg: 'rg-mon-shared', location: 'northeurope', os: 'ws2016', device: win('Shared-Infra', 'full', '0') },

  // fabrikam-legacy: onboarded to Fabrikam's own MDE tenant, so no devices in the Contoso export.
  { name: 'fab-app-01', sub: 'fabrikam', rg: 'rg-fab-legacy-app', location: 'eastus', os: 'ws2016' },
  { name: 'fab-web-01', sub: 'fabrikam', rg: 'rg-fab-legacy-app', location: 'eastus', os: 'ubuntu1804' },
  { name: 'fab-db-01', sub: 'fabrikam', rg: 'rg-fab-legacy-data', location: 'eastus', os: 'ws2012r2' },
  { name: 'fab-file-01', sub: 'fabrikam', rg: 'rg-fab-legacy-data', location: 'eastus', os: 'ws2019' },
  { name: 'fab-ci-01', sub: 'fabrikam', rg: 'rg-fab-legacy-data', location: 'eastus', os: 'centos7' },

  // contoso-sandbox: in no ARM export (the export login has no role there), yet onboarded to Contoso's MDE.
  { name: 'sbx-test-01', sub: 'sandbox', rg: 'rg-sandbox-test', location: 'westeurope', os: 'ws2022', device: { group: 'Sandbox', link: 'full', avMode: '0' } },
];

/** Devices that are not Azure VMs (`vmMetadata: null`). */
export interface OnPremDeviceSpec {
  host: string;
  os: OsKey;
  device: Omit<DeviceSpec, 'link'>;
  /** Set when MDE reports a platform other than the OS table's, e.g. plain `Linux`. */
  reportedPlatform?: string;
}

export const ON_PREM_DEVICES: readonly OnPremDeviceSpec[] = [
  // In Prod-SQL through the group's name rule; has no ARM scope, so it does not make Prod-SQL leak.
  { host: 'sql-onprem-01', os: 'ws2016', device: { group: 'Prod-SQL', avMode: '0', domainJoined: true } },
  // Ungrouped like ops-shr-02, but not an Azure VM: outside every ARM scope.
  // Look-alike for mde-device-healthy: a branch-office server silent for 6 days, still within 7.
  { host: 'fs-onprem-01', os: 'ws2012r2', device: { group: null, avMode: '1', domainJoined: true, silentDays: 6 } },
  // An appliance whose distribution MDE does not recognise: osPlatform is plain `Linux`.
  // PLANT mde-device-healthy: its sensor stopped reporting 12 days ago (Inactive).
  { host: 'nas-onprem-01', os: 'ubuntu2004', device: { group: 'Corp-OnPrem', avMode: '0', silentDays: 12 }, reportedPlatform: 'Linux' },
  // PLANT mde-device-excluded: a training-room server excluded as out of scope; silent for 20 days,
  // which mde-device-healthy no longer reports (an accepted risk, shown, not a health failure).
  { host: 'train-onprem-01', os: 'ws2016', device: { group: 'Corp-OnPrem', avMode: '0', domainJoined: true, silentDays: 20, excluded: 'Out of scope: training room, wiped every term' } },
];

// ---------------------------------------------------------------------------------------------
// Servers that are not plain VMs: Azure Arc-enabled servers and scale-set instances (contoso-prod).

export interface ArcServerSpec {
  name: string;
  sub: SubKey;
  rg: string;
  os: OsKey;
  /** Where the machine runs (`properties.cloudMetadata.provider`). */
  provider: 'AWS' | 'N/A';
  /** Its MDE device: no vmMetadata, so it matches by host name only. */
  device?: Omit<DeviceSpec, 'link'>;
}

export const ARC_SERVERS: readonly ArcServerSpec[] = [
  // PLANT vm-onboarded-to-mde: an AWS machine connected through Arc; the MDE.Linux extension never installed.
  { name: 'aws-app-01', sub: 'prod', rg: 'rg-arc-prod', os: 'ubuntu2204', provider: 'AWS' },
  // Look-alike for vm-onboarded-to-mde: onboarded; its device carries no vmMetadata and matches by host name.
  { name: 'file-onprem-02', sub: 'prod', rg: 'rg-arc-prod', os: 'ws2019', provider: 'N/A', device: { group: 'Corp-OnPrem', avMode: '0', domainJoined: true } },
  // PLANT vm-onboarded-to-mde, discovered-devices-onboarded: device discovery found this Linux server,
  // nobody onboarded it (linux-realtime-protection-on used to call it "no real-time protection").
  { name: 'etl-onprem-03', sub: 'prod', rg: 'rg-arc-prod', os: 'rhel8', provider: 'N/A', device: { group: null, discovered: 'CanBeOnboarded' } },
];

export interface ScaleSetSpec {
  name: string;
  sub: SubKey;
  rg: string;
  location: string;
  os: OsKey;
  /** Per instance (instance id = index): its MDE device, or none. */
  instances: (DeviceSpec | null)[];
}

export const SCALE_SETS: readonly ScaleSetSpec[] = [
  // PLANT vm-onboarded-to-mde: instance 1 has no device; instance 0 is onboarded into Prod-Web.
  { name: 'vmss-web-prod', sub: 'prod', rg: 'rg-web-prod-weu', location: 'westeurope', os: 'ubuntu2204', instances: [{ group: 'Prod-Web', link: 'full', avMode: '0' }, null] },
];

export function arcServerId(a: ArcServerSpec): string {
  return `/subscriptions/${subscription(a.sub).id}/resourceGroups/${a.rg}/providers/Microsoft.HybridCompute/machines/${a.name}`;
}

export function scaleSetInstanceId(ss: ScaleSetSpec, instance: number): string {
  return `/subscriptions/${subscription(ss.sub).id}/resourceGroups/${ss.rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${ss.name}/virtualMachines/${instance}`;
}

export function scaleSetVmIdOf(ss: ScaleSetSpec, instance: number): string {
  return guid(`vmId:${ss.sub}/${ss.name}/${instance}`);
}

export function arcVmIdOf(a: ArcServerSpec): string {
  return guid(`arcVmId:${a.sub}/${a.name}`);
}

/** A scale-set instance's computer name: the prefix and the instance id in base 36, six digits. */
export function scaleSetComputerName(ss: ScaleSetSpec, instance: number): string {
  return `${ss.name}${instance.toString(36).padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Role assignments (Azure RBAC).

export const ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Virtual Machine Contributor': '9980e02c-c2be-4d73-94e8-173b1dc7cf3c',
  'Virtual Machine Administrator Login': '1c0163c0-47e6-4577-8991-ea5c82e286e4',
  'Security Reader': '39bc4728-0917-49c7-9d2c-d95423bc2eb4',
} as const;
export type RoleName = keyof typeof ROLES;

export interface Principal {
  /** Group display name, user UPN, or (service principal) app registration name. */
  name: string;
  type: 'Group' | 'User' | 'ServicePrincipal';
}

export interface RoleAssignmentSpec {
  sub: SubKey;
  /** Resource-group scope, spelled as the assignment's creator typed it; absent = subscription scope. */
  rg?: string;
  principal: Principal;
  role: RoleName;
  /** Days before the snapshot the assignment was created. */
  ageDays: number;
}

const group = (name: string): Principal => ({ name, type: 'Group' });
const user = (name: string): Principal => ({ name, type: 'User' });
const app = (name: string): Principal => ({ name, type: 'ServicePrincipal' });

export const ROLE_ASSIGNMENTS: readonly RoleAssignmentSpec[] = [
  { sub: 'prod', principal: group('sg-contoso-cloud-admins'), role: 'Owner', ageDays: 912 },
  { sub: 'prod', principal: group('sg-secops'), role: 'Security Reader', ageDays: 640 },
  { sub: 'prod', principal: app('sp-azdo-deploy-prod'), role: 'Contributor', ageDays: 455 },
  { sub: 'prod', rg: 'rg-web-prod-weu', principal: group('sg-web-operators-weu'), role: 'Virtual Machine Contributor', ageDays: 301 },
  // Typed in lower case; the resource group's ARM id spells it RG-WEB-PROD-NEU.
  { sub: 'prod', rg: 'rg-web-prod-neu', principal: group('sg-web-operators-neu'), role: 'Virtual Machine Contributor', ageDays: 122 },
  { sub: 'prod', rg: 'rg-sql-prod', principal: group('sg-dba'), role: 'Virtual Machine Contributor', ageDays: 388 },
  { sub: 'prod', rg: 'rg-app-prod', principal: group('sg-app-team'), role: 'Contributor', ageDays: 276 },
  { sub: 'prod', rg: 'rg-app-prod', principal: user('priya.raman@contoso.com'), role: 'Virtual Machine Administrator Login', ageDays: 37 },

  { sub: 'dev', principal: group('sg-contoso-cloud-admins'), role: 'Owner', ageDays: 905 },
  { sub: 'dev', principal: group('sg-developers'), role: 'Contributor', ageDays: 600 },
  { sub: 'dev', principal: user('alex.kim@contoso.com'), role: 'Reader', ageDays: 58 },

  { sub: 'shared', principal: group('sg-contoso-cloud-admins'), role: 'Owner', ageDays: 898 },
  { sub: 'shared', principal: group('sg-secops'), role: 'Security Reader', ageDays: 640 },
  { sub: 'shared', rg: 'rg-identity-shared', principal: group('sg-identity-admins'), role: 'Virtual Machine Administrator Login', ageDays: 512 },
  { sub: 'shared', rg: 'rg-ops-shared', principal: group('sg-ops-shared'), role: 'Contributor', ageDays: 233 },

  { sub: 'fabrikam', principal: group('Fabrikam IT Admins'), role: 'Owner', ageDays: 1500 },
  { sub: 'fabrikam', rg: 'rg-fab-legacy-app', principal: user('dana.lopez@fabrikam.com'), role: 'Contributor', ageDays: 700 },
];

// ---------------------------------------------------------------------------------------------
// Derived identities, shared by every export that mentions the same thing.

export function vmByName(name: string): VmSpec {
  const vm = VMS.find((v) => v.name === name);
  if (!vm) throw new Error(`unknown VM ${name}`);
  return vm;
}

export function armVmId(vm: VmSpec): string {
  return `/subscriptions/${subscription(vm.sub).id}/resourceGroups/${vm.rg}/providers/Microsoft.Compute/virtualMachines/${vm.name}`;
}

/** Minutes between the VM's creation and the snapshot (200 days to about 3 years). */
export function vmAgeMinutes(vm: VmSpec): number {
  return 60 * (200 * 24 + spread(`created:${vm.sub}/${vm.name}`, 900 * 24));
}

export function vmIdOf(vm: VmSpec): string {
  return guid(`vmId:${vm.sub}/${vm.name}`);
}

/** MDE machine ids are 40 hex characters. */
export function machineIdOf(host: string): string {
  return sha1Hex(`mde-machine:${host}`);
}

/** How MDE names a device: domain-joined Windows servers report their FQDN, others their host name. */
export function computerDnsName(host: string, device: Pick<DeviceSpec, 'domainJoined'>): string {
  const lower = host.toLowerCase();
  return device.domainJoined ? `${lower}.corp.contoso.com` : lower;
}

export function principalId(p: Principal): string {
  return guid(`principal:${p.name}`);
}

export function roleAssignmentScope(ra: RoleAssignmentSpec): string {
  const sub = `/subscriptions/${subscription(ra.sub).id}`;
  return ra.rg === undefined ? sub : `${sub}/resourceGroups/${ra.rg}`;
}
