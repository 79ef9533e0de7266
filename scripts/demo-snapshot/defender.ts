/**
 * Defender for Cloud exports, one folder per subscription: pricings, settings, assessments, alerts
 * (`GET /subscriptions/{id}/providers/Microsoft.Security/<collection>`).
 */
import { EXPORTED_SUBSCRIPTIONS, OS, armVmId, vmByName } from './estate';
import type { SubKey, Subscription } from './estate';
import { guid, sha1Hex, spread, stamp } from './util';
import type { SnapshotFile } from './util';

export function defenderFiles(): SnapshotFile[] {
  return EXPORTED_SUBSCRIPTIONS.flatMap((s): SnapshotFile[] => {
    const subscriptionAlerts = alerts(s);
    return [
      [`defender/${s.id}/pricings.json`, { value: pricings(s) }],
      [`defender/${s.id}/settings.json`, { value: settings(s) }],
      [`defender/${s.id}/assessments.json`, { value: assessments(s) }],
      // The export script skips empty alert lists (contoso-dev, on the Free plan, raises none):
      // a bare `{"value": []}` says nothing about what was exported.
      ...(subscriptionAlerts.length > 0 ? [[`defender/${s.id}/alerts.json`, { value: subscriptionAlerts }] as const] : []),
    ];
  });
}

// --- pricings -----------------------------------------------------------------------------------

/** Plan names in the order the API lists them. */
const PLANS = [
  'VirtualMachines', 'SqlServers', 'AppServices', 'StorageAccounts', 'SqlServerVirtualMachines',
  'KubernetesService', 'ContainerRegistry', 'KeyVaults', 'Dns', 'Arm',
  'OpenSourceRelationalDatabases', 'CosmosDbs', 'Containers', 'CloudPosture', 'Api',
] as const;
type Plan = (typeof PLANS)[number];

const REPLACED_BY: Partial<Record<Plan, string>> = {
  KubernetesService: 'Containers', ContainerRegistry: 'Containers', Dns: 'VirtualMachines',
};

/** Paid plans besides Defender for Servers (which comes from the estate table). */
const OTHER_PAID_PLANS: Record<SubKey, readonly Plan[]> = {
  prod: ['StorageAccounts', 'KeyVaults', 'Arm', 'CloudPosture'],
  dev: [],
  shared: ['KeyVaults'],
  fabrikam: [],
  sandbox: [],
  lab: [],
};

const ext = (name: string, isEnabled: boolean, additionalExtensionProperties?: Record<string, string>) => ({
  name,
  isEnabled: isEnabled ? 'True' : 'False',
  ...(additionalExtensionProperties ? { additionalExtensionProperties } : {}),
});

/** `properties` of a Standard plan: extensions, enablement time, sub-plan, as the API orders them. */
function paidPlan(plan: Plan, s: Subscription): Record<string, unknown> {
  const enablementTime = stamp(60 * (400 * 24 + spread(`${s.id}:${plan}`, 24 * 90)), `${s.id}:${plan}`, 'ticks');
  const standard = (subPlan: string | undefined, extensions?: unknown[]) => ({
    ...(extensions ? { extensions } : {}),
    enablementTime,
    ...(subPlan ? { subPlan } : {}),
    pricingTier: 'Standard',
    freeTrialRemainingTime: 'PT0S',
  });
  switch (plan) {
    case 'VirtualMachines':
      return s.serversPlan === 'P2'
        ? standard('P2', [ext('MdeDesignatedSubscription', false), ext('AgentlessVmScanning', true, { ExclusionTags: '[]' })])
        : standard('P1', [ext('MdeDesignatedSubscription', false)]);
    case 'StorageAccounts':
      return standard('DefenderForStorageV2', [
        ext('OnUploadMalwareScanning', true, { CapGBPerMonthPerStorageAccount: '5000' }),
        ext('SensitiveDataDiscovery', true),
      ]);
    case 'KeyVaults':
      return standard('PerKeyVault');
    case 'Arm':
      return standard('PerSubscription');
    case 'CloudPosture':
      return standard(undefined, [
        ext('SensitiveDataDiscovery', true),
        ext('ContainerRegistriesVulnerabilityAssessments', true),
        ext('AgentlessDiscoveryForKubernetes', true),
        ext('AgentlessVmScanning', true, { ExclusionTags: '[]' }),
      ]);
    default:
      throw new Error(`no Standard shape for plan ${plan}`);
  }
}

