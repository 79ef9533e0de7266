/**
 * Who administers what, from Microsoft Graph in the Contoso (XDR) tenant: Entra directory role
 * assignments (v1.0 `roleManagement/directory/roleAssignments?$expand=principal`), Defender XDR
 * unified RBAC role assignments (beta `roleManagement/defender/roleAssignments`) and the objects of
 * the latter's principals (v1.0 `directoryObjects/getByIds`, for their names). Principals that also
 * hold Azure roles keep the object ids of the ARM role assignments.
 */
import { DEVICE_GROUPS, principalId } from './estate';
import type { GroupName, Principal } from './estate';
import { guid } from './util';
import type { SnapshotFile } from './util';

const GRAPH = 'https://graph.microsoft.com';

/** Built-in Entra roles: a built-in role's roleDefinitionId is its role template id. */
const DIRECTORY_ROLES = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'Security Reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

/** A user (`name` is its user principal name) or a role-assignable group, as `$expand=principal` shows it. */
interface DirectoryPrincipal extends Principal {
  displayName: string;
  /** Users: the mailbox address; null for cloud-only accounts without one (break-glass). */
  mail?: string | null;
  /** Users: a B2B guest, whose user principal name is the mangled `#EXT#` form. */
  guest?: boolean;
  /** Groups: the description. */
  description?: string;
}

const DIRECTORY_ROLE_ASSIGNMENTS: ReadonlyArray<{ role: keyof typeof DIRECTORY_ROLES; principal: DirectoryPrincipal }> = [
  // PLANT xdr-admin-roles-assigned: five Global Administrators, over the default maximum of 4. The
  // fifth is Fabrikam's admin, invited as a guest during the acquisition and never removed.
  { role: 'Global Administrator', principal: { name: 'breakglass01@contoso.onmicrosoft.com', type: 'User', displayName: 'Break Glass 01', mail: null } },
  { role: 'Global Administrator', principal: { name: 'breakglass02@contoso.onmicrosoft.com', type: 'User', displayName: 'Break Glass 02', mail: null } },
  { role: 'Global Administrator', principal: { name: 'cloud-admin@contoso.com', type: 'User', displayName: 'Contoso Cloud Admin', mail: 'cloud-admin@contoso.com' } },
  { role: 'Global Administrator', principal: { name: 'morgan.ellis@contoso.com', type: 'User', displayName: 'Morgan Ellis', mail: 'morgan.ellis@contoso.com' } },
  { role: 'Global Administrator', principal: { name: 'dana.lopez_fabrikam.com#EXT#@contoso.onmicrosoft.com', type: 'User', displayName: 'Dana Lopez (Fabrikam)', mail: 'dana.lopez@fabrikam.com', guest: true } },
  // Look-alikes: Defender XDR does have a Security Administrator; Security Reader and Global
  // Reader administer nothing.
  { role: 'Security Administrator', principal: { name: 'sam.okafor@contoso.com', type: 'User', displayName: 'Sam Okafor', mail: 'sam.okafor@contoso.com' } },
  { role: 'Security Reader', principal: { name: 'sg-secops', type: 'Group', displayName: 'sg-secops', description: 'Security operations team' } },
  { role: 'Global Reader', principal: { name: 'avery.chen@contoso.com', type: 'User', displayName: 'Avery Chen', mail: 'avery.chen@contoso.com' } },
];

/** The groups that hold a directory role, by name. */
const DIRECTORY_GROUPS = new Map(DIRECTORY_ROLE_ASSIGNMENTS.filter((a) => a.principal.type === 'Group').map((a) => [a.principal.name, a.principal]));

/** Custom Defender XDR roles (Permissions > Microsoft Defender XDR > Roles). */
const XDR_ROLES = ['Security operations', 'Server operators', 'Security posture'] as const;

const groupPrincipal = (name: string): Principal => ({ name, type: 'Group' });

/** `appScopeIds` naming MDE device groups by their rbacGroupId. */
const deviceGroups = (...names: GroupName[]): string[] => names.map((g) => String(DEVICE_GROUPS[g]));

