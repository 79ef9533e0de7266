import { stringBooleans } from '../normalize';
import { armKind, armList, type ExportKind } from './define';

export const DEFENDER_KINDS: readonly ExportKind[] = [
  armKind({
    id: 'defender.pricings',
    perSubscription: true,
    title: 'Defender for Cloud plans (pricings)',
    source: 'defender',
    howToExport: armList('Microsoft.Security/pricings', '2024-01-01'),
    armTypes: ['microsoft.security/pricings'],
    flattenedMarkers: ['pricingTier', 'subPlan', 'extensions'],
    // The API returns these booleans as "True"/"False" strings.
    then: stringBooleans(['properties.enforce', 'properties.inherited', 'properties.extensions[].isEnabled']),
    namePaths: ['name'],
  }),
  armKind({
    id: 'defender.settings',
    perSubscription: true,
    title: 'Defender for Cloud integration settings (WDATP, MCAS, Sentinel)',
    source: 'defender',
    howToExport: armList('Microsoft.Security/settings', '2022-05-01'),
    armTypes: ['microsoft.security/settings'],
    flattenedMarkers: ['enabled'],
    namePaths: ['name'],
  }),
  armKind({
    id: 'defender.autoProvisioning',
    title: 'Defender for Cloud auto-provisioning settings',
    source: 'defender',
    howToExport: armList('Microsoft.Security/autoProvisioningSettings', '2017-08-01-preview'),
    armTypes: ['microsoft.security/autoprovisioningsettings'],
    flattenedMarkers: ['autoProvision'],
    namePaths: ['name'],
  }),
  armKind({
    id: 'defender.assessments',
    title: 'Defender for Cloud assessments (recommendation results per resource)',
    source: 'defender',
    howToExport: armList('Microsoft.Security/assessments', '2021-06-01'),
    armTypes: ['microsoft.security/assessments'],
    flattenedMarkers: ['status', 'resourceDetails'],
  }),
  armKind({
    id: 'defender.assessmentMetadata',
    title: 'Defender for Cloud assessment metadata (recommendation definitions)',
    source: 'defender',
    howToExport:
      "az rest --method get --url 'https://management.azure.com/providers/Microsoft.Security/assessmentMetadata?api-version=2021-06-01' --output json",
    armTypes: ['microsoft.security/assessmentmetadata'],
    flattenedMarkers: ['assessmentType', 'severity', 'policyDefinitionId'],
  }),
  armKind({
    id: 'defender.alerts',
    title: 'Defender for Cloud security alerts',
    source: 'defender',
    howToExport: armList('Microsoft.Security/alerts', '2022-01-01'),
    armTypes: ['microsoft.security/locations/alerts'],
    flattenedMarkers: ['alertType', 'systemAlertId'],
    namePaths: ['properties.alertDisplayName', 'name'],
  }),
  armKind({
    id: 'defender.serverVulnerabilityAssessmentsSettings',
    title: 'Defender for Cloud server vulnerability assessment settings',
    source: 'defender',
    howToExport: armList('Microsoft.Security/serverVulnerabilityAssessmentsSettings', '2023-05-01'),
    armTypes: ['microsoft.security/servervulnerabilityassessmentssettings'],
    flattenedMarkers: ['selectedProvider'],
    namePaths: ['name'],
  }),
  armKind({
    id: 'defender.secureScores',
    title: 'Defender for Cloud secure scores',
    source: 'defender',
    howToExport: armList('Microsoft.Security/secureScores', '2020-01-01'),
    armTypes: ['microsoft.security/securescores'],
    flattenedMarkers: ['score', 'weight'],
  }),
];
