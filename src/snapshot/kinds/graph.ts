import { apiKind, graphList, odataContext, type ApiKindSpec, type ExportKind, type Signature } from './define';

const graphKind = (spec: ApiKindSpec): ExportKind => apiKind('graph', spec);

/**
 * unifiedRoleAssignmentMultiple items look the same for every unified RBAC provider: without the
 * `@odata.context` a file of them matches both kinds below, and the loader reports it as ambiguous.
 */
const ROLE_ASSIGNMENT_MULTIPLE: readonly Signature[] = [{ has: ['principalIds', 'roleDefinitionId'] }];

export const GRAPH_KINDS: readonly ExportKind[] = [
  graphKind({
    id: 'graph.alerts',
    title: 'Microsoft Defender XDR alerts (Graph security/alerts_v2)',
    howToExport: graphList('v1.0', 'security/alerts_v2'),
    odataContext: odataContext('security/alerts_v2'),
    signatures: [
      { has: ['@odata.type'], equals: { '@odata.type': '#microsoft.graph.security.alert' } },
      { has: ['providerAlertId', 'serviceSource'] },
    ],
    namePaths: ['title'],
  }),
  graphKind({
    id: 'graph.incidents',
    title: 'Microsoft Defender XDR incidents (Graph security/incidents)',
    howToExport: graphList('v1.0', 'security/incidents'),
    odataContext: odataContext('security/incidents'),
    signatures: [
      { has: ['@odata.type'], equals: { '@odata.type': '#microsoft.graph.security.incident' } },
      { has: ['incidentWebUrl', 'redirectIncidentId'] },
    ],
    namePaths: ['displayName'],
  }),
  graphKind({
    id: 'entra.roleAssignments',
    title: 'Microsoft Entra directory role assignments',
    howToExport: graphList('v1.0', 'roleManagement/directory/roleAssignments?$expand=principal'),
    odataContext: odataContext('roleManagement/directory/roleAssignments'),
    signatures: [{ has: ['principalId', 'roleDefinitionId', 'directoryScopeId'] }],
    namePaths: ['principal.displayName'],
  }),
  graphKind({
    id: 'entra.principals',
    title: 'Microsoft Entra principals by id (users, groups, service principals), for their names',
    // The body file holds {"ids": [...], "types": ["user", "group", "servicePrincipal"]}: at most 1000
    // ids per request. '@…' is quoted because an unquoted @ splats a variable in PowerShell.
    // scripts/export-snapshot.sh sends the principals of the Defender XDR role assignments.
    howToExport: "az rest --method post --url 'https://graph.microsoft.com/v1.0/directoryObjects/getByIds' --body '@principal-ids.json' --output json",
    odataContext: odataContext('directoryObjects'),
    // Without the context: getByIds types every object; a role assignment or alert has other types.
    signatures: ['user', 'group', 'servicePrincipal'].map((type) => ({ has: ['@odata.type', 'id'], equals: { '@odata.type': `#microsoft.graph.${type}` } })),
    namePaths: ['displayName'],
    semantics: [
      {
        field: 'displayName',
        meaning:
          'The name of the user, group or service principal, shown in findings next to its id. Names only: no rule verdict ' +
          'reads it. It is null when the signed-in account may not read objects of that type (Graph then returns only ' +
          '@odata.type and id), and an id with no directory object (a deleted principal) has no record: findings then name ' +
          'the principal by its id alone.',
        source: 'https://learn.microsoft.com/graph/api/directoryobject-getbyids?view=graph-rest-1.0',
      },
    ],
  }),
  graphKind({
    id: 'xdr.roleAssignments',
    title: 'Microsoft Defender XDR unified RBAC role assignments',
    howToExport: graphList('beta', 'roleManagement/defender/roleAssignments'),
    odataContext: odataContext('roleManagement/defender/roleAssignments'),
    signatures: ROLE_ASSIGNMENT_MULTIPLE,
    namePaths: ['displayName'],
    semantics: [
      {
        field: 'principalIds',
        meaning:
          'Object ids of the users, groups and service principals the assignment grants its role, without their names. The ' +
          'resource type lists a principals property for $expand, but the list API documents only $filter and names Cloud PC ' +
          'and Intune as its providers, not Defender: posture-lint does not rely on it. Findings take names from ' +
          'entra.principals (directoryObjects/getByIds) instead.',
        source:
          'https://learn.microsoft.com/graph/api/resources/unifiedroleassignmentmultiple?view=graph-rest-beta, ' +
          'https://learn.microsoft.com/graph/api/rbacapplicationmultiple-list-roleassignments?view=graph-rest-beta',
      },
    ],
  }),
  graphKind({
    id: 'xdr.roleDefinitions',
    title: 'Microsoft Defender XDR unified RBAC role definitions',
    howToExport: graphList('beta', 'roleManagement/defender/roleDefinitions'),
    // Context only: without it a Defender role definition cannot be told from a directory one.
    odataContext: odataContext('roleManagement/defender/roleDefinitions'),
    namePaths: ['displayName'],
  }),
  graphKind({
    id: 'graph.providerRoleAssignments',
    title: 'Role assignments of other Graph unified RBAC providers (Cloud PC, Intune)',
    howToExport: graphList('beta', 'roleManagement/cloudPC/roleAssignments'),
    odataContext: /#roleManagement\/(cloudPC|deviceManagement)\/roleAssignments(\(.*\))?(\/\$entity)?$/i,
    signatures: ROLE_ASSIGNMENT_MULTIPLE,
    namePaths: ['displayName'],
  }),
];
