/**
 * Findings name principals where an export has their names (issue 15, item 8): the Defender XDR
 * principals through the `entra.principals` export (Graph directoryObjects/getByIds), read by a
 * presentation join, which only templates may read, so the names never decide a verdict: without
 * the export, or with an incomplete one, every verdict and fingerprint is the same and findings
 * name principals by id.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lint } from '../src/lint';
import { COLLECTIONS } from '../src/lint';
import { loadRules } from '../src/rules/load';
import { exportKind } from '../src/snapshot/kinds';
import { validateRecord } from '../src/snapshot/validate';
import { FORMATTERS } from '../src/report/formatters';
import { scratch } from './snapshot-helpers';

const DEMO = 'fixtures/snapshots/contoso';
const RULE = 'rules/xdr-access-within-arm-access.yaml';
const BIN = 'dist/src/cli/bin.js';
const PRINCIPALS = join('graph', 'principals.page-1.json');
const NEU = '31253496-5466-4315-9d65-0b0f18387307';
const WEU = '9a7d4fdf-477b-4216-90f0-fc38dc313167';

async function xdrAccess(snapshot: string) {
  const { report } = await lint({ snapshot, ruleset: 'none', rules: [RULE] });
  return report;
}

/** A copy of the demo snapshot, changed by `change`, for one test. */
async function withDemoCopy<T>(change: (dir: string) => void, use: (dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = scratch();
  try {
    cpSync(DEMO, dir, { recursive: true });
    change(dir);
    return await use(dir);
  } finally {
    cleanup();
  }
}

function editPrincipals(dir: string, edit: (objects: Record<string, unknown>[]) => Record<string, unknown>[]): void {
  const file = join(dir, PRINCIPALS);
  const page = JSON.parse(readFileSync(file, 'utf8')) as { value: Record<string, unknown>[] };
  page.value = edit(page.value);
  writeFileSync(file, JSON.stringify(page, null, 2));
}

/** What a verdict is made of: each rule's status and counts, and each finding's fingerprint. */
function verdicts(report: Awaited<ReturnType<typeof xdrAccess>>) {
  return {
    rules: report.rules.map((r) => [r.id, r.status, r.evaluated, r.failed]),
    fingerprints: report.findings.map((f) => f.fingerprint),
  };
}

describe('principal names in findings', () => {
  describe('the entra.principals export (Graph directoryObjects/getByIds)', () => {
    const kind = exportKind('entra.principals')!;

    it('accepts users, groups and service principals, with a null displayName where the caller may not read the type', () => {
      expect(validateRecord(kind, { '@odata.type': '#microsoft.graph.group', id: WEU, displayName: 'sg-web-operators-weu' })).to.equal(undefined);
      expect(validateRecord(kind, { '@odata.type': '#microsoft.graph.servicePrincipal', id: WEU, displayName: null })).to.equal(undefined);
    });

    it('rejects a record without its type, of another directory object type, or with a name that is not text', () => {
      expect(validateRecord(kind, { id: WEU, displayName: 'x' })?.message).to.equal("missing required property '@odata.type'");
      expect(validateRecord(kind, { '@odata.type': '#microsoft.graph.device', id: WEU })?.instancePath).to.equal('/@odata.type');
      expect(validateRecord(kind, { '@odata.type': '#microsoft.graph.user', id: WEU, displayName: 42 })).to.deep.include({ instancePath: '/displayName' });
    });
  });

  describe('xdr-access-within-arm-access', () => {
    it('names each principal by its display name and id when the principals export has it (the demo)', async () => {
      const report = await xdrAccess(DEMO);
      expect(report.findings.map((f) => [f.resource.id, f.resource.name])).to.deep.equal([
        [NEU, 'sg-web-operators-neu'],
        [WEU, 'sg-web-operators-weu'],
      ]);
      expect(report.findings[1].message).to.match(new RegExp(`^Principal sg-web-operators-weu \\(${WEU}\\) through Defender XDR role assignments f7b3451a-`));
    });

    it('without the principals export: the same verdicts and fingerprints, principals named by id, nothing reported missing', async () => {
      const named = await xdrAccess(DEMO);
      const report = await withDemoCopy(
        (dir) => {
          rmSync(join(dir, PRINCIPALS));
          const manifest = join(dir, 'snapshot.yaml');
          writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('  - kind: entra.principals\n', ''));
        },
        xdrAccess,
      );
      expect(report.diagnostics).to.deep.equal([]);
      expect(verdicts(report)).to.deep.equal(verdicts(named));
      expect(report.rules[0].missing).to.equal(undefined);
      expect(report.findings.map((f) => f.resource.name)).to.deep.equal([undefined, undefined]);
      expect(report.findings[1].message).to.match(new RegExp(`^Principal ${WEU} through Defender XDR role assignments f7b3451a-`));
    });

    it('with an incomplete principals export (a page the manifest lists is lost): evaluated all the same, the loss reported', async () => {
      const named = await xdrAccess(DEMO);
      const report = await withDemoCopy((dir) => {
        const manifest = join(dir, 'snapshot.yaml');
        const pages = "  - kind: entra.principals\n    pages:\n      - { file: graph/principals.page-1.json, records: 6 }\n      - { file: graph/principals.page-2.json, records: 1 }\n";
        writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('  - kind: entra.principals\n', pages));
      }, xdrAccess);
      // The lost page is an error of the input (exit 2), but no verdict rests on it.
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('\n')).to.include('graph/principals.page-2.json');
      expect(report.rules[0].status).to.equal('failed');
      expect(verdicts(report)).to.deep.equal(verdicts(named));
      expect(report.findings.map((f) => f.resource.name)).to.deep.equal(['sg-web-operators-neu', 'sg-web-operators-weu']);
    });

    it('falls back to the id for a principal getByIds left out (deleted) or returned without a name (type not readable)', async () => {
      const named = await xdrAccess(DEMO);
      const report = await withDemoCopy(
        (dir) => editPrincipals(dir, (objects) => objects.filter((o) => o.id !== NEU).map((o) => (o.id === WEU ? { '@odata.type': o['@odata.type'], id: o.id, displayName: null } : o))),
        xdrAccess,
      );
      expect(report.diagnostics).to.deep.equal([]);
      expect(verdicts(report)).to.deep.equal(verdicts(named));
      expect(report.findings.map((f) => [f.resource.id, f.resource.name])).to.deep.equal([[NEU, undefined], [WEU, undefined]]);
      expect(report.findings.map((f) => f.message.slice(0, 'Principal '.length + 36 + ' through'.length))).to.deep.equal([`Principal ${NEU} through`, `Principal ${WEU} through`]);
    });

    it('names by id a principal the export holds twice under two names, whichever page holds which name', async () => {
      // The name a finding shows must not be whichever record sorts first: swapping the two pages'
      // records gives the same report, the principal named by id, and the conflict reported.
      const PAGE_2 = join('graph', 'principals.page-2.json');
      const twice = (renamedOnPage: 1 | 2) => (dir: string) => {
        const file = join(dir, PRINCIPALS);
        const page = JSON.parse(readFileSync(file, 'utf8')) as { '@odata.context': string; value: Record<string, unknown>[] };
        const original = page.value.find((o) => o.id === WEU)!;
        const renamed = { ...original, displayName: 'Trusted Admins' };
        page.value = page.value.map((o) => (o === original && renamedOnPage === 1 ? renamed : o));
        writeFileSync(file, JSON.stringify(page, null, 2));
        writeFileSync(join(dir, PAGE_2), JSON.stringify({ '@odata.context': page['@odata.context'], value: [renamedOnPage === 1 ? original : renamed] }, null, 2));
      };
      const named = await xdrAccess(DEMO);
      const [first, second] = [await withDemoCopy(twice(1), xdrAccess), await withDemoCopy(twice(2), xdrAccess)];
      for (const report of [first, second]) {
        expect(verdicts(report)).to.deep.equal(verdicts(named));
        expect(report.findings.map((f) => [f.resource.id, f.resource.name])).to.deep.equal([[NEU, 'sg-web-operators-neu'], [WEU, undefined]]);
        expect(report.findings[1].message).to.match(new RegExp(`^Principal ${WEU} through Defender XDR role assignments f7b3451a-`));
        expect(report.diagnostics.map((d) => d.code)).to.deep.equal(['conflicting-records']);
      }
      expect(first.findings).to.deep.equal(second.findings);
    });

    it('shows a hostile display name inert in every format the CLI prints: escapes, markup, CI runner commands, a very long name', async function () {
      // One CLI run per format: slow on a loaded machine.
      this.timeout(180_000);
      const ESC = '\u001b]0;pwned\u0007\u001b[2J\u202e';
      const hostile = `${ESC}<script>alert(1)</script> [x](https://evil.example) ##vso[task.setvariable variable=GATE]open\n::error::forged ${'A'.repeat(20_000)}`;
      await withDemoCopy(
        (dir) => editPrincipals(dir, (objects) => objects.map((o) => (o.id === WEU ? { ...o, displayName: hostile } : o))),
        async (dir) => {
          const report = await xdrAccess(dir);
          expect(verdicts(report)).to.deep.equal(verdicts(await xdrAccess(DEMO)));
          // The one cap on rendered templates holds, and says where it cut.
          const message = report.findings.find((f) => f.resource.id === WEU)!.message;
          expect(message).to.have.length.below(4_200);
          expect(message).to.match(/… \(cut at 4,096 characters\)$/);
          for (const format of Object.keys(FORMATTERS)) {
            const r = spawnSync(process.execPath, [BIN, 'lint', dir, '--ruleset', 'none', '--rules', RULE, '--format', format], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
            expect(r.status, `${format}: ${r.stderr}`).to.equal(1);
            expect(r.stdout, format).to.include('pwned');
            expect(r.stdout, format).to.not.match(/[\u001b\u0007\u202e]/);
            expect(r.stdout, format).to.not.match(/##vso\[/);
            expect(r.stdout, format).to.not.match(/^\s*::error::forged/m);
            if (format === 'html') expect(r.stdout, format).to.not.include('<script>alert');
            if (format.startsWith('markdown')) expect(r.stdout, format).to.not.include('[x](https://evil.example)');
          }
        },
      );
    });
  });

  describe('a presentation join', () => {
    const PRINCIPAL = '  principal: { from: entra.principals, on: { local: key, foreign: id }, presentation: true }\n';
    const rule = (body: string, joins = PRINCIPAL) =>
      `id: names\ntitle: t\nseverity: high\ndescription: d\nfor: { from: xdr.roleAssignments, groupBy: principalIds }\njoin:\n${joins}${body}`;
    const ASSERT = 'assert: { count: items, equals: 0 }\n';
    const MESSAGE = 'message: "Principal {{principal.displayName}} ({{key}})"\n';
    const REFUSED =
      'is a presentation join, which only the message and resource name templates may read: a name it adds must never decide a verdict nor which resource a finding is (its fingerprint, waivers, baselines)';

    async function problems(text: string): Promise<string[]> {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'names.yaml'), text);
        const { diagnostics } = await loadRules([join(dir, 'names.yaml')], { collections: COLLECTIONS });
        return diagnostics.map((d) => `${d.severity} ${d.position?.line}:${d.position?.column} ${d.message}`);
      } finally {
        cleanup();
      }
    }

    it('may be read by the message and resource name templates, and by another presentation join\'s key', async () => {
      const owner = `${PRINCIPAL}  owner: { from: entra.principals, on: { local: principal.id, foreign: id }, presentation: true }\n`;
      const body = `${ASSERT}resource: { id: "{{key}}", name: "{{principal.displayName}}" }\nmessage: "{{principal.displayName}} {{owner.displayName}}"\n`;
      expect(await problems(rule(body, owner))).to.deep.equal([]);
    });

    it('may not be read by anything that decides the verdict: assert, where, lets or another join\'s key', async () => {
      expect(await problems(rule(`assert: { field: principal.displayName, exists: true }\n${MESSAGE}`))).to.deep.equal([`error 8:18 'principal.displayName': 'principal' ${REFUSED}`]);
      expect(await problems(rule(`where: { field: principal.id, exists: true }\n${ASSERT}${MESSAGE}`))).to.deep.equal([`error 8:17 'principal.id': 'principal' ${REFUSED}`]);
      expect(await problems(rule(`let:\n  named: { select: principal }\n${ASSERT}${MESSAGE}`))).to.deep.equal([`error 9:20 'principal': 'principal' ${REFUSED}`]);
      const keyed = `${PRINCIPAL}  roles: { from: arm.roleAssignments, on: { local: principal.id, foreign: properties.principalId }, many: true }\n`;
      expect(await problems(rule(`assert: { count: roles, equals: 0 }\n${MESSAGE}`, keyed))).to.deep.equal([`error 8:52 'principal.id': 'principal' ${REFUSED}`]);
    });

    it('may not be read by the resource kind or id templates: they make the fingerprint that baselines and waivers match', async () => {
      // With the names export one run and without it the next, such an id would turn every known
      // or waived finding into a new one (or a waiver written for names into one matching nothing).
      expect(await problems(rule(`${ASSERT}resource: { id: "{{principal.displayName}}" }\n${MESSAGE}`))).to.deep.equal([`error 9:20 'principal.displayName': 'principal' ${REFUSED}`]);
      expect(await problems(rule(`${ASSERT}resource: { kind: "{{#principal}}user{{/principal}}", id: "{{key}}" }\n${MESSAGE}`))).to.deep.equal([`error 9:23 'principal': 'principal' ${REFUSED}`]);
    });

    it('is never required, nor alternative evidence', async () => {
      const required = PRINCIPAL.replace('presentation: true }', 'presentation: true, required: true }');
      expect(await problems(rule(`${ASSERT}${MESSAGE}`, required))).to.deep.equal(['error 7:103 a presentation join is never required: the rule runs without it (remove required: true)']);
      expect(await problems(rule(`requiresAny: [principal]\n${ASSERT}${MESSAGE}`))).to.deep.equal(["error 8:15 'principal' is a presentation join, which is never evidence: it cannot be one of requiresAny"]);
    });
  });
});