function pricings(s: Subscription): unknown[] {
  return PLANS.map((plan) => {
    const paid = plan === 'VirtualMachines' ? s.serversPlan !== null : OTHER_PAID_PLANS[s.key].includes(plan);
    const replacedBy = REPLACED_BY[plan];
    return {
      id: `/subscriptions/${s.id}/providers/Microsoft.Security/pricings/${plan}`,
      name: plan,
      type: 'Microsoft.Security/pricings',
      properties: paid
        ? paidPlan(plan, s)
        : { pricingTier: 'Free', freeTrialRemainingTime: 'PT0S', ...(replacedBy ? { deprecated: true, replacedBy: [replacedBy] } : {}) },
    };
  });
}

// --- settings -----------------------------------------------------------------------------------

function settings(s: Subscription): unknown[] {
  return (Object.keys(s.settings) as Array<keyof Subscription['settings']>).map((name) => ({
    id: `/subscriptions/${s.id}/providers/Microsoft.Security/settings/${name}`,
    name,
    type: 'Microsoft.Security/settings',
    kind: name === 'Sentinel' ? 'AlertSyncSettings' : 'DataExportSettings',
    properties: { enabled: s.settings[name] },
  }));
}

// --- assessments --------------------------------------------------------------------------------

/** "EDR solution should be installed on Virtual Machines". */
const EDR_ASSESSMENT_KEY = '06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c';

/** A few EDR assessments per subscription. dev-web-02 and fab-db-01 have no EDR in Contoso's view. */
const EDR_ASSESSMENTS: ReadonlyArray<{ vm: string; code: 'Healthy' | 'Unhealthy' }> = [
  { vm: 'web-prod-01', code: 'Healthy' },
  { vm: 'web-prod-03', code: 'Healthy' },
  { vm: 'SQL-PROD-01', code: 'Healthy' },
  { vm: 'app-prod-02', code: 'Healthy' },
  { vm: 'dev-web-02', code: 'Unhealthy' },
  { vm: 'dev-data-01', code: 'Healthy' },
  { vm: 'dc-shr-02', code: 'Healthy' },
  { vm: 'ops-shr-02', code: 'Healthy' },
  { vm: 'log-shr-01', code: 'Healthy' },
  { vm: 'fab-web-01', code: 'Healthy' },
  { vm: 'fab-db-01', code: 'Unhealthy' },
];

/**
 * The shared-services export was taken with the older api-version 2020-01-01, which (as recorded
 * from live Azure) lowercases resource ids and spells `resourceDetails` keys in PascalCase.
 */
function assessments(s: Subscription): unknown[] {
  const legacyApi = s.key === 'shared';
  return EDR_ASSESSMENTS.filter((a) => vmByName(a.vm).sub === s.key).map((a) => {
    const resourceId = legacyApi ? armVmId(vmByName(a.vm)).toLowerCase() : armVmId(vmByName(a.vm));
    const id = `${resourceId}/providers/Microsoft.Security/assessments/${EDR_ASSESSMENT_KEY}`;
    return {
      id: legacyApi ? id.toLowerCase() : id,
      name: EDR_ASSESSMENT_KEY,
      type: 'Microsoft.Security/assessments',
      properties: {
        resourceDetails: legacyApi ? { Source: 'Azure', Id: resourceId } : { source: 'Azure', id: resourceId },
        displayName: 'EDR solution should be installed on Virtual Machines',
        status: { code: a.code },
      },
    };
  });
}

