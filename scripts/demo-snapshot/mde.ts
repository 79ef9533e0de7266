/**
 * Defender for Endpoint exports from the Contoso (XDR) tenant: machines (two pages), antivirus
 * health (deviceavinfo), `mdatp health --output json` captures and exposure score by device group.
 */
import {
  ARC_SERVERS, CONTOSO_TENANT, DEVICE_GROUPS, INACTIVE_AFTER_DAYS, ON_PREM_DEVICES, OS, SCALE_SETS, VMS,
  armVmId, computerDnsName, machineIdOf, scaleSetComputerName, scaleSetInstanceId, scaleSetVmIdOf, subscription, vmAgeMinutes, vmIdOf,
} from './estate';
import type { DeviceSpec, GroupName, OsInfo, SubKey } from './estate';
import { epochMillis, guid, spread, stamp } from './util';
import type { SnapshotFile } from './util';

const API = 'https://api.security.microsoft.com/api';
/** The export script pages machines with `$top`, so the demo needs two pages. */
const MACHINES_PAGE_SIZE = 14;
/** When the deviceavinfo report was last refreshed (all records share it). */
const AV_REPORT_REFRESHED_MINUTES_AGO = 310;

/** One MDE device, Azure VM or not, with what it reports. */
export interface Device {
  host: string;
  machineId: string;
  dnsName: string;
  os: OsInfo;
  platform: string;
  spec: Omit<DeviceSpec, 'link'> & { link?: DeviceSpec['link'] };
  /**
   * The Azure resource behind the device (a VM, scale-set instance or Arc-enabled server); absent for
   * on-premises devices. `vmId` and `resourceId` are null when MDE fills no vmMetadata (Arc servers).
   */
  server?: { sub: SubKey; vmId: string | null; resourceId: string | null; ageMinutes: number };
}

export function devices(): Device[] {
  const azure = VMS.flatMap((vm): Device[] =>
    vm.device
      ? [{
          host: vm.name, machineId: machineIdOf(vm.name), dnsName: computerDnsName(vm.name, vm.device), os: OS[vm.os], platform: OS[vm.os].mdePlatform, spec: vm.device,
          server: { sub: vm.sub, vmId: vmIdOf(vm), resourceId: armVmId(vm), ageMinutes: vmAgeMinutes(vm) },
        }]
      : [],
  );
  const scaleSets = SCALE_SETS.flatMap((ss) =>
    ss.instances.flatMap((spec, i): Device[] => {
      if (spec === null) return [];
      const host = scaleSetComputerName(ss, i);
      return [{
        host, machineId: machineIdOf(host), dnsName: computerDnsName(host, spec), os: OS[ss.os], platform: OS[ss.os].mdePlatform, spec,
        server: { sub: ss.sub, vmId: scaleSetVmIdOf(ss, i), resourceId: scaleSetInstanceId(ss, i), ageMinutes: 60 * 24 * 30 },
      }];
    }),
  );
  // Arc-enabled servers' devices: MDE fills no vmMetadata for them, so they match by host name only.
  const arc = ARC_SERVERS.flatMap((a): Device[] =>
    a.device
      ? [{
          host: a.name, machineId: machineIdOf(a.name), dnsName: computerDnsName(a.name, a.device), os: OS[a.os], platform: OS[a.os].mdePlatform, spec: a.device,
          server: { sub: a.sub, vmId: null, resourceId: null, ageMinutes: 60 * 24 * 400 },
        }]
      : [],
  );
  const onPrem = ON_PREM_DEVICES.map((d): Device => ({
    host: d.host, machineId: machineIdOf(d.host), dnsName: computerDnsName(d.host, d.device), os: OS[d.os],
    platform: d.reportedPlatform ?? OS[d.os].mdePlatform, spec: d.device,
  }));
  return [...azure, ...scaleSets, ...arc, ...onPrem];
}

export function deviceOn(host: string): Device {
  const found = devices().find((d) => d.host === host);
  if (!found) throw new Error(`no MDE device for ${host}`);
  return found;
}

