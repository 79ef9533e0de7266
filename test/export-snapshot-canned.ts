/**
 * The estate the fake `az` (test/fixtures/fake-az/az) answers with in export-snapshot.test.ts.
 * Every response body is a real published payload from test/fixtures/real-examples and real-examples-repaired (their
 * sources are in SOURCES.md there), verbatim unless a comment says what was changed and why:
 * next links added to split an API into pages, list envelopes around single-entity examples, and
 * a few ids and tenant ids so that the exports describe one consistent tenant.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Tenant of the login: the `tenantId` of the published Graph alerts_v2 and incidents examples. */
export const TENANT = 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c';
/** The published `az account list` record, unchanged: a subscription in another tenant (00000000-…). */
export const SUB_OTHER_TENANT = '00000000-0000-0000-0000-000000000000';
/** The subscription of the published Resource Graph VM rows, in the login tenant. */
export const SUB_VMS = 'cfbbd179-59d2-4052-aa06-9270a38aa9d6';
/** A disabled subscription (id from the published role assignment list): nothing is exported for it. */
export const SUB_DISABLED = 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2';

export const ARM = 'https://management.azure.com';
export const MDE = 'https://api.securitycenter.microsoft.com';
export const GRAPH = 'https://graph.microsoft.com';
const VM_QUERY = "Resources | where type =~ 'microsoft.compute/virtualmachines'";
const ARC_QUERY = "Resources | where type =~ 'microsoft.hybridcompute/machines'";
const SCALE_SET_VM_QUERY = "ComputeResources | where type =~ 'microsoft.compute/virtualmachinescalesets/virtualmachines'";

export type Source = 'account' | 'arm' | 'defender' | 'mde' | 'graph';

export interface Response {
  stdout?: string;
  stderr?: string;
  exit?: number;
}

export interface Route {
  argv: string[];
  response: Response;
  source: Source;
  /** Export kind the response belongs to. */
  kind?: string;
  /** Where the script must save the response (relative to the snapshot folder). */
  file?: string;
}

function example(file: string): string {
  return readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');
}

function exampleJson(file: string): any {
  return JSON.parse(example(file));
}

