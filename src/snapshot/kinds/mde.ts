import { avModeName, compose, stringBooleans } from '../normalize';
import { normalizePlatform } from '../platforms';
import { apiKind, mdeList, odataContext, type ApiKindSpec, type ExportKind } from './define';

const mdeKind = (spec: ApiKindSpec): ExportKind => apiKind('mde', spec);

const MACHINE = 'https://learn.microsoft.com/defender-endpoint/api/machine';

export const MDE_KINDS: readonly ExportKind[] = [
  mdeKind({
    id: 'mde.machines',
    title: 'Defender for Endpoint devices',
    howToExport: mdeList('machines'),
    odataContext: odataContext('Machines'),
    signatures: [{ has: ['computerDnsName', 'osPlatform', 'lastSeen'] }],
    idPaths: ['id'],
    namePaths: ['computerDnsName'],
    normalize: normalizePlatform,
    semantics: [
      {
        field: 'onboardingStatus',
        meaning:
          'Onboarded for a device whose sensor reports. Device discovery adds devices it found on the network that were ' +
          'never onboarded: CanBeOnboarded (a supported OS), Unsupported (an OS Defender for Endpoint cannot protect) and ' +
          'InsufficientInfo (it cannot tell). The published list example carries no onboardingStatus: such a record is an ' +
          'onboarded device.',
        source: `${MACHINE}, https://learn.microsoft.com/defender-endpoint/device-discovery`,
      },
      {
        field: 'mergedIntoMachineId',
        meaning:
          'Set on the record a re-onboarded (or de-duplicated) device left behind: the id of the record that replaced it. ' +
          'The old record keeps its last health and vmMetadata but stands for nothing that runs.',
        source: MACHINE,
      },
      {
        field: 'isExcluded',
        meaning:
          'true when an admin excluded the device (exclusionReason says why, e.g. out of scope or inactive): it leaves ' +
          "inventory views and vulnerability reports, an accepted risk, not a health failure.",
        source: `${MACHINE}, https://learn.microsoft.com/defender-vulnerability-management/tvm-exclude-devices`,
      },
      {
        field: 'vmMetadata',
        meaning:
          'For a device on an Azure VM: vmId (the VM\'s properties.vmId), resourceId (its ARM id, letter case not kept), ' +
          'subscriptionId and cloudProvider. null for devices that are no Azure VM; either id may be null.',
        source: MACHINE,
      },
      {
        field: 'aadDeviceId',
        meaning:
          'The Entra device id of a device joined to Entra; servers rarely are, and several machine records (a re-onboarded ' +
          'device) can share one, so posture-lint does not join servers by it.',
        source: MACHINE,
      },
      {
        field: 'deviceState',
        meaning:
          'Added by posture-lint: Merged (mergedIntoMachineId is set), Excluded (isExcluded), Discovered (an onboardingStatus ' +
          'key whose value is not Onboarded, null and blank included) or Live, in that order. Health rules (mde-device-healthy, the antivirus and device-group ' +
          'rules) judge Live devices only; excluded devices are shown by mde-device-excluded, discovered ones by ' +
          'discovered-devices-onboarded.',
        source: MACHINE,
      },
      {
        field: 'sensorOnboarded',
        meaning:
          'Added by posture-lint: true when onboardingStatus is Onboarded (any letter case) or the record has no ' +
          'onboardingStatus key (the published machines list), false otherwise. An excluded device that was never ' +
          'onboarded runs no sensor: vm-onboarded-to-mde does not count it, and mde-device-excluded says so.',
        source: MACHINE,
      },
      {
        field: 'liveDeviceId',
        meaning:
          "Added by posture-lint: the record that stands for the device now, its own id or the end of its merge chain; " +
          'absent when the chain leads outside the export.',
        source: MACHINE,
      },
      {
        field: 'serverId',
        meaning:
          'Added by posture-lint: the ARM id of the VM, scale-set instance or Arc-enabled server the device belongs to, by ' +
          'vmMetadata.vmId = properties.vmId (compared without case or braces), else vmMetadata.resourceId = id unless the ' +
          'device names another vmId (the earlier VM of a name deleted and created again), else (a device with no ' +
          'vmMetadata, for a server no device names by either id) by host name, when no other server has that name, the ' +
          "device's full name is not in another domain than an Arc server's dnsFqdn, and no other live device of that name " +
          'and OS qualifies, else vmMetadata.resourceId as the device reports it (deviceOnly: it ' +
          'places the device in Azure scopes, but makes it no server\'s device); serverMatchedBy says which. A merged ' +
          'record\'s server carries over to its live record. A device the host name would link but for a namesake server ' +
          'or live device gets no serverId and serverMatchedBy hostNameAmbiguous: its Azure scope is unknown, and ' +
          'xdr-access-within-arm-access and device-groups-cover-rbac-scopes report it.',
        source: MACHINE,
      },
    ],
  }),
  mdeKind({
    id: 'mde.avHealth',
    title: 'Defender for Endpoint antivirus health per device (deviceavinfo)',
    howToExport: mdeList('deviceavinfo'),
    odataContext: odataContext('DeviceAvInfo'),
    signatures: [{ has: ['machineId', 'avMode'] }],
    idPaths: ['machineId'],
    namePaths: ['computerDnsName'],
    normalize: compose(
      stringBooleans(['avIsSignatureUpToDate', 'avIsEngineUpToDate', 'avIsPlatformUpToDate']),
      avModeName,
      normalizePlatform,
    ),
  }),
  mdeKind({
    id: 'mde.alerts',
    title: 'Defender for Endpoint alerts',
    howToExport: mdeList('alerts'),
    odataContext: odataContext('Alerts'),
    signatures: [{ has: ['machineId', 'alertCreationTime'] }],
    idPaths: ['id'],
    namePaths: ['title'],
  }),
  mdeKind({
    id: 'mde.vulnerabilities',
    title: 'Defender Vulnerability Management vulnerabilities by device',
    howToExport: mdeList('vulnerabilities/machinesVulnerabilities'),
    odataContext: odataContext('Collection(microsoft.windowsDefenderATP.api.PublicAssetVulnerabilityDto)'),
    signatures: [{ has: ['cveId', 'machineId'] }],
    idPaths: ['id'],
    namePaths: ['cveId'],
  }),
  mdeKind({
    id: 'mde.recommendations',
    title: 'Defender Vulnerability Management security recommendations',
    howToExport: mdeList('recommendations'),
    odataContext: odataContext('Recommendations'),
    signatures: [{ has: ['recommendationName', 'remediationType'] }],
    idPaths: ['id'],
    namePaths: ['recommendationName'],
  }),
  mdeKind({
    id: 'mde.software',
    title: 'Defender Vulnerability Management software inventory',
    howToExport: mdeList('Software'),
    odataContext: odataContext('Software'),
    signatures: [{ has: ['impactScore', 'exposedMachines'] }],
    idPaths: ['id'],
    namePaths: ['name'],
  }),
  mdeKind({
    id: 'mde.machineActions',
    title: 'Defender for Endpoint machine actions (scans, isolation, investigation packages)',
    howToExport: mdeList('machineactions'),
    odataContext: odataContext('MachineActions'),
    signatures: [{ has: ['machineId', 'requestor', 'creationDateTimeUtc'] }],
    idPaths: ['id'],
    namePaths: ['computerDnsName'],
  }),
  mdeKind({
    id: 'mde.deviceGroups',
    title: 'Defender for Endpoint device groups (exposure score by device group)',
    howToExport: mdeList('exposureScore/ByMachineGroups'),
    // No context pattern: `#ExposureScore` is also the context of the tenant-wide score, which has no group.
    signatures: [{ has: ['rbacGroupName', 'score', 'time'] }],
    idPaths: ['rbacGroupName'],
    namePaths: ['rbacGroupName'],
  }),
  mdeKind({
    id: 'mde.health',
    title: 'Defender for Endpoint on Linux/macOS device health (mdatp health --output json, one device per file)',
    howToExport: 'mdatp health --output json > mdatp-health-$(hostname).json',
    signatures: [{ has: ['$type'], equals: { $type: 'getHealthAllResult' } }, { has: ['edrMachineId', 'realTimeProtectionEnabled'] }],
    idPaths: ['edrMachineId'],
    namePaths: [],
  }),
  mdeKind({
    id: 'mde.managedConfig',
    title: 'Defender for Endpoint on Linux managed configuration profiles (mdatp_managed.json)',
    howToExport: 'cp /etc/opt/microsoft/mdatp/managed/mdatp_managed.json mdatp_managed-$(hostname).json',
    signatures: ['antivirusEngine', 'cloudService', 'edr', 'exclusionSettings', 'networkProtection'].map((k) => ({ has: [k] })),
    idPaths: [],
    namePaths: [],
  }),
];
