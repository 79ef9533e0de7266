/**
 * scripts/export-snapshot.sh against a fake `az` (test/fixtures/fake-az/az) that answers from real
 * published payloads (export-snapshot-canned.ts), then the compiled CLI (`npm test` builds first)
 * linting what the script wrote. PATH holds only the fake az, node and the few POSIX tools the
 * script uses: no jq, no real az.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cannedEstate, forbidden, getByIds, GRAPH, MDE, restGet, SUB_DISABLED, SUB_OTHER_TENANT, SUB_VMS, TENANT, type Response, type Route } from './export-snapshot-canned';
import { makeToolsDir, runWithFakeAz, type ExportRun } from './fake-az';

const SCRIPT = path.resolve('scripts/export-snapshot.sh');
const BIN = path.resolve('dist/src/cli/bin.js');

const ARM_KINDS = ['arm.subscriptions', 'arm.roleAssignments', 'arm.virtualMachines', 'arm.arcMachines', 'arm.scaleSetVms'];
const DEFENDER_KINDS = ['defender.pricings', 'defender.settings', 'defender.assessments', 'defender.alerts'];
const MDE_KINDS = ['mde.machines', 'mde.avHealth', 'mde.alerts', 'mde.vulnerabilities', 'mde.recommendations', 'mde.software', 'mde.deviceGroups'];
const GRAPH_KINDS = ['graph.incidents', 'graph.alerts', 'entra.roleAssignments', 'xdr.roleAssignments', 'xdr.roleDefinitions', 'entra.principals'];

interface Manifest {
  tenantId: string;
  takenAt: string;
  exports: { kind: string; files: string[]; pages: { file: string; records: number }[] }[];
}

interface Report {
  snapshot: { files: { file: string; kinds: string[]; records: number }[] };
  rules: { id: string; status: string; needs: string[]; missing?: string[] }[];
  findings: { ruleId: string; resource: { id: string } }[];
  diagnostics: { severity: string; code: string; message: string; file?: string }[];
}


let scratchRoot = '';

/** Runs the script in `cwd` with the fake az answering `routes`. */
function exportSnapshot(routes: readonly Route[], args: string[], cwd = mkdtempSync(path.join(scratchRoot, 'run-'))): ExportRun {
  return runWithFakeAz(SCRIPT, routes, args, scratchRoot, cwd);
}

function lint(out: string): Report {
  const r = spawnSync(process.execPath, [BIN, 'lint', out, '--format', 'json'], { encoding: 'utf8' });
  if (!r.stdout.startsWith('{')) throw new Error(`posture-lint printed no report (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

function manifestOf(out: string): Manifest {
  return parse(readFileSync(path.join(out, 'snapshot.yaml'), 'utf8')) as Manifest;
}

/** Every file below `dir`, relative, with `/`. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesBelow(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

const key = (argv: readonly string[]): string => JSON.stringify(argv);
const sortedKeys = (list: readonly (readonly string[])[]): string[] => list.map(key).sort();

/** `routes` with the call `argv` answered by `response` instead. */
function answering(routes: Route[], argv: string[], response: Response): Route[] {
  const i = routes.findIndex((r) => key(r.argv) === key(argv));
  if (i < 0) throw new Error(`no route for ${key(argv)}`);
  return routes.map((r, j) => (j === i ? { ...r, response } : r));
}

/** The built-in rules whose outcome on the canned estate these tests pin (the pack may grow). */
const PINNED = ['device-groups-cover-rbac-scopes', 'linux-realtime-protection-on', 'subscription-tenant-matches-xdr'];

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.rules.filter((r) => PINNED.includes(r.id)).map((r) => [r.id, r.status]));
}

function errors(report: Report): string[] {
  return report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file ?? ''}: ${d.message}`);
}