export function rbacGroup(d: Device): { rbacGroupId: number; rbacGroupName: GroupName | null } {
  return d.spec.group === null ? { rbacGroupId: 0, rbacGroupName: null } : { rbacGroupId: DEVICE_GROUPS[d.spec.group], rbacGroupName: d.spec.group };
}

export function mdeFiles(): SnapshotFile[] {
  const all = devices();
  return [
    ...machinePages(all),
    ['mde/deviceavinfo.json', { '@odata.context': `${API}/$metadata#DeviceAvInfo`, value: all.flatMap(avInfo) }],
    ...all.flatMap(mdatpHealthCapture),
    ['mde/device-groups.json', exposureByGroup(all)],
  ];
}

// --- machines -----------------------------------------------------------------------------------

const SUBNET: Record<SubKey, number> = { prod: 10, dev: 20, shared: 30, fabrikam: 40, sandbox: 50, lab: 60 };

/** Minutes since the device last reported: a few hours at most, unless the estate says it went silent. */
function lastSeenMinutesAgo(d: Device): number {
  const silentDays = d.spec.silentDays;
  return silentDays === undefined ? 15 + spread(`last:${d.host}`, 240) : 60 * 24 * silentDays + spread(`last:${d.host}`, 600);
}

/** A device silent for longer than MDE's inactivity window. */
function inactive(d: Device): boolean {
  return (d.spec.silentDays ?? 0) > INACTIVE_AFTER_DAYS;
}

function vmMetadata(d: Device): unknown {
  if (!d.server || d.server.vmId === null || d.server.resourceId === null) return null;
  const { vmId, resourceId } = d.server;
  const subscriptionId = subscription(d.server.sub).id;
  switch (d.spec.link) {
    case 'vmIdOnly':
      return { vmId, cloudProvider: 'Azure', resourceId: null, subscriptionId };
    case 'resourceIdOnly':
      return { vmId: null, cloudProvider: 'Azure', resourceId: resourceId.toLowerCase(), subscriptionId };
    default:
      return { vmId, cloudProvider: 'Azure', resourceId, subscriptionId };
  }
}

function machine(d: Device, index: number): unknown {
  const tags = d.server ? [subscription(d.server.sub).displayName] : ['on-premises'];
  return {
    id: d.machineId,
    computerDnsName: d.dnsName,
    // Azure VMs are onboarded within hours of creation; on-premises devices some time this past year.
    firstSeen: stamp((d.server ? d.server.ageMinutes - 30 : 60 * 24 * (60 + spread(`onprem:${d.host}`, 300))) - spread(`first:${d.host}`, 600), `first:${d.host}`, 'ticks'),
    lastSeen: stamp(lastSeenMinutesAgo(d), `last:${d.host}`, 'ticks'),
    osPlatform: d.platform,
    version: d.os.mdeVersion,
    osProcessor: 'x64',
    lastIpAddress: d.server ? `10.${SUBNET[d.server.sub]}.1.${4 + index}` : `172.16.10.${20 + index}`,
    lastExternalIpAddress: d.server ? `198.51.100.${SUBNET[d.server.sub]}` : '203.0.113.7',
    osBuild: d.os.osBuild,
    // Device discovery's records carry no sensor health.
    healthStatus: inactive(d) || d.spec.discovered ? 'Inactive' : 'Active',
    deviceValue: 'Normal',
    ...rbacGroup(d),
    riskScore: (['None', 'Low', 'Medium', 'High'] as const)[spread(`risk:${d.host}`, 4)],
    exposureLevel: (['Low', 'Medium', 'High'] as const)[spread(`exposure:${d.host}`, 3)],
    isAadJoined: false,
    aadDeviceId: null,
    machineTags: tags,
    onboardingStatus: d.spec.discovered ?? 'Onboarded',
    osArchitecture: '64-bit',
    managedBy: 'Unknown',
    vmMetadata: vmMetadata(d),
    ...(d.spec.excluded === undefined ? {} : { isExcluded: true, exclusionReason: d.spec.excluded }),
  };
}