const XDR_ROLE_ASSIGNMENTS: ReadonlyArray<{
  displayName: string;
  description: string;
  role: (typeof XDR_ROLES)[number];
  principals: Principal[];
  appScopeIds: string[];
}> = [
  // Look-alike for xdr-access-within-arm-access: many device groups, all within the subscriptions
  // where sg-secops holds Security Reader; Corp-OnPrem and sql-onprem-01 are not VMs and do not count.
  {
    displayName: 'SOC analysts', description: 'Tier 1 and 2 analysts, production and shared servers', role: 'Security operations',
    principals: [groupPrincipal('sg-secops')],
    appScopeIds: deviceGroups('Prod-Web', 'Prod-SQL', 'Prod-App', 'Prod-Mgmt', 'Shared-Identity', 'Shared-Ops', 'Shared-Infra', 'Corp-OnPrem'),
  },
  // PLANT xdr-access-within-arm-access: both web operator teams get Prod-Web, which holds the VMs of
  // rg-web-prod-weu and of RG-WEB-PROD-NEU, while each team holds an Azure role on its own only.
  {
    displayName: 'Web operators', description: 'Respond on the production web servers', role: 'Server operators',
    principals: [groupPrincipal('sg-web-operators-weu'), groupPrincipal('sg-web-operators-neu')],
    appScopeIds: deviceGroups('Prod-Web'),
  },
  // Look-alike: Prod-SQL holds only rg-sql-prod's VMs (SQL-PROD-01 linked by a lower-cased
  // resourceId only) and an on-premises server.
  {
    displayName: 'Database operators', description: 'Respond on the SQL servers', role: 'Server operators',
    principals: [groupPrincipal('sg-dba')],
    appScopeIds: deviceGroups('Prod-SQL'),
  },
  // Look-alike: Dev-Servers spans three resource groups, but sg-developers' role is on the subscription.
  {
    displayName: 'Developers', description: 'Development servers', role: 'Server operators',
    principals: [groupPrincipal('sg-developers')],
    appScopeIds: deviceGroups('Dev-Servers'),
  },
  // Look-alike: a Defender for Cloud data scope only (as in the Graph example), which opens no device.
  {
    displayName: 'Cloud posture', description: 'Defender for Cloud posture data', role: 'Security posture',
    principals: [groupPrincipal('sg-contoso-cloud-admins')],
    appScopeIds: ['Mdc'],
  },
];

export function rbacFiles(): SnapshotFile[] {
  return [
    ['graph/directory-role-assignments.json', {
      '@odata.context': `${GRAPH}/v1.0/$metadata#roleManagement/directory/roleAssignments(principal())`,
      value: DIRECTORY_ROLE_ASSIGNMENTS.map((a) => directoryRoleAssignment(DIRECTORY_ROLES[a.role], a.principal)),
    }],
    // What scripts/export-snapshot.sh asks getByIds for: the XDR principals, in one batch.
    ['graph/principals.page-1.json', {
      '@odata.context': `${GRAPH}/v1.0/$metadata#directoryObjects`,
      value: [...new Map(XDR_ROLE_ASSIGNMENTS.flatMap((a) => a.principals).map((p) => [principalId(p), p])).values()].map((p) =>
        groupObject(principalId(p), { ...p, displayName: p.name, description: DIRECTORY_GROUPS.get(p.name)?.description }, DIRECTORY_GROUPS.has(p.name)),
      ),
    }],
    ['graph/defender-role-assignments.json', {
      '@odata.context': `${GRAPH}/beta/$metadata#roleManagement/defender/roleAssignments`,
      value: XDR_ROLE_ASSIGNMENTS.map((a) => ({
        id: guid(`xdr-role-assignment:${a.displayName}`),
        description: a.description,
        displayName: a.displayName,
        roleDefinitionId: guid(`xdr-role:${a.role}`),
        principalIds: a.principals.map(principalId),
        directoryScopeIds: ['/'],
        appScopeIds: a.appScopeIds,
      })),
    }],
  ];
}

/** A GUID's bytes in Microsoft's mixed-endian order (the first three groups little-endian). */
function guidBytes(id: string): Buffer {
  const b = Buffer.from(id.replace(/-/g, ''), 'hex');
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}

function directoryRoleAssignment(roleDefinitionId: string, p: DirectoryPrincipal): unknown {
  const id = principalId(p);
  return {
    // Entra spells a directory role assignment id as base64url(role template, principal) + "-1".
    id: `${Buffer.concat([guidBytes(roleDefinitionId), guidBytes(id)]).toString('base64url')}-1`,
    principalId: id,
    resourceScope: '/',
    directoryScopeId: '/',
    roleDefinitionId,
    principal: p.type === 'Group' ? groupObject(id, p, true) : userObject(id, p),
  };
}

function userObject(id: string, p: DirectoryPrincipal): unknown {
  const mail = p.mail ?? null;
  return {
    '@odata.type': '#microsoft.graph.user',
    id,
    accountEnabled: true,
    displayName: p.displayName,
    imAddresses: mail !== null && !p.guest ? [mail] : [],
    mail,
    mailNickname: p.name.split('@')[0],
    userPrincipalName: p.name,
    userType: p.guest ? 'Guest' : 'Member',
  };
}

/** A security group; only a role-assignable one can hold an Entra directory role. */
function groupObject(id: string, p: DirectoryPrincipal, roleAssignable: boolean): unknown {
  return {
    '@odata.type': '#microsoft.graph.group',
    id,
    description: p.description ?? null,
    displayName: p.displayName,
    isAssignableToRole: roleAssignable,
    mail: null,
    mailEnabled: false,
    mailNickname: p.name,
    securityEnabled: true,
  };
}
