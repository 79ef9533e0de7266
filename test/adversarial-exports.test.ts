/**
 * The catalogue of hostile and broken exports. Exports arrive from many tools and through pull
 * requests: whatever they hold, a run must end with a clear, positioned error (exit 2) or a correct
 * result, and never crash, hang, execute anything, pollute prototypes or let the gate pass.
 *
 * Most cases are generated from real payloads (the demo snapshot and test/fixtures/real-examples*):
 * every 50th byte of several exports, every field a built-in rule reads set to the wrong type.
 * Hand-made inputs live in test/fixtures/adversarial/exports/<case>/.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { loadSnapshot } from '../src/snapshot/load';
import type { Report } from '../src/report/model';
import type { Diagnostic } from '../src/diagnostics';
import { ADVERSARIAL, CONTOSO, exitOf, fingerprints, lintAt, pollution, reportSchemaErrors, ROOT } from './adversarial-helpers';
import { scratch } from './snapshot-helpers';

const EXPORTS = join(ADVERSARIAL, 'exports');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Character offset of a 1-based line:column in a text. */
function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

/** The error diagnostics that name one file. */
function errorsOf(report: Report, file: string): Diagnostic[] {
  return report.diagnostics.filter((d) => d.file === file && d.severity === 'error');
}

/** A copy of the demo snapshot in a scratch folder, changed by `change`, linted; the folder is removed. */
async function lintContosoCopy(change: (dir: string) => void): Promise<Report> {
  const { dir, cleanup } = scratch();
  try {
    cpSync(CONTOSO, dir, { recursive: true });
    change(dir);
    return (await lintAt({ snapshot: dir })).report;
  } finally {
    cleanup();
  }
}

/** JSON pointer navigation on parsed JSON (test data only: the paths come from the loader). */
function at(doc: unknown, pointer: string): Record<string, unknown> {
  let cur = doc as Record<string, unknown>;
  for (const seg of pointer.split('/').slice(1)) cur = cur[seg.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown>;
  return cur;
}

function getField(record: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = record;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, key)) return { found: false };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