/** The record a re-onboarded device left behind: Inactive since, merged into the current record. */
function mergedRecord(d: Device, index: number): unknown[] {
  const days = d.spec.reonboardedDaysAgo;
  if (days === undefined) return [];
  const current = machine(d, index) as Record<string, unknown>;
  return [{
    ...current,
    id: machineIdOf(`${d.host}:before-reonboarding`),
    lastSeen: stamp(60 * 24 * days + spread(`merged:${d.host}`, 600), `merged:${d.host}`, 'ticks'),
    healthStatus: 'Inactive',
    mergedIntoMachineId: d.machineId,
  }];
}

/** `GET /api/machines?$top=…`, following `@odata.nextLink`. */
function machinePages(all: Device[]): SnapshotFile[] {
  // The records re-onboarded devices left behind follow the live ones.
  const records = [...all.map(machine), ...all.flatMap(mergedRecord)];
  return [
    ['mde/machines.page-1.json', {
      '@odata.context': `${API}/$metadata#Machines`,
      value: records.slice(0, MACHINES_PAGE_SIZE),
      '@odata.nextLink': `${API}/machines?$top=${MACHINES_PAGE_SIZE}&$skip=${MACHINES_PAGE_SIZE}`,
    }],
    ['mde/machines.page-2.json', {
      '@odata.context': `${API}/$metadata#Machines`,
      value: records.slice(MACHINES_PAGE_SIZE),
    }],
  ];
}

// --- antivirus health ---------------------------------------------------------------------------

/** `GET /api/deviceavinfo` record; devices without an avMode in the estate have none. */
function avInfo(d: Device): unknown[] {
  const avMode = d.spec.avMode;
  if (avMode === undefined) return [];
  const windows = d.os.osType === 'Windows';
  const disabled = avMode === '2';
  const active = avMode === '0';
  // A silent device's record holds what it reported last, with the signatures it had then
  // (about 35 security intelligence builds a day behind); past the inactivity window they are out of date.
  const silentDays = d.spec.silentDays;
  const lastReport = silentDays === undefined ? AV_REPORT_REFRESHED_MINUTES_AGO : lastSeenMinutesAgo(d);
  const signatureVersion = disabled ? '1.417.202.0' : `1.421.${1498 - 35 * (silentDays ?? 0)}.0`;
  const signaturesUpToDate = disabled || inactive(d) ? 'False' : 'True';
  const engineUpToDate = disabled ? 'False' : 'True';
  const seed = `av:${d.host}`;
  const scanned = active ? stamp(lastReport + 200 + spread(seed, 600), seed, 'millis') : null;
  return [
    {
      id: guid(seed),
      machineId: d.machineId,
      computerDnsName: d.dnsName,
      osKind: windows ? 'windows' : 'linux',
      osPlatform: d.platform,
      osVersion: d.os.osVersion,
      avMode,
      avSignatureVersion: signatureVersion,
      avEngineVersion: windows ? '1.1.24090.11' : '1.1.24090.3000',
      avPlatformVersion: windows ? '4.18.24090.11' : '101.24092.0002',
      lastSeenTime: stamp(lastReport + 30, seed, 'seconds'),
      quickScanResult: active ? 'Completed' : '',
      quickScanError: '',
      quickScanTime: scanned,
      fullScanResult: '',
      fullScanError: '',
      fullScanTime: null,
      dataRefreshTimestamp: stamp(AV_REPORT_REFRESHED_MINUTES_AGO, 'av-report', 'seconds'),
      avEngineUpdateTime: stamp(lastReport + (disabled ? 40_000 : 900), `${seed}:engine`, 'seconds'),
      avSignatureUpdateTime: stamp(lastReport + (disabled ? 40_000 : 400), `${seed}:sig`, 'seconds'),
      avPlatformUpdateTime: stamp(lastReport + 20_000, `${seed}:platform`, 'seconds'),
      avIsSignatureUpToDate: signaturesUpToDate,
      avIsEngineUpToDate: engineUpToDate,
      // Windows Server 2012 R2 stays on an older platform update channel.
      avIsPlatformUpToDate: d.os.osBuild === 9600 ? 'False' : 'True',
      avSignaturePublishTime: stamp(lastReport + (disabled ? 40_100 : 500), `${seed}:sig`, 'seconds'),
      // deviceavinfo prints the group name before the id.
      rbacGroupName: rbacGroup(d).rbacGroupName,
      rbacGroupId: rbacGroup(d).rbacGroupId,
    },
  ];
}