// --- alerts -------------------------------------------------------------------------------------

const ALERT_KINDS = {
  eicar: {
    alertType: 'VM_EICAR',
    alertDisplayName: 'Azure Security Center test alert (not a threat)',
    description: 'This is a test alert generated by Azure Security Center. No further action is needed.',
    severity: 'High',
    intent: 'Execution',
    remediationSteps: ['No further action is needed.'],
  },
  screensaver: {
    alertType: 'VM_SuspiciousScreenSaver',
    alertDisplayName: 'Suspicious Screensaver process executed',
    description: 'The process \u2018c:\\users\\svc-web\\scrsave.scr\u2019 was observed executing from an uncommon location.',
    severity: 'Medium',
    intent: 'Execution',
    remediationSteps: ['Run a full anti-malware scan and verify that the threat was removed', 'Escalate the alert to the information security team'],
  },
} as const;

const DEFENDER_ALERTS: ReadonlyArray<{ vm: string; kind: keyof typeof ALERT_KINDS; minutesAgo: number }> = [
  { vm: 'web-prod-03', kind: 'eicar', minutesAgo: 610 },
  { vm: 'web-prod-01', kind: 'screensaver', minutesAgo: 2930 },
  { vm: 'ops-shr-02', kind: 'screensaver', minutesAgo: 1475 },
  { vm: 'fab-web-01', kind: 'eicar', minutesAgo: 8650 },
];

function alerts(s: Subscription): unknown[] {
  return DEFENDER_ALERTS.filter((a) => vmByName(a.vm).sub === s.key).map((a) => {
    const vm = vmByName(a.vm);
    const kind = ALERT_KINDS[a.kind];
    const seed = `alert:${a.vm}:${a.kind}`;
    const name = `2516${String(parseInt(sha1Hex(seed).slice(0, 12), 16)).padStart(15, '0').slice(0, 15)}_${guid(seed).toUpperCase()}`;
    const rgPath = `/subscriptions/${s.id}/resourceGroups/${vm.rg}`;
    return {
      id: `${rgPath}/providers/Microsoft.Security/locations/${vm.location}/alerts/${name}`,
      name,
      type: 'Microsoft.Security/Locations/alerts',
      properties: {
        version: '2022-01-01',
        alertType: kind.alertType,
        systemAlertId: name,
        productComponentName: 'Servers',
        alertDisplayName: kind.alertDisplayName,
        description: kind.description,
        severity: kind.severity,
        intent: kind.intent,
        startTimeUtc: stamp(a.minutesAgo + 3, seed, 'ticks'),
        endTimeUtc: stamp(a.minutesAgo + 3, seed, 'ticks'),
        resourceIdentifiers: [{ azureResourceId: armVmId(vm), type: 'AzureResource' }],
        remediationSteps: kind.remediationSteps,
        vendorName: 'Microsoft',
        status: 'Active',
        extendedLinks: [],
        alertUri: `https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/${name}/subscriptionId/${s.id}/resourceGroup/${vm.rg}/referencedFrom/alertDeepLink/location/${vm.location}`,
        timeGeneratedUtc: stamp(a.minutesAgo, seed, 'ticks'),
        productName: 'Microsoft Defender for Cloud',
        processingEndTimeUtc: stamp(a.minutesAgo - 1, `${seed}:processed`, 'ticks'),
        entities: [
          {
            dnsDomain: '',
            ntDomain: '',
            hostName: vm.name,
            netBiosName: vm.name,
            // Alert entities carry the resource id lowercased, unlike resourceIdentifiers.
            azureID: armVmId(vm).toLowerCase(),
            operatingSystem: OS[vm.os].osType,
            type: 'host',
            OsVersion: null,
          },
        ],
        isIncident: false,
        compromisedEntity: vm.name,
        extendedProperties: { resourceType: 'Virtual Machine' },
        techniques: [],
        subTechniques: [],
      },
    };
  });
}