function setField(record: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = record;
  for (const key of keys.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  cur[keys[keys.length - 1]] = value;
}

describe('adversarial exports', function () {
  this.timeout(60_000);
  let baseline: Report;
  before(async () => {
    baseline = (await lintAt({ snapshot: CONTOSO })).report;
    expect(baseline.findings.length, 'the demo snapshot has findings to lose').to.be.greaterThan(10);
  });
  afterEach(() => expect(pollution(), 'Object.prototype is untouched').to.deep.equal([]));

  describe('truncated and corrupted JSON: json-syntax at the cut, exit 2, every other file still reported', () => {
    const SOURCES = [
      'fixtures/snapshots/contoso/mde/machines.page-1.json',
      'test/fixtures/real-examples/defender-for-cloud/alerts.list-subscription.rest-2022-01-01.example.json',
      'test/fixtures/real-examples/graph/security-alerts_v2.list.graph-v1.0.docs-example.json',
      'test/fixtures/real-examples/arm/virtual-machines.get.rest-2024-07-01.example.json',
      'test/fixtures/real-examples-repaired/mde/alerts.list-filter-lastupdatetime.odata-samples.docs-example.json',
    ];
    /** What a broken file must get: the cut (a prefix) or an inserted control character. */
    interface Broken {
      file: string;
      bytes: Buffer;
      check(d: Diagnostic[]): string | undefined;
    }
    const cases: Broken[] = [];
    SOURCES.forEach((source, s) => {
      const bytes = readFileSync(join(ROOT, source));
      const text = bytes.toString('utf8');
      for (let n = 0; n < bytes.length; n += 50) {
        const cut = bytes.subarray(0, n);
        cases.push({
          file: `broken/${s}-cut-${n}.json`,
          bytes: cut,
          check: (ds) => {
            if (ds.length !== 1) return `${ds.length} errors`;
            const d = ds[0];
            if (n === 0) return d.code === 'empty-file' ? undefined : `${d.code} for an empty file`;
            let prefix: string;
            try {
              prefix = utf8.decode(cut);
            } catch {
              return d.code === 'encoding' ? undefined : `${d.code} for a cut inside a UTF-8 sequence`;
            }
            if (d.code !== 'json-syntax' || !d.position) return `${d.code} without a position`;
            // The error is at the end, or at the start of the token the cut went through.
            const rest = prefix.slice(offsetAt(prefix, d.position.line, d.position.column));
            return /^(|\s*|-?[\d.eE+-]*|[a-z]*|"(?:[^"\\]|\\.)*\\?|\\u[0-9a-fA-F]{0,3})$/s.test(rest) ? undefined : `points at '${rest.slice(0, 30)}', not at the cut`;
          },
        });
      }
      for (let p = 25; p < text.length; p += 50) {
        cases.push({
          file: `broken/${s}-ctl-${p}.json`,
          bytes: Buffer.from(text.slice(0, p) + '\u0001' + text.slice(p), 'utf8'),
          check: (ds) => {
            if (ds.length !== 1 || ds[0].code !== 'json-syntax' || !ds[0].position) return `${ds.map((d) => d.code).join(', ')} without a position`;
            const damaged = text.slice(0, p) + '\u0001' + text.slice(p);
            const offset = offsetAt(damaged, ds[0].position.line, ds[0].position.column);
            // At the control character, or at the escape, number or literal it broke.
            return offset <= p && offset >= p - 5 ? undefined : `offset ${offset}, the control character is at ${p}`;
          },
        });
      }
    });

    it(`reports each of ${cases.length} broken files with one positioned error, and gives no verdict on a snapshot that may lack any export's records`, async () => {
      expect(cases.length).to.be.at.least(500);
      const report = await lintContosoCopy((dir) => {
        mkdirSync(join(dir, 'broken'));
        for (const c of cases) writeFileSync(join(dir, c.file), c.bytes);
      });
      const problems = cases.map((c) => [c.file, c.check(errorsOf(report, c.file))]).filter(([, p]) => p !== undefined);
      expect(problems).to.deep.equal([]);
      // A cut before anything tells the kind (an empty file, a lone `{`) could have held any
      // export's records: no rule gives a verdict, and each says which files it could not trust.
      expect(report.findings, 'findings from a snapshot that may lack records').to.deep.equal([]);
      expect(report.rules.filter((r) => r.status !== 'not-evaluated').map((r) => r.id)).to.deep.equal([]);
      for (const rule of report.rules) expect(rule.missing?.at(-1), rule.id).to.match(/^any export may be incomplete: the kind of broken\/0-ctl-25\.json \(json-syntax\), .*, broken\/0-cut-0\.json \(empty-file\), broken\/0-cut-50\.json \(json-syntax\), .* and \d+ more cannot be told$/);
      // A cut after the @odata.context tells the kind: that export is incomplete, not every one.
      expect(report.snapshot.files.find((f) => f.file === 'broken/0-cut-100.json')).to.deep.equal({ file: 'broken/0-cut-100.json', kinds: ['mde.machines'], records: 0 });
      expect(exitOf(report)).to.equal(2);
      expect(reportSchemaErrors(report)).to.deep.equal([]);
    });
  });

  describe('wrong types in every field a built-in rule reads: invalid-record at the field, or the rule still fails', () => {
    /** Fields each built-in rule reads, per collection, in the canonical (REST) shape its rule file names. */
    const READS: Record<string, Record<string, string[]>> = {
      'av-mode-active-on-servers': {
        'mde.machines': ['id', 'onboardingStatus', 'osPlatform', 'machineTags'],
        'mde.avHealth': ['machineId', 'avMode'],
        'mde.health': ['edrMachineId', 'passiveModeEnabled.value', 'realTimeProtectionEnabled.value'],
      },
      'av-signatures-current': {
        'mde.machines': ['id', 'onboardingStatus', 'osPlatform'],
        'mde.avHealth': ['machineId', 'avIsSignatureUpToDate', 'avIsEngineUpToDate', 'avIsPlatformUpToDate'],
      },
      'critical-vulnerabilities-exploitable': {
        'mde.vulnerabilities': ['machineId', 'severity', 'productName', 'productVendor', 'cveId'],
        'mde.software': ['name', 'vendor', 'publicExploit'],
        'mde.recommendations': ['productName', 'vendor', 'publicExploit'],
      },
      'defender-servers-plan-enabled': {
        'arm.subscriptions': ['id'],
        'arm.virtualMachines': ['id'],
        'defender.pricings': ['name', 'id', 'properties.pricingTier', 'properties.subPlan'],
      },
      'device-groups-cover-rbac-scopes': {
        'arm.roleAssignments': ['properties.scope'],
        'arm.virtualMachines': ['id', 'properties.vmId'],
        'mde.machines': ['vmMetadata', 'vmMetadata.vmId', 'vmMetadata.resourceId', 'rbacGroupId', 'rbacGroupName'],
      },
      'device-in-device-group': { 'mde.machines': ['onboardingStatus', 'rbacGroupId', 'rbacGroupName'] },
      'edr-assessment-healthy': { 'defender.assessments': ['name', 'properties.status', 'properties.status.code'] },
      'export-set-consistent': {
        'mde.machines': ['lastSeen', 'vmMetadata', 'vmMetadata.subscriptionId', 'vmMetadata.resourceId', 'vmMetadata.cloudProvider'],
        'arm.subscriptions': ['id', 'subscriptionId'],
      },
      'high-severity-alerts-triaged': {
        'defender.alerts': ['properties.severity', 'properties.status', 'properties.timeGeneratedUtc', 'properties.startTimeUtc'],
        'mde.alerts': ['severity', 'status', 'alertCreationTime'],
      },
      'linux-realtime-protection-on': { 'mde.machines': ['id', 'osPlatform'], 'mde.avHealth': ['machineId', 'avMode'] },
      'mde-device-healthy': { 'mde.machines': ['onboardingStatus', 'healthStatus', 'lastSeen'] },
      'mde-integration-enabled': {
        'arm.subscriptions': ['id'],
        'defender.pricings': ['name', 'id', 'properties.pricingTier'],
        'defender.settings': ['name', 'id', 'properties.enabled'],
      },
      'mde-unified-solution-enabled': {
        'arm.subscriptions': ['id'],
        'arm.virtualMachines': [
          'id',
          'properties.storageProfile.imageReference',
          'properties.storageProfile.imageReference.offer',
          'properties.storageProfile.imageReference.sku',
          'properties.extended.instanceView.osName',
          'properties.storageProfile.osDisk.osType',
        ],
        'defender.pricings': ['name', 'id', 'properties.pricingTier'],
        'defender.settings': ['name', 'id', 'properties.enabled'],
      },
      'subscription-tenant-matches-xdr': { 'arm.subscriptions': ['tenantId'] },
      'vm-onboarded-to-mde': {
        'arm.virtualMachines': ['id', 'properties.vmId', 'properties.extended.instanceView.powerState', 'properties.extended.instanceView.powerState.code'],
        'arm.subscriptions': ['id'],
        'defender.pricings': ['name', 'id', 'properties.pricingTier'],
        'mde.machines': ['vmMetadata.vmId', 'vmMetadata.resourceId', 'onboardingStatus'],
      },
      'xdr-access-within-arm-access': {
        'xdr.roleAssignments': ['id', 'principalIds', 'appScopeIds'],
        'arm.roleAssignments': ['properties.principalId', 'properties.scope'],
        'mde.machines': ['rbacGroupId', 'vmMetadata.vmId', 'vmMetadata.resourceId'],
        'arm.virtualMachines': ['id', 'properties.vmId'],
      },
      'xdr-admin-roles-assigned': { 'entra.roleAssignments': ['directoryScopeId', 'roleDefinitionId', 'principalId'] },
    };
    /** A value of another JSON type than the one exported; `turn` alternates between two. */
    const wrongFor = (v: unknown, turn: number): unknown => {
      const pick = (a: unknown, b: unknown) => (turn % 2 === 0 ? a : b);
      if (typeof v === 'string') return pick(5, {});
      if (typeof v === 'number') return pick({}, true);
      if (typeof v === 'boolean') return pick('yes', 1);
      if (Array.isArray(v)) return pick('x', {});
      return v === null ? undefined : pick('x', 5);
    };

    it("never turns a built-in rule's failing case green, and reports every schema violation at its field", async () => {
      const problems: string[] = [];
      const applied = new Set<string>();
      let cases = 0;
      for (const [ruleId, reads] of Object.entries(READS)) {
        const testsDir = join(ROOT, 'rules', `${ruleId}.tests`);
        for (const caseName of readdirSync(testsDir).sort()) {
          const caseDir = join(testsDir, caseName);
          const spec = parseYamlText(readFileSync(join(caseDir, 'case.yaml'), 'utf8')) as { now?: string; expect: { status: string } };
          // Failing cases: a wrong type must never turn them green (passing cases cannot show that).
          if (spec.expect.status !== 'failed') continue;
          const original = await loadSnapshot(caseDir);
          const exported = new Map<string, string>();
          const raw = (file: string): unknown => {
            if (!exported.has(file)) exported.set(file, readFileSync(join(caseDir, file), 'utf8'));
            return JSON.parse(exported.get(file) as string) as unknown;
          };
          for (const [collection, fields] of Object.entries(reads)) {
            const records = original.collections.get(collection)?.records ?? [];
            for (const field of fields) {
              const targets = records.filter((r) => getField(at(raw(r.origin.file), r.origin.pointer), field).found);
              if (targets.length === 0) continue;
              applied.add(`${ruleId} ${collection} ${field}`);
              const bad = wrongFor(getField(at(raw(targets[0].origin.file), targets[0].origin.pointer), field).value, cases);
              if (bad === undefined) continue;
              cases++;
              const { dir, cleanup } = scratch();
              try {
                cpSync(caseDir, dir, { recursive: true });
                const docs = new Map<string, unknown>();
                for (const t of targets) {
                  const doc = docs.get(t.origin.file) ?? raw(t.origin.file);
                  docs.set(t.origin.file, doc);
                  setField(at(doc, t.origin.pointer), field, bad);
                }
                for (const [file, doc] of docs) writeFileSync(join(dir, file), JSON.stringify(doc, null, 2));
                const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [`rules/${ruleId}.yaml`], now: new Date(spec.now ?? '2026-11-27T02:00:00Z') });
                const label = `${ruleId}/${caseName}: ${collection} ${field} = ${JSON.stringify(bad)}`;
                for (const d of report.diagnostics.filter((x) => x.code === 'invalid-record')) {
                  if (!d.file || !d.pointer || !d.position) problems.push(`${label}: invalid-record without file, pointer and line:column`);
                }
                const errors = report.summary.diagnostics.error;
                if (errors > 0 && exitOf(report) !== 2) problems.push(`${label}: an error but exit ${exitOf(report)}`);
                if (errors === 0 && report.rules[0].status === 'passed') problems.push(`${label}: a failing rule passed`);
                const schema = reportSchemaErrors(report);
                if (schema.length > 0) problems.push(`${label}: ${schema.join('; ')}`);
              } finally {
                cleanup();
              }
            }
          }
        }
      }
      expect(problems).to.deep.equal([]);
      // Every field of the table occurs in some case: the table cannot silently go stale.
      const listed = Object.entries(READS).flatMap(([r, reads]) => Object.entries(reads).flatMap(([c, fs]) => fs.map((f) => `${r} ${c} ${f}`)));
      expect(listed.filter((l) => !applied.has(l))).to.deep.equal([]);
      expect(cases).to.be.at.least(200);
    });

    /** The fields the task names, in the demo snapshot: where each lands and what the run says. */
    const NAMED: { file: string; index: number; field: string; value: unknown; expect: { pointer: string } | { finding: string } }[] = [
      { file: 'mde/machines.page-1.json', index: 0, field: 'osPlatform', value: 5, expect: { pointer: '/value/0/osPlatform' } },
      { file: 'mde/machines.page-1.json', index: 1, field: 'healthStatus', value: [], expect: { pointer: '/value/1/healthStatus' } },
      { file: 'mde/machines.page-1.json', index: 2, field: 'rbacGroupId', value: {}, expect: { pointer: '/value/2/rbacGroupId' } },
      { file: 'mde/machines.page-1.json', index: 3, field: 'vmMetadata', value: 'x', expect: { pointer: '/value/3/vmMetadata' } },
      { file: 'mde/deviceavinfo.json', index: 0, field: 'avMode', value: true, expect: { pointer: '/value/0/avMode' } },
      { file: 'arm/subscriptions.json', index: 0, field: 'tenantId', value: 123, expect: { pointer: '/value/0/tenantId' } },
      { file: 'defender/c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35/settings.json', index: 0, field: 'properties.enabled', value: 'yes', expect: { pointer: '/value/0/properties/enabled' } },
      // A string where a time belongs passes the schema; the age check then fails the device.
      { file: 'mde/machines.page-1.json', index: 4, field: 'lastSeen', value: 'not a date', expect: { finding: 'mde-device-healthy' } },
    ];
    for (const c of NAMED) {
      it(`${c.field}: ${JSON.stringify(c.value)} in ${c.file}`, async () => {
        let id = '';
        const report = await lintContosoCopy((dir) => {
          const doc = JSON.parse(readFileSync(join(dir, c.file), 'utf8')) as { value: Record<string, unknown>[] };
          id = String(doc.value[c.index].id ?? doc.value[c.index].machineId);
          setField(doc.value[c.index], c.field, c.value);
          writeFileSync(join(dir, c.file), JSON.stringify(doc, null, 2));
        });
        expect(reportSchemaErrors(report)).to.deep.equal([]);
        if ('pointer' in c.expect) {
          const errors = report.diagnostics.filter((d) => d.severity === 'error');
          expect(errors.map((d) => `${d.code} ${d.file} ${d.pointer}`)).to.deep.equal([`invalid-record ${c.file} ${c.expect.pointer}`]);
          expect(errors[0].position?.line).to.be.a('number');
          expect(exitOf(report)).to.equal(2);
          // The other records still count: rules that do not read the changed export report as before.
          const kinds = baseline.snapshot.files.find((f) => f.file === c.file)?.kinds ?? [];
          const unaffected = new Set(baseline.rules.filter((r) => !r.needs.some((n) => kinds.includes(n))).map((r) => r.id));
          expect(unaffected.size).to.be.greaterThan(0);
          const keep = (r: Report) => fingerprints(r).filter((f) => unaffected.has(f.split(' ')[0]));
          expect(keep(report)).to.deep.equal(keep(baseline));
        } else {
          const rule = c.expect.finding;
          const messages = report.findings.filter((f) => f.ruleId === rule && f.resource.id === id).map((f) => f.message);
          expect(messages).to.have.length(1);
          expect(messages[0]).to.contain('Last seen not a date, not within 7 days');
        }
      });
    }
  });

  describe('encodings: what Windows writes loads, anything else is an encoding error', () => {
    const source = readFileSync(join(CONTOSO, 'mde/deviceavinfo.json'), 'utf8');
    const utf16 = (text: string, bigEndian: boolean): Buffer => {
      const le = Buffer.from(text, 'utf16le');
      return bigEndian ? Buffer.from(le).swap16() : le;
    };
    const LOADS: [string, Buffer][] = [
      ['utf8-bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(source, 'utf8')])],
      ['powershell5-utf16le-bom.json', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(source, false)])],
      ['utf16be-bom.json', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(source, true)])],
    ];
    const inString = (bytes: number[]): Buffer => Buffer.concat([Buffer.from(source.slice(0, 200), 'utf8'), Buffer.from(bytes), Buffer.from(source.slice(200), 'utf8')]);
    const FAILS: [string, Buffer, string?][] = [
      // ASCII text as UTF-16 is valid UTF-8 with NUL characters: a syntax error at the first NUL.
      ['utf16le-without-bom.json', utf16(source, false), 'json-syntax'],
      ['utf16be-without-bom.json', utf16(source, true), 'json-syntax'],
      ['lone-continuation-byte.json', inString([0x80])],
      ['overlong-slash.json', inString([0xc0, 0xaf])],
      ['utf8-encoded-surrogate.json', inString([0xed, 0xa0, 0x80])],
      ['latin1-e-acute.json', inString([0xe9])],
      ['cut-multibyte-at-end.json', Buffer.concat([Buffer.from(source, 'utf8'), Buffer.from([0xe2, 0x82])])],
      ['ff-ff-start.json', Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.from(source, 'utf8')])],
      ['utf16le-bom-odd-length.json', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(source, false), Buffer.from([0x7d])])],
      // Read as UTF-16 LE by its first two bytes: garbage that does not parse. (Padded to an even
      // length, so the verdict does not hang on the demo file's size: an odd one is another error.)
      ['utf32le-bom.json', Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), Buffer.from(Buffer.byteLength(source) % 2 === 0 ? source : `${source} `, 'utf8')]), 'json-syntax'],
    ];

    it(`loads ${LOADS.length} byte-order-marked encodings with the same records as UTF-8, and rejects ${FAILS.length} others`, async () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'utf8.json'), source);
        for (const [name, bytes] of [...LOADS, ...FAILS]) writeFileSync(join(dir, name), bytes);
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none' });
        const snapshot = await loadSnapshot(dir);
        const recordsOf = (file: string) => snapshot.collections.get('mde.avHealth')?.records.filter((r) => r.origin.file === file).map((r) => r.data);
        for (const [name] of LOADS) {
          expect(errorsOf(report, name), name).to.deep.equal([]);
          expect(recordsOf(name), name).to.deep.equal(recordsOf('utf8.json'));
        }
        expect(FAILS.map(([name]) => [name, errorsOf(report, name).map((d) => d.code)])).to.deep.equal(
          FAILS.map(([name, , code]) => [name, [code ?? 'encoding']]),
        );
        expect(errorsOf(report, 'utf16be-without-bom.json')[0].position).to.deep.equal({ line: 1, column: 1 });
        expect(errorsOf(report, 'latin1-e-acute.json')[0].message).to.contain('not valid UTF-8');
        expect(exitOf(report)).to.equal(2);
        expect(reportSchemaErrors(report)).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });
  });

  describe('nesting 100,000 levels deep: an error or a load, never a stack overflow', () => {
    const N = 100_000;
    const MACHINES = '"@odata.context":"https://api.security.microsoft.com/api/$metadata#Machines"';
    const device = (id: string, extra: string) =>
      `{"id":"${id}","computerDnsName":"${id}.corp.contoso.com","osPlatform":"Ubuntu","healthStatus":"Active","lastSeen":"2026-11-26T22:00:00Z","onboardingStatus":"Onboarded","rbacGroupId":7,"rbacGroupName":"Linux"${extra}}`;
    const CASES: [string, string, (report: Report) => void][] = [
      ['arrays.json', '['.repeat(N) + ']'.repeat(N), (r) => expect(errorsOf(r, 'arrays.json').map((d) => d.code)).to.deep.equal(['unknown-export'])],
      ['objects.json', '{"a":'.repeat(N) + '1' + '}'.repeat(N), (r) => expect(errorsOf(r, 'objects.json').map((d) => d.code)).to.deep.equal(['unknown-export'])],
      ['unclosed.json', '['.repeat(N), (r) => expect(errorsOf(r, 'unclosed.json').map((d) => `${d.code} ${d.position?.line}:${d.position?.column}`)).to.deep.equal([`json-syntax 1:${N + 1}`])],
      ['mismatched.json', '['.repeat(N) + '}', (r) => expect(errorsOf(r, 'mismatched.json').map((d) => `${d.code} ${d.position?.column}`)).to.deep.equal([`json-syntax ${N + 1}`])],
      // Deep values inside valid records: extra fields are allowed, the record loads and is checked.
      ['deep-extra-field.json', `{${MACHINES},"value":[${device('deep-extra', `,"extra":${'['.repeat(N) + ']'.repeat(N)}`)}]}`, (r) => expect(errorsOf(r, 'deep-extra-field.json')).to.deep.equal([])],
      ['deep-vm-metadata.json', `{${MACHINES},"value":[${device('deep-vm', `,"vmMetadata":${'{"vmId":null,"a":'.repeat(N) + '1' + '}'.repeat(N)}`)}]}`, (r) => expect(errorsOf(r, 'deep-vm-metadata.json')).to.deep.equal([])],
    ];

    it(`handles ${CASES.length} deeply nested files in one run`, async () => {
      const { dir, cleanup } = scratch();
      try {
        for (const [name, text] of CASES) writeFileSync(join(dir, name), text);
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: ['rules/mde-device-healthy.yaml', 'rules/device-in-device-group.yaml'] });
        for (const [, , check] of CASES) check(report);
        expect(report.snapshot.files.filter((f) => f.records > 0).map((f) => f.file)).to.deep.equal(['deep-extra-field.json', 'deep-vm-metadata.json']);
        // The broken files could be of any kind, so the rules give no verdict ...
        expect(report.rules.map((r) => `${r.id} ${r.status} ${r.missing?.join()}`)).to.deep.equal(
          ['device-in-device-group', 'mde-device-healthy'].map((id) => `${id} not-evaluated any export may be incomplete: the kind of arrays.json (unknown-export), mismatched.json (json-syntax), objects.json (unknown-export), unclosed.json (json-syntax) cannot be told`),
        );
        expect(exitOf(report)).to.equal(2);
        expect(reportSchemaErrors(report)).to.deep.equal([]);
        // ... and without them, the deep records are evaluated.
        for (const name of ['arrays.json', 'objects.json', 'unclosed.json', 'mismatched.json']) rmSync(join(dir, name));
        const alone = (await lintAt({ snapshot: dir, ruleset: 'none', rules: ['rules/mde-device-healthy.yaml', 'rules/device-in-device-group.yaml'] })).report;
        expect(alone.rules.map((r) => `${r.id} ${r.status} ${r.evaluated}`)).to.deep.equal(['device-in-device-group passed 2', 'mde-device-healthy passed 2']);
      } finally {
        cleanup();
      }
    });

    it('locates an invalid record in a file that also nests 100,000 levels deep, within 10 s', () => {
      // In a child process with a deadline: a hang here must fail the test, not stall the suite.
      const { dir, cleanup } = scratch();
      try {
        const text = `{${MACHINES},"value":[${device('deep-invalid', `,"osBuild":"not a number","extra":${'['.repeat(N) + ']'.repeat(N)}`)}]}`;
        writeFileSync(join(dir, 'machines.json'), text);
        const script = `require('./src/snapshot/load').loadSnapshot(${JSON.stringify(dir)}).then((s) => process.stdout.write(JSON.stringify(s.diagnostics)))`;
        const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
        expect(run.error?.message ?? '', 'finished before the deadline').to.not.contain('ETIMEDOUT');
        const diagnostics = JSON.parse(run.stdout) as Diagnostic[];
        const column = text.indexOf('"not a number"') + 1;
        expect(diagnostics.map((d) => `${d.code} ${d.pointer} ${d.position?.line}:${d.position?.column}`)).to.deep.equal([`invalid-record /value/0/osBuild 1:${column}`]);
      } finally {
        cleanup();
      }
    });
  });

  describe('huge numbers and strings: a load or a clear error', () => {
    it('loads numbers beyond double precision and range as numbers', async () => {
      const { report } = await lintAt({ snapshot: join(EXPORTS, 'huge-numbers'), ruleset: 'none', rules: ['rules/device-in-device-group.yaml'] });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(report.snapshot.files.map((f) => `${f.file} ${f.records}`)).to.deep.equal(['infinite.json 1', 'machines.json 4']);
      expect(report.rules[0]).to.include({ status: 'passed', evaluated: 5 });
      expect(reportSchemaErrors(report)).to.deep.equal([]);
    });

    it('loads a record with a 10 MB string and reports it (a quadratic step on it would outlast the suite timeout)', async () => {
      const { dir, cleanup } = scratch();
      try {
        const huge = 'x'.repeat(10 * 1024 * 1024);
        const doc = JSON.parse(readFileSync(join(CONTOSO, 'mde/machines.page-1.json'), 'utf8')) as { value: Record<string, unknown>[] };
        doc.value[0].computerDnsName = huge; // rendered in every message about the device
        doc.value[1].description = huge; // a field no rule reads
        delete (doc as Record<string, unknown>)['@odata.nextLink'];
        writeFileSync(join(dir, 'machines.json'), JSON.stringify(doc));
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: ['rules/device-in-device-group.yaml', 'rules/mde-device-healthy.yaml'] });
        expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
        expect(report.snapshot.files[0].records).to.equal(14);
        expect(reportSchemaErrors(report)).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });
  });

  describe('duplicate records across pages: each resource checked once', () => {
    it('counts a device repeated on the next page (even with its id in another case) once, pointing at both records', async () => {
      const { report } = await lintAt({ snapshot: join(EXPORTS, 'duplicate-across-pages'), ruleset: 'none', rules: ['rules/linux-realtime-protection-on.yaml'] });
      expect(report.diagnostics).to.deep.equal([]);
      expect(report.rules[0]).to.include({ status: 'failed', evaluated: 4, failed: 1 });
      expect(report.findings.map((f) => `${f.resource.name} ${f.locations.map((l) => `${l.file}#${l.pointer}`).join(' ')}`)).to.deep.equal([
        'db-prod-01 mde/machines.page-1.json#/value/1 mde/machines.page-2.json#/value/1',
      ]);
    });

    it('gives the demo snapshot the same results when every device appears on both pages', async () => {
      const report = await lintContosoCopy((dir) => {
        const read = (f: string) => JSON.parse(readFileSync(join(dir, 'mde', f), 'utf8')) as { value: unknown[] };
        const page1 = read('machines.page-1.json');
        const page2 = read('machines.page-2.json');
        page2.value.push(...page1.value);
        writeFileSync(join(dir, 'mde', 'machines.page-2.json'), JSON.stringify(page2));
      });
      expect(report.rules).to.deep.equal(baseline.rules);
      expect(fingerprints(report)).to.deep.equal(fingerprints(baseline));
    });
  });

  describe('__proto__, constructor and prototype keys are data', () => {
    it('loads records and envelopes with those keys as data, joins on them, and pollutes nothing', async () => {
      const { report } = await lintAt({ snapshot: join(EXPORTS, 'prototype-keys'), ruleset: 'none', rules: ['rules/linux-realtime-protection-on.yaml', 'rules/mde-device-healthy.yaml'] });
      expect(report.diagnostics).to.deep.equal([]);
      expect(report.snapshot.files.map((f) => `${f.file} ${f.kinds.join()} ${f.records}`)).to.deep.equal(['mde/deviceavinfo.json mde.avHealth 3', 'mde/machines.json mde.machines 3']);
      // Own fields decide: __proto__'s avMode "1" and healthStatus do not; "constructor" has no AV record.
      expect(report.findings.map((f) => `${f.ruleId} ${f.resource.id}`).sort()).to.deep.equal([
        'linux-realtime-protection-on constructor',
        'linux-realtime-protection-on prototype',
        'mde-device-healthy constructor',
      ]);
      expect(pollution()).to.deep.equal([]);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('does not recognise a record by fields that exist only under __proto__', async () => {
      const { report } = await lintAt({ snapshot: join(EXPORTS, 'prototype-only-fields'), ruleset: 'none' });
      expect(report.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}`)).to.deep.equal(['error unknown-export devices.json']);
      expect(exitOf(report)).to.equal(2);
    });
  });

  describe('empty, odd and misplaced files', () => {
    const FILES: [string, string, string][] = [
      ['empty.json', '', 'error empty-file'],
      ['whitespace.json', ' \r\n\t \n', 'error empty-file'],
      ['null.json', 'null', 'error unknown-export'],
      ['empty-array.json', '[]', 'warning empty-export'],
      ['empty-object.json', '{}', 'error unknown-export'],
      ['string.json', '"machines"', 'error unknown-export'],
      ['number.json', '42', 'error unknown-export'],
      ['true.json', 'true', 'error unknown-export'],
      ['array-of-nulls.json', '[null, null]', 'error unknown-export'],
      ['array-of-arrays.json', '[[], [1]]', 'error unknown-export'],
      ['two-documents.json', '{} {}', 'error json-syntax'],
      ['nul-bytes.json', '\u0000\u0000', 'error json-syntax'],
      ['empty-value-list.json', '{"value": []}', 'warning empty-export'],
      ['package.json', '{"name": "not-an-export", "version": "1.0.0"}', 'error unknown-export'],
    ];

    it(`gives each of ${FILES.length} odd files one diagnostic, and loads the export beside them`, async () => {
      const { dir, cleanup } = scratch();
      try {
        for (const [name, text] of FILES) writeFileSync(join(dir, name), text);
        cpSync(join(CONTOSO, 'mde/deviceavinfo.json'), join(dir, 'deviceavinfo.json'));
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none' });
        expect(FILES.map(([name]) => [name, report.diagnostics.filter((d) => d.file === name).map((d) => `${d.severity} ${d.code}`)])).to.deep.equal(FILES.map(([name, , want]) => [name, [want]]));
        const records = (JSON.parse(readFileSync(join(CONTOSO, 'mde/deviceavinfo.json'), 'utf8')) as { value: unknown[] }).value.length;
        expect(report.snapshot.files.find((f) => f.file === 'deviceavinfo.json')?.records).to.equal(records);
        expect(exitOf(report)).to.equal(2);
      } finally {
        cleanup();
      }
    });

    it('follows no symbolic link out of the snapshot and reads no special file', async function () {
      if (process.platform === 'win32') this.skip();
      const { dir, cleanup } = scratch();
      try {
        cpSync(CONTOSO, join(dir, 'snapshot'), { recursive: true });
        mkdirSync(join(dir, 'outside'));
        writeFileSync(join(dir, 'outside', 'machines.json'), readFileSync(join(EXPORTS, 'duplicate-across-pages/mde/machines.page-2.json')));
        const root = join(dir, 'snapshot');
        symlinkSync(join(dir, 'outside', 'machines.json'), join(root, 'linked-file.json'));
        symlinkSync(join(dir, 'outside'), join(root, 'linked-folder'), 'dir');
        symlinkSync('/etc/passwd', join(root, 'passwd.json'));
        symlinkSync(join(root, 'missing-target.json'), join(root, 'dangling.json'));
        symlinkSync(join(root, 'loop.json'), join(root, 'loop.json'));
        mkdirSync(join(root, 'folder.json'));
        const fifo = spawnSync('mkfifo', [join(root, 'pipe.json')]);
        const { report } = await lintAt({ snapshot: root });
        expect(report.snapshot.files.map((f) => f.file)).to.deep.equal(baseline.snapshot.files.map((f) => f.file));
        expect(report.diagnostics).to.deep.equal(baseline.diagnostics);
        expect(fingerprints(report)).to.deep.equal(fingerprints(baseline));
        expect(fifo.status === 0 || fifo.error !== undefined).to.equal(true);
      } finally {
        cleanup();
      }
    });

    it('loads exports no rule needs without an error, and changes no result', async () => {
      const unneeded = [
        'test/fixtures/real-examples/arm/management-groups.list.rest-2021-04-01.example.json',
        'test/fixtures/real-examples/mde/machine-actions.list.docs-example.json',
        'test/fixtures/real-examples/mde/mdatp_managed.linux.full-profile.docs-example.json',
        'test/fixtures/real-examples/defender-for-cloud/secure-scores.list.rest-2020-01-01.example.json',
      ];
      const report = await lintContosoCopy((dir) => {
        mkdirSync(join(dir, 'extra'));
        unneeded.forEach((f, i) => cpSync(join(ROOT, f), join(dir, 'extra', `${i}.json`)));
      });
      expect(report.snapshot.files.filter((f) => f.file.startsWith('extra/')).map((f) => f.kinds.join())).to.deep.equal([
        'arm.managementGroups',
        'mde.machineActions',
        'mde.managedConfig',
        'defender.secureScores',
      ]);
      expect(report.diagnostics).to.deep.equal(baseline.diagnostics);
      expect(report.rules).to.deep.equal(baseline.rules);
    });
  });

  describe('an export of the right kind from another tenant', () => {
    const OTHER = '31c75423-32d6-4322-88b7-c478bdde4858';
    const withoutDeclaredTenant = (dir: string) => {
      const manifest = readFileSync(join(dir, 'snapshot.yaml'), 'utf8').replace(/^facts:\n(?: .*\n)+/m, '');
      writeFileSync(join(dir, 'snapshot.yaml'), manifest);
    };
    const otherTenantCopy = (dir: string, from: string, to: string, field: string) => {
      const text = readFileSync(join(dir, from), 'utf8').replace(new RegExp(`"${field}": "[0-9a-f-]+"`, 'g'), `"${field}": "${OTHER}"`);
      writeFileSync(join(dir, to), text);
    };

    for (const [from, field] of [['mde/alerts.json', 'aadTenantId'], ['graph/incidents.json', 'tenantId']]) {
      it(`${from} from tenant ${OTHER}: fact-conflict error, the tenant rule not evaluated, exit 2`, async () => {
        const report = await lintContosoCopy((dir) => {
          withoutDeclaredTenant(dir);
          otherTenantCopy(dir, from, from.replace('.json', '-other-tenant.json'), field);
        });
        expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).to.deep.equal(['fact-conflict']);
        expect(report.diagnostics.find((d) => d.code === 'fact-conflict')?.message).to.contain(OTHER);
        const rule = report.rules.find((r) => r.id === 'subscription-tenant-matches-xdr');
        expect(rule?.status).to.equal('not-evaluated');
        expect(rule?.missing?.join()).to.contain('the exports disagree');
        expect(exitOf(report)).to.equal(2);
      });
    }

    it('with the tenant declared in snapshot.yaml: a warning, and the declared tenant is used', async () => {
      const report = await lintContosoCopy((dir) => otherTenantCopy(dir, 'mde/alerts.json', 'mde/alerts-other-tenant.json', 'aadTenantId'));
      // The copy repeats the alerts' ids with the other tenant: each is also a conflicting record.
      expect(report.diagnostics.map((d) => `${d.severity} ${d.code}`)).to.deep.equal([
        ...Array.from({ length: 3 }, () => 'warning conflicting-records'),
        'warning fact-conflict',
      ]);
      expect(report.diagnostics[0].message).to.match(/^mde\.alerts \S+ is exported twice with different values: mde\/alerts-other-tenant\.json#\/value\/0\/aadTenantId and mde\/alerts\.json#\/value\/0\/aadTenantId/);
      expect(report.rules.find((r) => r.id === 'subscription-tenant-matches-xdr')).to.deep.equal(baseline.rules.find((r) => r.id === 'subscription-tenant-matches-xdr'));
    });
  });
});