describe('scripts/export-snapshot.sh (fake az, real payloads)', function () {
  this.timeout(60_000);

  before(() => {
    scratchRoot = mkdtempSync(path.join(tmpdir(), 'posture-lint-export-'));
    makeToolsDir(scratchRoot);
  });
  after(() => rmSync(scratchRoot, { recursive: true, force: true }));

  describe('every API answers', () => {
    const routes = cannedEstate();
    let run: ExportRun;
    let startedAt: number;
    before(() => {
      startedAt = Math.floor(Date.now() / 1000) * 1000;
      run = exportSnapshot(routes, []);
    });

    it('exits 0 into snapshot-<UTC timestamp>, calling each command once, every page followed', () => {
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).not.to.include('WARNING');
      expect(path.basename(run.out)).to.match(/^snapshot-\d{8}T\d{6}Z$/);
      expect(sortedKeys(run.calls)).to.deep.equal(sortedKeys(routes.map((r) => r.argv)));
      expect(run.calls.flat().join(' ')).not.to.include(SUB_DISABLED);
    });

    it('saves each page unmodified as its own file, and nothing else but snapshot.yaml', () => {
      const exported = routes.filter((r) => r.file !== undefined);
      expect(filesBelow(run.out)).to.deep.equal([...exported.map((r) => r.file as string), 'snapshot.yaml'].sort());
      for (const r of exported) expect(readFileSync(path.join(run.out, r.file as string), 'utf8'), r.file).to.equal(r.response.stdout);
    });

    it('writes snapshot.yaml with the tenant, the UTC time and every kind with its files', () => {
      const manifest = manifestOf(run.out);
      expect(manifest.tenantId).to.equal(TENANT);
      expect(manifest.takenAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(manifest.takenAt)).to.be.within(startedAt, Date.now());
      // The folder is named when the run starts; takenAt is when it finished, so no record postdates it.
      const started = /^snapshot-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(path.basename(run.out));
      expect(started, path.basename(run.out)).to.not.equal(null);
      expect(Date.parse(`${started![1]}-${started![2]}-${started![3]}T${started![4]}:${started![5]}:${started![6]}Z`)).to.be.at.most(Date.parse(manifest.takenAt));
      expect(manifest.exports.map((e) => e.kind)).to.deep.equal([...ARM_KINDS, ...DEFENDER_KINDS, ...MDE_KINDS, ...GRAPH_KINDS]);
    });

    it('lints with no error: every file read as the kind the manifest says, the canned findings', () => {
      const report = lint(run.out);
      expect(errors(report)).to.deep.equal([]);
      const kindOf = new Map(routes.filter((r) => r.file !== undefined).map((r) => [r.file, r.kind]));
      for (const f of report.snapshot.files) expect(f.kinds, f.file).to.deep.equal([kindOf.get(f.file)]);
      expect(report.snapshot.files.map((f) => f.file)).to.have.members([...kindOf.keys()]);
      // Empty on purpose: a subscription with no role assignments, an empty last page, no alerts.
      expect(report.snapshot.files.filter((f) => f.records === 0).map((f) => f.file).sort()).to.deep.equal([
        `arm/${SUB_VMS}/role-assignments.json`,
        `defender/${SUB_OTHER_TENANT}/alerts.page-2.json`,
        `defender/${SUB_VMS}/alerts.page-1.json`,
      ]);
      expect(statuses(report)).to.deep.equal({
        'device-groups-cover-rbac-scopes': 'passed',
        // The published machines are Windows: no Linux device to check, which is not a pass.
        'linux-realtime-protection-on': 'checked-nothing',
        'subscription-tenant-matches-xdr': 'failed',
      });
      // The published az account list record is in another tenant than the XDR exports say.
      expect(report.findings.filter((f) => PINNED.includes(f.ruleId)).map((f) => `${f.ruleId} ${f.resource.id}`)).to.deep.equal([
        `subscription-tenant-matches-xdr /subscriptions/${SUB_OTHER_TENANT}`,
      ]);
    });

    it('lists every page it wrote with the records it held', () => {
      const machines = manifestOf(run.out).exports.find((e) => e.kind === 'mde.machines');
      expect(machines?.pages).to.deep.equal([
        { file: 'mde/machines.page-1.json', records: 1 },
        { file: 'mde/machines.page-2.json', records: 1 },
      ]);
      const written = routes.filter((r) => r.file !== undefined).map((r) => r.file as string).sort();
      expect(manifestOf(run.out).exports.flatMap((e) => e.pages.map((p) => p.file)).sort()).to.deep.equal(written);
    });

    it('so a page lost or cut at a record boundary after the export is an error, and no rule reads the rest', () => {
      const copy = mkdtempSync(path.join(scratchRoot, 'cut-'));
      cpSync(run.out, copy, { recursive: true });
      const page2 = path.join(copy, 'mde', 'machines.page-2.json');
      const doc = JSON.parse(readFileSync(page2, 'utf8')) as { value: unknown[] };
      doc.value.pop();
      writeFileSync(page2, JSON.stringify(doc, null, 2));
      rmSync(path.join(copy, 'defender', SUB_OTHER_TENANT, 'alerts.page-1.json'));
      const report = lint(copy);
      expect(errors(report).map((e) => e.replace(/ snapshot\.yaml: /, ': '))).to.deep.equal([
        'record-count: mde/machines.page-2.json holds 0 records, but the exporter wrote 1: the file was cut or changed; export it again',
        // A missing page is an effect (of a failed or lost download): it sorts after the causes.
        `export-missing: defender.alerts: page defender/${SUB_OTHER_TENANT}/alerts.page-1.json (2 records) is missing; export it again with: az rest --method get --url 'https://management.azure.com/subscriptions/<subscription-id>/providers/Microsoft.Security/alerts?api-version=2022-01-01' --output json`,
      ]);
      const devices = report.rules.find((r) => r.id === 'device-groups-cover-rbac-scopes');
      expect(devices?.status).to.equal('not-evaluated');
      expect(devices?.missing).to.deep.equal(['mde.machines is incomplete: mde/machines.page-2.json (record-count)']);
    });

    it('needs the manifest globs only for empty pages: every other file is recognised by content', () => {
      const copy = mkdtempSync(path.join(scratchRoot, 'kinds-only-'));
      cpSync(run.out, copy, { recursive: true });
      const manifest = path.join(copy, 'snapshot.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^ +files: .*\n/gm, '').replace(/^ +pages:\n(?: +- \{.*\n)*/gm, ''));
      const report = lint(copy);
      // Unmapped, the empty last page is nobody's, so its first page looks like a missing last page.
      expect(errors(report)).to.deep.equal([
        `incomplete-paging snapshot.yaml: defender.alerts: every file carries a next-page link, so the last page is missing (defender/${SUB_OTHER_TENANT}/alerts.page-1.json); export all pages`,
      ]);
      const kindOf = new Map(routes.map((r) => [r.file, r.kind]));
      for (const f of report.snapshot.files.filter((x) => x.records > 0)) expect(f.kinds, f.file).to.include(kindOf.get(f.file));
      expect(report.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.code} ${d.file}`).sort()).to.deep.equal([
        // The two published machine lists show one device with different values.
        'conflicting-records mde/machines.page-2.json',
        `empty-export arm/${SUB_VMS}/role-assignments.json`,
        `empty-export defender/${SUB_OTHER_TENANT}/alerts.page-2.json`,
        `empty-export defender/${SUB_VMS}/alerts.page-1.json`,
        // Unmapped, the empty export of the other subscription is nobody's: its role assignments look unexported.
        `export-subscriptions-missing arm/${SUB_OTHER_TENANT}/role-assignments.json`,
      ]);
    });
  });

  describe('an API fails (403: the login lacks the MDE permission)', () => {
    const deviceAvInfo = restGet(`${MDE}/api/deviceavinfo`, MDE);
    const routes = answering(cannedEstate(), deviceAvInfo, forbidden('The application does not have any of the required application permissions to access the resource.'));
    let run: ExportRun;
    before(() => {
      run = exportSnapshot(routes, ['--out', 'partial', '--skip-graph']);
    });

    it('warns naming the API and its error, exits 1 without --allow-partial', () => {
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/WARNING: mde\.avHealth will not be in the snapshot: az rest --method get --url https:\/\/api\.securitycenter\.microsoft\.com\/api\/deviceavinfo .*failed:\n {4}ERROR: Forbidden/);
      expect(run.stderr).to.include('left out of snapshot.yaml: mde.avHealth');
      expect(run.calls.filter((c) => c.join(' ').includes('graph.microsoft.com'))).to.deep.equal([]);
    });

    it('leaves the kind out of snapshot.yaml and no file of it behind', () => {
      const manifest = manifestOf(run.out);
      expect(manifest.exports.map((e) => e.kind)).to.deep.equal([...ARM_KINDS, ...DEFENDER_KINDS, ...MDE_KINDS.filter((k) => k !== 'mde.avHealth')]);
      expect(readFileSync(path.join(run.out, 'snapshot.yaml'), 'utf8')).to.include('# Not exported, the API failed: mde.avHealth');
      expect(filesBelow(run.out).filter((f) => f.startsWith('mde/deviceavinfo'))).to.deep.equal([]);
    });

    it('lints with no error, and the rule that needs the kind is not evaluated', () => {
      const report = lint(run.out);
      expect(errors(report)).to.deep.equal([]);
      expect(statuses(report)).to.deep.equal({
        'device-groups-cover-rbac-scopes': 'passed',
        'linux-realtime-protection-on': 'not-evaluated',
        'subscription-tenant-matches-xdr': 'failed',
      });
    });
  });

  describe('a later page fails, --allow-partial, one --subscription', () => {
    const page2 = restGet(`${MDE}/api/machines?$skiptoken=1`, MDE);
    const routes = answering(cannedEstate([SUB_VMS]), page2, { stderr: 'ERROR: Too Many Requests({"error":{"code":"TooManyRequests","message":"Rate limit is exceeded."}})\n', exit: 1 });
    let run: ExportRun;
    before(() => {
      run = exportSnapshot(routes, ['--subscription', SUB_VMS, '--skip-graph', '--allow-partial', '--out', 'partial']);
    });

    it('exports only that subscription, and exits 0 with the warning', () => {
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.include('WARNING: mde.machines will not be in the snapshot');
      const perSubscription = run.calls.filter((c) => c.join(' ').includes(SUB_OTHER_TENANT) || (c.includes('--query') && c.includes('list')));
      expect(perSubscription).to.deep.equal([]);
      expect(filesBelow(run.out).filter((f) => /^(arm|defender)\/[0-9a-f-]{36}\//.test(f)).every((f) => f.includes(SUB_VMS))).to.equal(true);
    });

    it('removes the pages it did get, so the device list cannot look complete', () => {
      expect(filesBelow(run.out).filter((f) => f.startsWith('mde/machines'))).to.deep.equal([]);
      expect(manifestOf(run.out).exports.map((e) => e.kind)).not.to.include('mde.machines');
      const report = lint(run.out);
      expect(errors(report)).to.deep.equal([]);
      expect(statuses(report)['device-groups-cover-rbac-scopes']).to.equal('not-evaluated');
      expect(report.rules.find((r) => r.id === 'device-groups-cover-rbac-scopes')?.needs).to.include('mde.machines');
    });
  });

  describe('the names of the Defender XDR principals (Graph directoryObjects/getByIds)', () => {
    const XDR_PAGE = `${GRAPH}/beta/roleManagement/defender/roleAssignments`;
    /** 1,001 principals over two assignments, one of them listed again in upper case. */
    const ids = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const xdrPage = {
      '@odata.context': 'https://graph.microsoft.com/beta/$metadata#roleManagement/defender/roleAssignments',
      value: [
        { id: 'a1', roleDefinitionId: 'r', principalIds: ids.slice(500).reverse(), appScopeIds: ['/'] },
        { id: 'a2', roleDefinitionId: 'r', principalIds: [...ids.slice(0, 500), ids[7].toUpperCase()], appScopeIds: ['/'] },
      ],
    };
    const objects = (batch: string[]) => `${JSON.stringify({ '@odata.context': `${GRAPH}/v1.0/$metadata#directoryObjects`, value: batch.map((id) => ({ '@odata.type': '#microsoft.graph.group', id, displayName: `group ${id.slice(-4)}` })) })}\n`;

    it('asks for each principal once, sorted, users, groups and service principals, at most 1000 ids a request, and saves each answer as a page', () => {
      const canned = answering(cannedEstate(), restGet(XDR_PAGE), { stdout: `${JSON.stringify(xdrPage)}\n` }).filter((r) => r.kind !== 'entra.principals');
      const batches = [ids.slice(0, 1000), ids.slice(1000)];
      const routes = [
        ...canned,
        ...batches.map((batch, i): Route => ({ argv: getByIds(batch), response: { stdout: objects(batch) }, source: 'graph', kind: 'entra.principals', file: `graph/principals.page-${i + 1}.json` })),
      ];
      const run = exportSnapshot(routes, ['--out', 'named']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.calls.filter((c) => c.includes('post'))).to.deep.equal(batches.map(getByIds));
      expect(manifestOf(run.out).exports.find((e) => e.kind === 'entra.principals')?.pages).to.deep.equal([
        { file: 'graph/principals.page-1.json', records: 1000 },
        { file: 'graph/principals.page-2.json', records: 1 },
      ]);
      // The request bodies stay out of the snapshot folder.
      expect(filesBelow(run.out).filter((f) => !routes.some((r) => r.file === f))).to.deep.equal(['snapshot.yaml']);
      const report = lint(run.out);
      expect(errors(report)).to.deep.equal([]);
      expect(report.snapshot.files.filter((f) => f.file.startsWith('graph/principals')).map((f) => [f.file, f.kinds, f.records])).to.deep.equal([
        ['graph/principals.page-1.json', ['entra.principals'], 1000],
        ['graph/principals.page-2.json', ['entra.principals'], 1],
      ]);
    });

    it('sends only object ids: a principal id that is not a GUID (quotes, $(...), a newline) is named by id, not sent to Graph, which would refuse the whole batch', () => {
      const odd = ["$(touch pwned)", "'; touch pwned #", 'a"b\nc', '@/etc/passwd', '', 42];
      const page = { ...xdrPage, value: [{ ...xdrPage.value[0], principalIds: [ids[1], ...odd, ids[0]] }] };
      const canned = answering(cannedEstate(), restGet(XDR_PAGE), { stdout: `${JSON.stringify(page)}\n` }).filter((r) => r.kind !== 'entra.principals');
      const routes = [...canned, { argv: getByIds([ids[0], ids[1]]), response: { stdout: objects([ids[0], ids[1]]) }, source: 'graph', kind: 'entra.principals', file: 'graph/principals.page-1.json' } as Route];
      const run = exportSnapshot(routes, ['--out', 'odd']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.include('export-snapshot: 6 principal id(s) of the Defender XDR role assignments are not object ids (GUIDs): findings name them by id');
      expect(run.calls.filter((c) => c.includes('post'))).to.deep.equal([getByIds([ids[0], ids[1]])]);
      expect(filesBelow(path.dirname(run.out))).to.deep.equal([...routes.filter((r) => r.file !== undefined).map((r) => `odd/${r.file}`), 'odd/snapshot.yaml'].sort());
    });

    it('without Directory.Read.All (403) warns and leaves the names out; every rule is still evaluated', () => {
      const principals = cannedEstate().find((r) => r.kind === 'entra.principals')!.argv;
      const routes = answering(cannedEstate(), principals, forbidden('Insufficient privileges to complete the operation.'));
      const run = exportSnapshot(routes, ['--out', 'unnamed', '--allow-partial']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.include('WARNING: entra.principals will not be in the snapshot');
      expect(manifestOf(run.out).exports.map((e) => e.kind)).not.to.include('entra.principals');
      expect(filesBelow(run.out).filter((f) => f.startsWith('graph/principals'))).to.deep.equal([]);
      const report = lint(run.out);
      expect(errors(report)).to.deep.equal([]);
      expect(report.rules.filter((r) => r.status === 'not-evaluated').map((r) => r.id)).to.deep.equal([]);
    });
  });

  describe('--skip-mde --skip-graph, and refusals', () => {
    it('calls neither API and lists only the ARM and Defender for Cloud kinds', () => {
      const run = exportSnapshot(cannedEstate([SUB_VMS]), ['--skip-mde', '--skip-graph', '--subscription', SUB_VMS, '--out', 'arm-only']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.calls.filter((c) => c[0] === 'rest' && !c[4].startsWith('https://management.azure.com/'))).to.deep.equal([]);
      expect(manifestOf(run.out).exports.map((e) => e.kind)).to.deep.equal([...ARM_KINDS, ...DEFENDER_KINDS]);
    });

    it('refuses a folder that is not empty, and a subscription that is not an id, before calling az', () => {
      const cwd = mkdtempSync(path.join(scratchRoot, 'refuse-'));
      mkdirSync(path.join(cwd, 'old'));
      writeFileSync(path.join(cwd, 'old', 'stale.json'), '[]');
      const notEmpty = exportSnapshot(cannedEstate(), ['--out', 'old'], cwd);
      expect(notEmpty.code).to.equal(2);
      expect(notEmpty.stderr).to.include('old is not empty');
      const byName = exportSnapshot(cannedEstate(), ['--subscription', 'contoso-prod'], cwd);
      expect(byName.code).to.equal(2);
      expect(byName.stderr).to.include("not 'contoso-prod'");
      expect([...notEmpty.calls, ...byName.calls]).to.deep.equal([]);
    });
  });
});