/** Wrapped setting as `mdatp health --output json` prints it. */
const setting = (value: unknown, isManaged = false, displayValue = true) => ({ displayValue, isManaged, value });

/**
 * `mdatp health --output json` captured on the device (same keys and order as a real 101.23062
 * capture). Real-time protection and passive mode are set through mdatp_managed.json.
 */
function mdatpHealthCapture(d: Device): SnapshotFile[] {
  const rtp = d.spec.rtpCapture;
  if (rtp === undefined) return [];
  const capturedMinutesAgo = 20 + spread(`capture:${d.host}`, 30);
  const definitionsAge = 35 + spread(`defs:${d.host}`, 90);
  return [
    [`mde/mdatp-health/${d.host}.json`, {
      $type: 'getHealthAllResult',
      appVersion: '101.24092.0002',
      automaticDefinitionUpdateEnabled: setting(true),
      behaviorMonitoring: setting('enabled'),
      cloudAutomaticSampleSubmissionConsent: setting('safe'),
      cloudDiagnosticEnabled: setting(false),
      cloudEnabled: setting(true),
      conflictingApplications: [],
      definitionsStatus: { $type: 'upToDate' },
      definitionsUpdated: epochMillis(capturedMinutesAgo + definitionsAge),
      definitionsUpdatedMinutesAgo: definitionsAge,
      definitionsVersion: '1.421.1498.0',
      edrConfigurationVersion: `30.199999.main.2026.11.20.09-${guid(`edrcfg:${d.host}`).slice(0, 8).toUpperCase()}`,
      edrDeviceTags: setting([]),
      edrEarlyPreviewEnabled: setting('disabled'),
      edrGroupIds: setting(''),
      edrMachineId: d.machineId,
      engineVersion: '1.1.24090.3000',
      functionalityMode: setting('default', false, false),
      healthIssues: [],
      healthy: true,
      licensed: true,
      logLevel: 'info',
      machineGuid: guid(`machineGuid:${d.host}`),
      managedBy: setting('', false, false),
      networkProtectionEnforcementLevel: setting('disabled'),
      networkProtectionStatus: 'stopped',
      orgId: CONTOSO_TENANT,
      passiveModeEnabled: setting(!rtp, true),
      productExpiration: epochMillis(-60 * 24 * 300),
      proxy: setting('None', false, false),
      realTimeProtectionAvailable: true,
      realTimeProtectionEnabled: setting(rtp, true),
      realTimeProtectionSubsystem: 'fanotify',
      releaseRing: 'Production',
      supplementaryEventsSubsystem: 'ebpf',
      tamperProtection: setting('audit'),
      telemetryClient: setting('OneDs', false, false),
      troubleshootingMode: false,
    }],
  ];
}

// --- device groups ------------------------------------------------------------------------------

/** `GET /api/exposureScore/ByMachineGroups`: one row per device group that holds devices. */
function exposureByGroup(all: Device[]): unknown {
  const used = new Set(all.map((d) => d.spec.group));
  const groups = (Object.keys(DEVICE_GROUPS) as GroupName[]).filter((g) => used.has(g));
  return {
    '@odata.context': `${API}/$metadata#ExposureScore`,
    value: groups.map((g) => ({
      time: stamp(95, `score:${g}`, 'ticks'),
      score: (1800 + spread(`score:${g}`, 4000)) / 100,
      rbacGroupName: g,
    })),
  };
}