/** JSON as `az` prints it. */
function printed(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `az rest` GET, with the arguments in the order the script passes them. */
export function restGet(url: string, resource?: string): string[] {
  return ['rest', '--method', 'get', '--url', url, ...(resource === undefined ? [] : ['--resource', resource]), '--output', 'json'];
}

function graphQuery(subscriptions: readonly string[], skipToken?: string, query = VM_QUERY): string[] {
  return ['graph', 'query', '-q', query, '--first', '1000', ...(skipToken === undefined ? [] : ['--skip-token', skipToken]), '--subscriptions', ...subscriptions, '--output', 'json'];
}

/** What `az rest` prints and returns when the API answers 403. */
export function forbidden(message: string): Response {
  return { stderr: `ERROR: Forbidden(${JSON.stringify({ error: { code: 'Forbidden', message } })})\n`, exit: 1 };
}

/** A list page with `link` added as its next link under `key`, after `value`. */
function withNextLink(file: string, key: 'nextLink' | '@odata.nextLink', link: string): string {
  return printed({ ...exampleJson(file), [key]: link });
}

/** A Graph list envelope around a single-entity (create response) example. */
function graphList(file: string, context: string): string {
  const { '@odata.context': _entityContext, ...entity } = exampleJson(file);
  return printed({ '@odata.context': context, value: [entity] });
}

/**
 * Every call the script makes for `subscriptions` (the ones it exports per subscription), with
 * its canned answer. Calls the script makes only in some runs (the enabled-subscription listing,
 * MDE, Graph) are tagged by `source` so a test can select what a run must call.
 */
export function cannedEstate(subscriptions: readonly string[] = [SUB_OTHER_TENANT, SUB_VMS]): Route[] {
  const account = exampleJson('real-examples-repaired/arm/subscriptions.az-login-account-list.cli-output.docs-example.json')[0];
  const routes: Route[] = [
    // tsv with CRLF, as az prints it on Windows: the script must strip the \r.
    { argv: ['account', 'show', '--query', 'tenantId', '--output', 'tsv'], response: { stdout: `${TENANT}\r\n` }, source: 'account' },
    {
      argv: ['account', 'list', '--all', '--output', 'json'],
      response: {
        stdout: printed([
          account,
          { ...account, homeTenantId: TENANT, id: SUB_VMS, isDefault: true, name: 'vm-subscription', tenantId: TENANT },
          { ...account, homeTenantId: TENANT, id: SUB_DISABLED, name: 'disabled-subscription', state: 'Disabled', tenantId: TENANT },
        ]),
      },
      source: 'arm',
      kind: 'arm.subscriptions',
      file: 'arm/subscriptions.json',
    },
    {
      argv: ['account', 'list', '--query', "[?state=='Enabled'].id", '--output', 'tsv'],
      response: { stdout: `${SUB_OTHER_TENANT}\r\n${SUB_VMS}\r\n` },
      source: 'account',
    },
  ];

  const assignment = example('real-examples/arm/role-assignment.create.az-cli-output.docs-example.json');
  for (const sub of subscriptions) {
    routes.push({
      argv: ['role', 'assignment', 'list', '--all', '--subscription', sub, '--output', 'json'],
      // The published assignment is at the 00000000-… subscription; the other has none ([]).
      response: { stdout: sub === SUB_OTHER_TENANT ? printed([JSON.parse(assignment)]) : '[]\n' },
      source: 'arm',
      kind: 'arm.roleAssignments',
      file: `arm/${sub}/role-assignments.json`,
    });
  }

  // The published VM rows, split into the `az graph query` envelope of the published CLI output.
  const rows = exampleJson('real-examples/arm/resource-graph.query-filter-vms.rest-2021-03-01.example.json').data;
  const skipToken = Buffer.from(JSON.stringify({ $id: '1', MaxRows: 2, RowsToSkip: 2 })).toString('base64');
  routes.push(
    {
      argv: graphQuery(subscriptions),
      response: { stdout: printed({ count: 2, data: rows.slice(0, 2), skip_token: skipToken, total_records: 3 }) },
      source: 'arm',
      kind: 'arm.virtualMachines',
      file: 'arm/vms.page-1.json',
    },
    {
      argv: graphQuery(subscriptions, skipToken),
      response: { stdout: printed({ count: 1, data: rows.slice(2), skip_token: null, total_records: 3 }) },
      source: 'arm',
      kind: 'arm.virtualMachines',
      file: 'arm/vms.page-2.json',
    },
  );

  // One page each of Arc-enabled servers and scale-set instances: the published single-resource
  // examples in the `az graph query` envelope. The scale-set instance example gives the type of a
  // VM; its id says what it is.
  const onePage = (query: string, kind: string, file: string, example: string): Route => ({
    argv: graphQuery(subscriptions, undefined, query),
    response: { stdout: printed({ count: 1, data: [exampleJson(example)], skip_token: null, total_records: 1 }) },
    source: 'arm',
    kind,
    file,
  });
  routes.push(
    onePage(ARC_QUERY, 'arm.arcMachines', 'arm/arc-machines.page-1.json', 'real-examples/arm/arc-machines.get.rest-2024-07-10.example.json'),
    onePage(SCALE_SET_VM_QUERY, 'arm.scaleSetVms', 'arm/scale-set-vms.page-1.json', 'real-examples/arm/scale-set-vms.get-with-vm-size-properties.rest-2024-07-01.example.json'),
  );

  const dfc = 'real-examples/defender-for-cloud';
  for (const sub of subscriptions) {
    const api = (name: string, version: string, extra = '') =>
      `${ARM}/subscriptions/${sub}/providers/Microsoft.Security/${name}?api-version=${version}${extra}`;
    const defender = (name: string, url: string, page: number, stdout: string): Route => ({
      argv: restGet(url),
      response: { stdout },
      source: 'defender',
      kind: `defender.${name}`,
      file: `defender/${sub}/${name}.page-${page}.json`,
    });
    const recorded = sub === SUB_VMS; // the other subscription answers with the az-cli recordings
    routes.push(
      defender('pricings', api('pricings', '2024-01-01'), 1, example(`${dfc}/pricings.list.${recorded ? 'az-cli-recording.response' : 'rest-2024-01-01.example'}.json`)),
      defender('settings', api('settings', '2022-05-01'), 1, example(`${dfc}/settings.list.${recorded ? 'az-cli-recording.response' : 'rest-2022-05-01.example'}.json`)),
      defender('assessments', api('assessments', '2021-06-01'), 1, example(`${dfc}/assessments.list.rest-2021-06-01.example.json`)),
    );
    if (sub === SUB_OTHER_TENANT) {
      // The published alerts, then an empty last page, as ARM lists sometimes end.
      const next = api('alerts', '2022-01-01', '&$skipToken=2');
      routes.push(
        defender('alerts', api('alerts', '2022-01-01'), 1, withNextLink(`${dfc}/alerts.list-subscription.rest-2022-01-01.example.json`, 'nextLink', next)),
        defender('alerts', next, 2, printed({ value: [] })),
      );
    } else {
      routes.push(defender('alerts', api('alerts', '2022-01-01'), 1, printed({ value: [] })));
    }
  }

  const mde = (name: string, kind: string, url: string, page: number, stdout: string): Route => ({
    argv: restGet(url, MDE),
    response: { stdout },
    source: 'mde',
    kind,
    file: `mde/${name}.page-${page}.json`,
  });
  const repaired = 'real-examples-repaired/mde';
  const machinesNext = `${MDE}/api/machines?$skiptoken=1`;
  const mdeAlerts = exampleJson(`${repaired}/alerts.list-filter-lastupdatetime.odata-samples.docs-example.json`);
  // The published MDE alert names another tenant than the Graph examples; one tenant here.
  mdeAlerts.value[0].aadTenantId = TENANT;
  routes.push(
    // Two pages: the published GET /api/machines answer with a next link, then the published filtered list.
    mde('machines', 'mde.machines', `${MDE}/api/machines`, 1, withNextLink(`${repaired}/machines.get-machines.docs-example.json`, '@odata.nextLink', machinesNext)),
    mde('machines', 'mde.machines', machinesNext, 2, example(`${repaired}/machines.list-filter-healthstatus.odata-samples.docs-example.json`)),
    mde('deviceavinfo', 'mde.avHealth', `${MDE}/api/deviceavinfo`, 1, example(`${repaired}/device-av-health.deviceavinfo.docs-example.json`)),
    mde('alerts', 'mde.alerts', `${MDE}/api/alerts`, 1, printed(mdeAlerts)),
    mde('vulnerabilities', 'mde.vulnerabilities', `${MDE}/api/vulnerabilities/machinesVulnerabilities`, 1, example(`${repaired}/vulnerabilities.machines-vulnerabilities.docs-example.json`)),
    mde('recommendations', 'mde.recommendations', `${MDE}/api/recommendations`, 1, example(`${repaired}/recommendations.list.docs-example.json`)),
    mde('software', 'mde.software', `${MDE}/api/Software`, 1, example(`${repaired}/software.list.docs-example.json`)),
    mde('device-groups', 'mde.deviceGroups', `${MDE}/api/exposureScore/ByMachineGroups`, 1, example(`${repaired}/machine-groups.exposure-score-by-machine-groups.docs-example.json`)),
  );

  const graph = (name: string, kind: string, url: string, stdout: string): Route => ({
    argv: restGet(url),
    response: { stdout },
    source: 'graph',
    kind,
    file: `graph/${name}.page-1.json`,
  });
  routes.push(
    graph('incidents', 'graph.incidents', `${GRAPH}/v1.0/security/incidents`, example('real-examples/graph/security-incidents.list.graph-v1.0.docs-example.json')),
    graph('alerts', 'graph.alerts', `${GRAPH}/v1.0/security/alerts_v2`, example('real-examples/graph/security-alerts_v2.list.graph-v1.0.docs-example.json')),
    graph('entra-role-assignments', 'entra.roleAssignments', `${GRAPH}/v1.0/roleManagement/directory/roleAssignments?$expand=principal`, example('real-examples-repaired/graph/directory-role-assignments.list-filter-roledef-expand-principal.graph-v1.0.docs-example.json')),
    // Only create responses are published for the Defender unified RBAC lists: wrapped as a list page.
    graph('xdr-role-assignments', 'xdr.roleAssignments', `${GRAPH}/beta/roleManagement/defender/roleAssignments`,
      graphList('real-examples/graph/defender-xdr-rbac.role-assignment.create-response.graph-beta.docs-example.json', 'https://graph.microsoft.com/beta/$metadata#roleManagement/defender/roleAssignments')),
    graph('xdr-role-definitions', 'xdr.roleDefinitions', `${GRAPH}/beta/roleManagement/defender/roleDefinitions`,
      graphList('real-examples/graph/defender-xdr-rbac.role-definition.create-response.graph-beta.docs-example.json', 'https://graph.microsoft.com/beta/$metadata#roleManagement/defender/roleDefinitions')),
  );

  // getByIds for the principals of the Defender XDR assignment above, sorted: the published
  // getByIds answer, whose two users (which share one id as published) get those two ids.
  const principalIds = (exampleJson('real-examples/graph/defender-xdr-rbac.role-assignment.create-response.graph-beta.docs-example.json').principalIds as string[]).sort();
  const objects = exampleJson('real-examples/graph/directory-objects.get-by-ids.graph-v1.0.docs-example.json');
  objects.value.forEach((o: { id: string }, i: number) => (o.id = principalIds[i]));
  routes.push({
    argv: getByIds(principalIds),
    response: { stdout: printed(objects) },
    source: 'graph',
    kind: 'entra.principals',
    file: 'graph/principals.page-1.json',
  });
  return routes;
}

/** `az rest` POST to Graph getByIds, its body as the fake az matches it (`@` and the body file's content). */
export function getByIds(ids: readonly string[]): string[] {
  const body = JSON.stringify({ ids, types: ['user', 'group', 'servicePrincipal'] });
  return ['rest', '--method', 'post', '--url', `${GRAPH}/v1.0/directoryObjects/getByIds`, '--body', `@${body}`, '--output', 'json'];
}
