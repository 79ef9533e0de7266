/**
 * Alerts and incidents from the Contoso (XDR) tenant: MDE `GET /api/alerts` and Microsoft Graph
 * `GET /security/incidents`. Both carry the tenant id, so they are evidence for the XDR tenant fact.
 */
import { CONTOSO_TENANT } from './estate';
import { deviceOn, rbacGroup } from './mde';
import { sha1Hex, spread, stamp } from './util';
import type { SnapshotFile } from './util';

const INCIDENTS = [
  {
    id: 4127,
    displayName: 'Multi-stage incident involving Execution & Credential access on multiple endpoints',
    severity: 'medium',
    assignedTo: 'secops-oncall@contoso.com',
    minutesAgo: 394,
  },
  {
    id: 4131,
    displayName: "'EICAR_Test_File' malware was detected on one endpoint",
    severity: 'informational',
    assignedTo: null,
    minutesAgo: 611,
  },
] as const;

type IncidentId = (typeof INCIDENTS)[number]['id'];

const MDE_ALERTS: ReadonlyArray<{
  host: string;
  incidentId: IncidentId;
  minutesAgo: number;
  severity: 'Informational' | 'Low' | 'Medium' | 'High';
  detectionSource: string;
  category: string;
  title: string;
  threatFamilyName: string | null;
  threatName: string | null;
  mitreTechniques: string[];
}> = [
  {
    host: 'app-prod-02', incidentId: 4127, minutesAgo: 395, severity: 'Medium', detectionSource: 'WindowsDefenderAtp',
    category: 'Execution', title: 'Suspicious shell script downloaded and executed', threatFamilyName: null, threatName: null,
    mitreTechniques: ['T1059.004', 'T1105'],
  },
  {
    host: 'ops-shr-02', incidentId: 4127, minutesAgo: 352, severity: 'High', detectionSource: 'WindowsDefenderAtp',
    category: 'CredentialAccess', title: 'Suspicious access to LSASS service', threatFamilyName: null, threatName: null,
    mitreTechniques: ['T1003.001'],
  },
  {
    host: 'web-prod-03', incidentId: 4131, minutesAgo: 612, severity: 'Informational', detectionSource: 'WindowsDefenderAv',
    category: 'Malware', title: "'EICAR_Test_File' malware was detected", threatFamilyName: 'EICAR_Test_File',
    threatName: 'Virus:DOS/EICAR_Test_File', mitreTechniques: [],
  },
];

export function alertFiles(): SnapshotFile[] {
  return [
    ['mde/alerts.json', { '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Alerts', value: MDE_ALERTS.map(mdeAlert) }],
    ['graph/incidents.json', { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/incidents', value: INCIDENTS.map(incident) }],
  ];
}

function mdeAlert(a: (typeof MDE_ALERTS)[number]): unknown {
  const device = deviceOn(a.host);
  const seed = `mde-alert:${a.host}:${a.incidentId}`;
  const ticks = String(parseInt(sha1Hex(seed).slice(0, 13), 16)).padStart(15, '0').slice(0, 15);
  return {
    id: `da638${ticks}_-${1_000_000_000 + spread(seed, 999_999_999)}`,
    incidentId: a.incidentId,
    investigationId: null,
    assignedTo: null,
    severity: a.severity,
    status: 'New',
    classification: null,
    determination: null,
    investigationState: 'UnsupportedAlertType',
    detectionSource: a.detectionSource,
    category: a.category,
    threatFamilyName: a.threatFamilyName,
    title: a.title,
    description: `${a.title} on ${device.dnsName}.`,
    alertCreationTime: stamp(a.minutesAgo, seed, 'ticks'),
    firstEventTime: stamp(a.minutesAgo + 2, `${seed}:first`, 'ticks'),
    lastEventTime: stamp(a.minutesAgo + 1, `${seed}:last`, 'ticks'),
    lastUpdateTime: stamp(a.minutesAgo - 1, `${seed}:update`, 'ticks'),
    resolvedTime: null,
    machineId: device.machineId,
    computerDnsName: device.dnsName,
    rbacGroupName: rbacGroup(device).rbacGroupName,
    aadTenantId: CONTOSO_TENANT,
    threatName: a.threatName,
    mitreTechniques: a.mitreTechniques,
    relatedUser: null,
    comments: [],
    evidence: [],
  };
}

function incident(i: (typeof INCIDENTS)[number]): unknown {
  return {
    '@odata.type': '#microsoft.graph.security.incident',
    id: String(i.id),
    incidentWebUrl: `https://security.microsoft.com/incidents/${i.id}?tid=${CONTOSO_TENANT}`,
    redirectIncidentId: null,
    tenantId: CONTOSO_TENANT,
    displayName: i.displayName,
    createdDateTime: stamp(i.minutesAgo, `incident:${i.id}`, 'ticks'),
    lastUpdateDateTime: stamp(i.minutesAgo - 30, `incident:${i.id}:update`, 'ticks'),
    assignedTo: i.assignedTo,
    classification: 'unknown',
    determination: 'unknown',
    status: 'active',
    severity: i.severity,
    customTags: [],
    comments: [],
    systemTags: [],
    description: null,
  };
}
