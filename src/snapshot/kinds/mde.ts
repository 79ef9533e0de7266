import { avModeName, compose, stringBooleans } from '../normalize';
import { normalizePlatform } from '../platforms';
import { apiKind, mdeList, odataContext, type ApiKindSpec, type ExportKind } from './define';

const mdeKind = (spec: ApiKindSpec): ExportKind => apiKind('mde', spec);

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
