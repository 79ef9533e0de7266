import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { sarif } from '../src/report/formatters/sarif';
import { fingerprintOf } from '../src/engine/evaluate';
import { createBaseline, formatBaseline } from '../src/gate/baseline';
import type { Finding, FormatContext, Report, ResourceRef, RuleMeta, RuleResult, Severity } from '../src/report/model';
import { summarize } from '../src/report/summary';
import { alertIdentities, codeScanningProblems } from './code-scanning';
import { contosoReport, formatContext } from './report-fixture';

const DEMO = 'fixtures/snapshots/contoso';
const BIN = path.resolve('dist/src/cli/bin.js');

/** The OASIS schema (test/fixtures/external/SOURCES.md). */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/external/sarif-schema-2.1.0.json'), 'utf8'));
  // The schema declares draft-04 and names itself with draft-04's `id`, which Ajv 8 refuses; the
  // keywords it uses mean the same in draft-07, so it is validated as that.
  delete schema.$schema;
  delete schema.id;
  return new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
}
const validate = sarifValidator();

function schemaErrors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

interface SarifLocation {
  id?: number;
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number } };
  message?: { text: string };
  logicalLocations?: { name?: string; fullyQualifiedName: string; kind: string }[];
  properties?: { file?: string; pointer?: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string }[];
}

interface SarifNotification {
  level: string;
  message: { text: string };
  descriptor: { id: string };
  associatedRule?: { id: string; index?: number };
  locations?: SarifLocation[];
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          helpUri?: string;
          defaultConfiguration: { level: string };
          properties: { tags: string[]; 'security-severity': string };
        }[];
      };
    };
    originalUriBaseIds: Record<string, { description: { text: string } }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[]; toolConfigurationNotifications?: SarifNotification[] }[];
    results: SarifResult[];
  }[];
}

function parse(report: Report, context: FormatContext = formatContext(false)): SarifLog {
  return JSON.parse(sarif(report, context)) as SarifLog;
}

/** The fixture's context, with one rule documented as the built-in rules are. */
function documentedContext(): FormatContext {
  const context = formatContext(false);
  const rules = new Map<string, RuleMeta>(context.rules);
  rules.set('linux-realtime-protection-on', {
    ...rules.get('linux-realtime-protection-on')!,
    description: 'Linux servers onboarded to Defender for Endpoint run antivirus with real-time protection.\n',
    rationale: 'In passive mode the antivirus blocks nothing.',
    remediation: 'Set antivirusEngine.enforcementLevel to real_time.',
    references: ['https://learn.microsoft.com/defender-endpoint/linux-preferences', 'https://learn.microsoft.com/defender-endpoint/microsoft-defender-antivirus-compatibility'],
    tags: ['antivirus', 'linux'],
  });
  return { ...context, rules };
}

/** The fixture with vm-linux-01 waived and the sensor finding known to the baseline. */
function suppressedReport(): Report {
  const report = contosoReport();
  report.findings = report.findings.map((f) => {
    if (f.resource.name === 'vm-linux-01.contoso.com') {
      return { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'third-party AV until migration', owner: 'secops@contoso.com', expires: '2027-03-31' } };
    }
    if (f.ruleId === 'mde-sensor-active') return { ...f, suppression: { kind: 'baseline', source: 'posture-baseline.json' } };
    return f;
  });
  report.summary = summarize(report.rules, report.findings, report.diagnostics);
  return report;
}

/** Every file below `dir`, relative, with `/`. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesBelow(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** RFC 6901. */
function resolvePointer(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown>)[token], doc);
}

describe('report sarif formatter', () => {
  describe('a hand-built report', () => {
    const report = contosoReport();
    const out = sarif(report, documentedContext());
    const log = JSON.parse(out) as SarifLog;
    const run = log.runs[0];

    it('is valid SARIF 2.1.0 by the OASIS schema, with and without suppressions and problems', () => {
      expect(log.$schema).to.equal('https://json.schemastore.org/sarif-2.1.0.json');
      expect(log.version).to.equal('2.1.0');
      expect(schemaErrors(log)).to.deep.equal([]);
      expect(schemaErrors(parse(suppressedReport()))).to.deep.equal([]);
      expect(schemaErrors(parse({ ...report, diagnostics: [] }))).to.deep.equal([]);
      // The validator is not a rubber stamp.
      const broken = JSON.parse(out) as SarifLog;
      broken.runs[0].results[0].level = 'fatal';
      expect(schemaErrors(broken)).to.deep.equal(['/runs/0/results/0/level must be equal to one of the allowed values']);
    });

    it('describes every rule run, sorted by id, with level and GitHub security severity by rule severity', () => {
      expect(run.tool.driver).to.include({ name: 'posture-lint', version: '0.1.0' });
      const rules = run.tool.driver.rules.map((r) => [r.id, r.name, r.defaultConfiguration.level, r.properties['security-severity']]);
      expect(rules).to.deep.equal([
        ['defender-servers-plan-on', 'DefenderServersPlanOn', 'error', '9.5'],
        ['linux-realtime-protection-on', 'LinuxRealtimeProtectionOn', 'error', '8.0'],
        ['mde-sensor-active', 'MdeSensorActive', 'warning', '5.5'],
        ['mde-signatures-up-to-date', 'MdeSignaturesUpToDate', 'warning', '5.5'],
        ['xdr-roles-scoped-to-device-groups', 'XdrRolesScopedToDeviceGroups', 'error', '8.0'],
      ]);
    });

    it("builds each rule's help from its description, rationale, remediation and references", () => {
      const rule = run.tool.driver.rules.find((r) => r.id === 'linux-realtime-protection-on')!;
      expect(rule.shortDescription.text).to.equal('Linux servers have antivirus real-time protection on');
      expect(rule.fullDescription.text).to.equal('Linux servers onboarded to Defender for Endpoint run antivirus with real-time protection.');
      expect(rule.helpUri).to.equal('https://learn.microsoft.com/defender-endpoint/linux-preferences');
      expect(rule.help.markdown).to.equal(
        [
          'Linux servers onboarded to Defender for Endpoint run antivirus with real-time protection.',
          '**Why it matters**',
          'In passive mode the antivirus blocks nothing.',
          '**How to fix**',
          'Set antivirusEngine.enforcementLevel to real\\_time.',
          '**References**',
          '- [learn.microsoft.com/defender-endpoint/linux-preferences](https://learn.microsoft.com/defender-endpoint/linux-preferences)\n' +
            '- [learn.microsoft.com/defender-endpoint/microsoft-defender-antivirus-compatibility](https://learn.microsoft.com/defender-endpoint/microsoft-defender-antivirus-compatibility)',
        ].join('\n\n'),
      );
      expect(rule.help.text).to.contain('\n\nWhy it matters: In passive mode the antivirus blocks nothing.\n\nHow to fix: Set antivirusEngine');
      // GitHub reads security-severity only on rules tagged `security`, and keeps only the first 10
      // tags of a rule (docs "SARIF results limits"), so `security` comes first.
      expect(rule.properties.tags).to.deep.equal(['security', 'antivirus', 'linux']);
      // A rule without references has no help link rather than an empty one.
      expect(run.tool.driver.rules.find((r) => r.id === 'mde-sensor-active')).to.not.have.property('helpUri');
    });

    it('gives one result per finding, most severe first, with the finding fingerprint as partialFingerprints', () => {
      expect(run.results.slice(0, report.findings.length).map((r) => [r.ruleId, r.level, r.partialFingerprints['postureLint/v1']])).to.deep.equal(
        report.findings.map((f) => [f.ruleId, f.severity === 'medium' ? 'warning' : 'error', f.fingerprint]),
      );
      expect(run.results).to.have.length(report.findings.length + 1);
      for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).to.equal(r.ruleId);
    });

    it('locates a finding at its resource, with the records behind it as related locations linked from the message', () => {
      const result = run.results.find((r) => r.message.text.includes('7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f'))!;
      // GitHub links `[text](id)` in a message to the related location with that id.
      expect(result.message.text).to.equal(
        'antivirus is passive (avMode "1"), so real-time protection is off (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f) Record: [mde/machines.json#/value/1](1).',
      );
      expect(result.locations).to.deep.equal([
        {
          physicalLocation: {
            artifactLocation: { uri: 'mde.machines/7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f', uriBaseId: 'RESOURCES' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
          },
          logicalLocations: [{ name: 'vm-linux-01.contoso.com', fullyQualifiedName: '7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f', kind: 'resource' }],
        },
      ]);
      // Without the snapshot's place in the repository, files are named through the folder as given.
      expect(result.relatedLocations).to.deep.equal([
        {
          id: 1,
          physicalLocation: { artifactLocation: { uri: 'fixtures/snapshots/contoso/mde/machines.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } },
          message: { text: 'record /value/1' },
          properties: { file: 'mde/machines.json', pointer: '/value/1' },
        },
        {
          id: 2,
          physicalLocation: { artifactLocation: { uri: 'fixtures/snapshots/contoso/mde/deviceavinfo.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } },
          message: { text: 'record /value/1' },
          properties: { file: 'mde/deviceavinfo.json', pointer: '/value/1' },
        },
      ]);
      expect((result as unknown as { properties: { records: string[] } }).properties.records).to.deep.equal(['mde/machines.json#/value/1', 'mde/deviceavinfo.json#/value/1']);
    });

    it('names files from the repository root when the snapshot sits in a subfolder of it', () => {
      const inRepo = parse(report, { ...documentedContext(), snapshotInRepository: 'compliance/exports/nightly' }).runs[0];
      const uris = inRepo.results.flatMap((r) => (r.relatedLocations ?? []).map((l) => l.physicalLocation!.artifactLocation.uri));
      expect(uris).to.include('compliance/exports/nightly/mde/machines.json');
      for (const uri of uris) expect(uri.startsWith('compliance/exports/nightly/'), uri).to.equal(true);
      // At the root itself, the files' own paths.
      const atRoot = parse(report, { ...documentedContext(), snapshotInRepository: '' }).runs[0];
      expect(atRoot.results[0].relatedLocations![0].physicalLocation!.artifactLocation.uri).to.equal('defender/pricings.json');
      // Outside any repository, by an absolute path the folder was given as: a file URI, which code
      // scanning keeps as it is (docs "SARIF support for code scanning": specifying the root for source files).
      const outside = parse({ ...report, snapshot: { ...report.snapshot, path: '/tmp/snap' } }).runs[0];
      expect(outside.results[0].relatedLocations![0].physicalLocation!.artifactLocation).to.deep.equal({ uri: 'file:///tmp/snap/defender/pricings.json' });
      // A Windows agent's absolute path (an Azure DevOps $(Agent.TempDirectory)) is a file URI with
      // its drive too, not a folder named `D:` below the repository root.
      const windows = parse({ ...report, snapshot: { ...report.snapshot, path: 'D:/a/_temp/snap shot' } }).runs[0];
      expect(windows.results[0].relatedLocations![0].physicalLocation!.artifactLocation).to.deep.equal({ uri: 'file:///D:/a/_temp/snap%20shot/defender/pricings.json' });
    });

    it('shows control characters and bidi overrides in messages as escapes, and brackets as text, not links', () => {
      const hostile = contosoReport();
      hostile.findings = [{ ...hostile.findings[0], message: 'evil\x1b]0;pwned\x07 \u202etxt.exe [click](1)' }];
      const text = parse(hostile).runs[0].results[0].message.text;
      // `\u001b` as text, its backslash escaped like the brackets (SARIF §3.11.6).
      expect(text.startsWith(String.raw`evil\\u001b\]0;pwned\\u0007 \\u202etxt.exe \[click\](1) (`)).to.equal(true);
      expect(text).to.not.match(/[\x00-\x08\x0b-\x1f\u202e]/);
    });

    it('percent-encodes file names and resource ids into URIs, and never lets a segment climb out', () => {
      const odd = contosoReport();
      odd.snapshot.files.push({ file: 'mde/machines #2 (50%).json', kinds: ['mde.machines'], records: 4 });
      odd.findings[0] = {
        ...odd.findings[0],
        resource: { kind: 'mde.machines', id: '../../.github/workflows/Evil Name' },
        locations: [{ file: 'mde/machines #2 (50%).json', pointer: '/value/0' }],
      };
      const result = parse(odd).runs[0].results[0];
      expect(result.relatedLocations![0].physicalLocation!.artifactLocation.uri).to.equal('fixtures/snapshots/contoso/mde/machines%20%232%20(50%25).json');
      expect(result.relatedLocations![0].properties!.file).to.equal('mde/machines #2 (50%).json');
      expect(result.locations[0].physicalLocation!.artifactLocation.uri).to.equal('mde.machines/%2E%2E/%2E%2E/.github/workflows/evil%20name');
    });

    it('reports problems as execution notifications and fails the execution on an error', () => {
      const [invocation] = run.invocations;
      expect(invocation.executionSuccessful).to.equal(false);
      expect(invocation.toolExecutionNotifications).to.deep.equal([
        {
          level: 'error',
          message: { text: "Expected ',' or '}' after property value in JSON" },
          descriptor: { id: 'json-syntax' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'fixtures/snapshots/contoso/graph/defender-role-assignments.json', uriBaseId: '%SRCROOT%' },
                region: { startLine: 14, startColumn: 7 },
              },
              properties: { pointer: '/value/1' },
            },
          ],
        },
        {
          level: 'warning',
          message: { text: 'osBuild must be a number, found "18209"' },
          descriptor: { id: 'export-schema' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'fixtures/snapshots/contoso/mde/machines.json', uriBaseId: '%SRCROOT%' } }, properties: { pointer: '/value/3/osBuild' } },
          ],
        },
      ]);
      const warningsOnly = parse({ ...report, diagnostics: report.diagnostics.filter((d) => d.severity !== 'error') });
      expect(warningsOnly.runs[0].invocations[0].executionSuccessful).to.equal(true);
    });

    it('names a rule file by its own path, not below the snapshot, and links the rule', () => {
      const withRuleProblem = contosoReport();
      withRuleProblem.diagnostics = [
        diagnostic('error', 'rule-schema', 'unknown operator equal', { file: 'rules/prod-vms-tagged.yaml', position: { line: 9, column: 5 }, ruleId: 'linux-realtime-protection-on' }),
      ];
      const [notification] = parse(withRuleProblem).runs[0].invocations[0].toolExecutionNotifications!;
      expect(notification.associatedRule).to.deep.equal({ id: 'linux-realtime-protection-on', index: 1 });
      expect(notification.locations![0].physicalLocation).to.deep.equal({ artifactLocation: { uri: 'rules/prod-vms-tagged.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 9, startColumn: 5 } });
    });

    it('names a stray manifest (misnamed, or below the folder given) below the snapshot folder, as exports are named', () => {
      const withStray = contosoReport();
      withStray.diagnostics = [
        diagnostic('error', 'manifest-nested', '2026-11-27/snapshot.yaml looks like the manifest of a snapshot in 2026-11-27, …', { file: '2026-11-27/snapshot.yaml' }),
        diagnostic('error', 'manifest-misnamed', 'snapshot.yml looks like the snapshot manifest, …', { file: 'snapshot.yml' }),
      ];
      const uris = parse(withStray).runs[0].invocations[0].toolExecutionNotifications!.map((n) => n.locations![0].physicalLocation!.artifactLocation!.uri);
      expect(uris).to.deep.equal([`${DEMO}/2026-11-27/snapshot.yaml`, `${DEMO}/snapshot.yml`]);
    });

    it('says what a not-evaluated rule needs, as a configuration notification', () => {
      expect(run.invocations[0].toolConfigurationNotifications).to.deep.equal([
        {
          level: 'warning',
          message: { text: 'rule xdr-roles-scoped-to-device-groups not evaluated: needs xdr.roleAssignments (no file in the snapshot was recognised as an export of xdr.roleAssignments)' },
          descriptor: { id: 'not-evaluated' },
          associatedRule: { id: 'xdr-roles-scoped-to-device-groups', index: 4 },
          properties: { needs: ['mde.machines', 'xdr.roleAssignments'], missing: ['xdr.roleAssignments'] },
        },
      ]);
    });

    it('says a rule checked nothing as a configuration notification, and carries the gate verdict as the exit code', () => {
      const report = contosoReport();
      report.rules = report.rules.map((r) => (r.id === 'mde-signatures-up-to-date' ? { ...r, status: 'checked-nothing', evaluated: 0, passed: 0 } : r));
      const invocation = parse(report).runs[0].invocations[0];
      expect(invocation.toolConfigurationNotifications[0]).to.deep.equal({
        level: 'warning',
        message: { text: 'rule mde-signatures-up-to-date checked nothing: no record of mde.avHealth was in its scope, so it proves nothing' },
        descriptor: { id: 'checked-nothing' },
        associatedRule: { id: 'mde-signatures-up-to-date', index: 3 },
        properties: { needs: ['mde.avHealth'], missing: [] },
      });
      expect(invocation).to.deep.include({ exitCode: 2, exitCodeDescription: report.gate.line });
      // It stays an open alert too, saying it checked nothing.
      const result = parse(report).runs[0].results.find((r) => r.ruleId === 'mde-signatures-up-to-date')!;
      expect(result.message.text).to.equal(
        'rule mde-signatures-up-to-date checked nothing: no record of mde.avHealth was in its scope, so it proves nothing. Nothing was checked in this run, so its other alerts are closed without any resource having been checked.',
      );
    });

    it('keeps a rule that checked nothing an open alert, since code scanning would close its alerts as fixed', () => {
      const result = run.results.at(-1)!;
      expect(result.ruleId).to.equal('xdr-roles-scoped-to-device-groups');
      expect(result.level).to.equal('warning');
      expect(result.message.text).to.equal(
        'rule xdr-roles-scoped-to-device-groups not evaluated: needs xdr.roleAssignments (no file in the snapshot was recognised as an export of xdr.roleAssignments). Nothing was checked in this run, so its other alerts are closed without any resource having been checked.',
      );
      expect(result.locations[0].physicalLocation!.artifactLocation).to.deep.equal({ uri: 'posture-lint/xdr-roles-scoped-to-device-groups', uriBaseId: 'RESOURCES' });
      // The same alert every run the rule cannot run.
      expect(parse(contosoReport()).runs[0].results.at(-1)!.partialFingerprints).to.deep.equal(result.partialFingerprints);
    });

    it('leaves waived and baselined findings out, since code scanning shows suppressed results as open alerts', () => {
      // github/codeql-action#1230: upload-sarif does not honour SARIF `suppressions`.
      const log = parse(suppressedReport());
      expect(log.runs[0].results.map((r) => r.message.text.split(' (')[0])).to.deep.equal([
        'plan is Free in subscription 00000000-0000-0000-0000-000000000000',
        'antivirus is passive',
        'rule xdr-roles-scoped-to-device-groups not evaluated: needs xdr.roleAssignments',
      ]);
      expect(log.runs[0].results.every((r) => !r.suppressions)).to.equal(true);
    });

    it('keeps them, marked with an accepted external suppression, when asked to', () => {
      const results = parse(suppressedReport(), { ...formatContext(false), includeSuppressed: true }).runs[0].results.filter((r) => r.ruleId !== 'xdr-roles-scoped-to-device-groups');
      expect(results).to.have.length(4);
      const suppressions = results.map((r) => [r.message.text.split(' (')[0], r.level, r.suppressions]);
      expect(suppressions).to.deep.include.members([
        [
          'antivirus is passive',
          'error',
          [
            {
              kind: 'external',
              status: 'accepted',
              justification: 'waived: third-party AV until migration (owner secops@contoso.com, expires 2027-03-31; waivers.yaml)',
              properties: { suppressionKind: 'waiver', source: 'waivers.yaml', owner: 'secops@contoso.com', expires: '2027-03-31' },
            },
          ],
        ],
        [
          'sensor health is Inactive',
          'warning',
          [{ kind: 'external', status: 'accepted', justification: 'baseline: known finding recorded in posture-baseline.json', properties: { suppressionKind: 'baseline', source: 'posture-baseline.json' } }],
        ],
      ]);
      expect(results.filter((r) => !r.suppressions)).to.have.length(2);
    });

    it('gives the same bytes whatever order the report lists things in', () => {
      const shuffled = contosoReport();
      shuffled.findings.reverse();
      shuffled.rules.reverse();
      shuffled.diagnostics.reverse();
      expect(sarif(shuffled, documentedContext())).to.equal(out);
      expect(out.endsWith('}\n')).to.equal(true);
      expect(out.startsWith('{\n  "$schema"')).to.equal(true);
    });
  });

  describe('a lint of the demo snapshot', function () {
    this.timeout(120000);
    let scratch = '';
    before(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'posture-lint-sarif-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    /** The demo estate as exported, at `<repo>/<folder>`. */
    function asExported(repo: string, folder: string): string {
      const snapshot = path.join(scratch, repo, folder);
      cpSync(DEMO, snapshot, { recursive: true });
      return snapshot;
    }

    /**
     * The same estate exported again, laid out differently: every file renamed into one flat folder,
     * a device moved from the first page of machines to the second and one back, and the ARM ids of
     * the virtual machines in other casing (ARM compares ids case-insensitively).
     */
    function reExported(repo: string, folder: string): string {
      const original = path.join(scratch, `${repo}-source`);
      cpSync(DEMO, original, { recursive: true });
      const pages = ['mde/machines.page-1.json', 'mde/machines.page-2.json'].map((f) => JSON.parse(readFileSync(path.join(original, f), 'utf8')));
      [pages[0].value[0], pages[1].value[0]] = [pages[1].value[0], pages[0].value[0]];
      pages.forEach((page, i) => writeFileSync(path.join(original, `mde/machines.page-${i + 1}.json`), JSON.stringify(page, null, 2)));
      for (const f of ['arm/vms.page-1.json', 'arm/vms.page-2.json']) {
        const text = readFileSync(path.join(original, f), 'utf8');
        writeFileSync(path.join(original, f), text.replace(/\/resourceGroups\//g, '/RESOURCEGROUPS/').replace(/\/providers\/Microsoft\.Compute\//g, '/providers/MICROSOFT.COMPUTE/'));
      }
      const snapshot = path.join(scratch, repo, folder);
      for (const file of filesBelow(original)) {
        const name = file.endsWith('.json') ? `${file.replace(/\//g, '__').replace(/\.json$/, '')}.export.json` : file;
        mkdirSync(path.dirname(path.join(snapshot, name)), { recursive: true });
        copyFileSync(path.join(original, file), path.join(snapshot, name));
      }
      return snapshot;
    }

    async function sarifOf(snapshot: string, snapshotInRepository: string, options: { baseline?: string } = {}) {
      const { report, rules } = await lint({ snapshot, ...options });
      return { report, text: sarif(report, { rules, color: false, snapshotInRepository }) };
    }

    it('is valid SARIF that code scanning accepts and shows whole, every related location a record of the snapshot', async () => {
      const snapshot = asExported('repo', 'compliance/snapshot');
      const { report, text } = await sarifOf(snapshot, 'compliance/snapshot');
      const log = JSON.parse(text) as SarifLog;
      expect(schemaErrors(log)).to.deep.equal([]);
      expect(codeScanningProblems(text, { shown: true })).to.deep.equal([]);
      const run = log.runs[0];
      expect(run.results.map((r) => r.partialFingerprints['postureLint/v1'])).to.deep.equal(report.findings.map((f) => f.fingerprint));
      expect(run.tool.driver.rules.map((r) => r.id)).to.have.members(report.rules.map((r) => r.id));
      // Every rule of the built-in pack has references, so each gets a help link.
      for (const rule of run.tool.driver.rules) expect(rule.helpUri, rule.id).to.match(/^https:\/\//);
      let resolved = 0;
      for (const r of run.results) {
        for (const loc of r.relatedLocations ?? []) {
          // GitHub resolves the URI from the repository root.
          const file = path.join(scratch, 'repo', decodeURIComponent(loc.physicalLocation!.artifactLocation.uri));
          expect(resolvePointer(JSON.parse(readFileSync(file, 'utf8')), loc.properties!.pointer!), `${file}#${loc.properties!.pointer}`).to.be.an('object');
          resolved++;
        }
      }
      expect(resolved).to.be.greaterThan(run.results.length / 2);
      // The one finding about the snapshot's description of itself has no file, yet a location code scanning takes.
      const selfFinding = run.results.find((r) => r.ruleId === 'export-set-consistent')!;
      expect(selfFinding.relatedLocations).to.equal(undefined);
      expect(selfFinding.locations[0].physicalLocation!.artifactLocation.uri).to.equal('collection/snapshot.exports');
    });

    it('gives the same alert identities for two exports of one estate laid out differently, and a baseline of one silences the other', async () => {
      const a = await sarifOf(asExported('repo-a', 'snapshot'), 'snapshot');
      const bFolder = reExported('repo-b', 'exports/nightly');
      const b = await sarifOf(bFolder, 'exports/nightly');
      expect(a.report.findings.length).to.be.greaterThan(0);
      expect(b.report.findings.length).to.equal(a.report.findings.length);
      // The exports did change: no record is in a file of the same name.
      const records = (text: string) => (JSON.parse(text) as SarifLog).runs[0].results.flatMap((r) => (r.relatedLocations ?? []).map((l) => `${l.properties!.file}#${l.properties!.pointer}`));
      expect(records(b.text).filter((r) => records(a.text).includes(r))).to.deep.equal([]);
      // Code scanning matches alerts by rule, path, start line and primaryLocationLineHash.
      expect(alertIdentities(b.text)).to.deep.equal(alertIdentities(a.text));

      const baseline = path.join(scratch, 'baseline.json');
      writeFileSync(baseline, formatBaseline(createBaseline(a.report)));
      const silenced = await sarifOf(bFolder, 'exports/nightly', { baseline });
      expect(silenced.report.summary.suppressed).to.equal(a.report.findings.length);
      expect((JSON.parse(silenced.text) as SarifLog).runs[0].results).to.deep.equal([]);
      expect(codeScanningProblems(silenced.text)).to.deep.equal([]);
    });

    it('names files from the git checkout holding the snapshot, or from --repo-root', () => {
      const repo = path.join(scratch, 'checkout');
      mkdirSync(path.join(repo, '.git'), { recursive: true });
      cpSync(DEMO, path.join(repo, 'estate', 'contoso'), { recursive: true });
      const run = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, 'lint', ...args, '--format', 'sarif'], { cwd, encoding: 'utf8' });
      // Run from elsewhere: the repository root, not the working directory, anchors the paths.
      const fromElsewhere = run([path.join(repo, 'estate', 'contoso')], scratch);
      expect(fromElsewhere.stderr).to.equal('');
      const uris = (JSON.parse(fromElsewhere.stdout) as SarifLog).runs[0].results.flatMap((r) => (r.relatedLocations ?? []).map((l) => l.physicalLocation!.artifactLocation.uri));
      expect(uris.length).to.be.greaterThan(0);
      for (const uri of uris) expect(uri.startsWith('estate/contoso/'), uri).to.equal(true);
      const explicit = run(['estate/contoso', '--repo-root', 'estate'], repo);
      expect((JSON.parse(explicit.stdout) as SarifLog).runs[0].results[0].relatedLocations![0].physicalLocation!.artifactLocation.uri.startsWith('contoso/')).to.equal(true);
      const outside = run(['estate/contoso', '--repo-root', path.join(scratch, 'elsewhere')], repo);
      expect(outside.status).to.equal(2);
      expect(outside.stderr).to.contain('is not inside --repo-root');
    });

    it('names a rule file from the repository root too, when the job runs in a subfolder of it', () => {
      const repo = path.join(scratch, 'checkout-with-rules');
      mkdirSync(path.join(repo, '.git'), { recursive: true });
      cpSync(DEMO, path.join(repo, 'estate', 'contoso'), { recursive: true });
      mkdirSync(path.join(repo, 'policy', 'rules'), { recursive: true });
      copyFileSync(path.join('test', 'fixtures', 'broken-rules', 'bad-severity.yaml'), path.join(repo, 'policy', 'rules', 'bad-severity.yaml'));
      // A workflow step with `working-directory: policy`.
      const lint = (format: string) =>
        spawnSync(process.execPath, [BIN, 'lint', '../estate/contoso', '--rules', 'rules', '--format', format], { cwd: path.join(repo, 'policy'), encoding: 'utf8' });
      const log = JSON.parse(lint('sarif').stdout) as SarifLog;
      const notification = log.runs[0].invocations[0].toolExecutionNotifications!.find((n) => n.descriptor.id === 'rule-schema')!;
      expect(notification.locations![0].physicalLocation!.artifactLocation).to.deep.equal({ uri: 'policy/rules/bad-severity.yaml', uriBaseId: '%SRCROOT%' });
      expect(lint('github').stdout).to.match(/^::error file=policy\/rules\/bad-severity.yaml,line=3,col=11,title=rule-schema::/m);
    });
  });

  describe('an estate with more findings than code scanning shows', () => {
    /**
     * Shaped like the 1M-device bench estate's report (bench/generate.ts): over 100,000 findings,
     * most of them on Defender for Endpoint devices in a few rules, others on VMs across hundreds of
     * subscriptions, and a few rules with a handful of findings.
     */
    function largeReport(): Report {
      const report = contosoReport();
      const rules: RuleResult[] = [];
      const findings: Finding[] = [];
      const add = (id: string, severity: Severity, n: number, resource: (i: number) => ResourceRef) => {
        rules.push({ id, title: id, severity, status: 'failed', evaluated: n * 2, passed: n, failed: n, needs: [] });
        for (let i = 0; i < n; i++) {
          const r = resource(i);
          findings.push({ ruleId: id, severity, message: `${r.name ?? r.id} fails ${id}`, resource: r, locations: [{ file: `mde/machines.page-${1 + (i % 500)}.json`, pointer: `/value/${i % 2000}` }], fingerprint: fingerprintOf(id, r) });
        }
      };
      const device = (i: number): ResourceRef => ({ kind: 'mde.machines', id: i.toString(16).padStart(40, '0'), name: `host-${i}.contoso.com` });
      const vm = (i: number): ResourceRef => ({ kind: 'arm.virtualMachines', id: `/subscriptions/${String(i % 500).padStart(8, '0')}-0000-4000-8000-000000000000/resourceGroups/rg-${i % 37}/providers/Microsoft.Compute/virtualMachines/vm-${i}`, name: `vm-${i}` });
      add('av-signatures-current', 'medium', 60_000, device);
      add('linux-realtime-protection-on', 'high', 30_000, device);
      add('vm-onboarded-to-mde', 'high', 12_000, vm);
      add('device-in-device-group', 'low', 9_000, device);
      add('mde-device-healthy', 'medium', 3_000, device);
      add('defender-servers-plan-enabled', 'critical', 40, (i) => ({ kind: 'arm.subscriptions', id: `/subscriptions/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` }));
      add('export-set-consistent', 'medium', 1, () => ({ kind: 'collection', id: 'snapshot.exports' }));
      report.rules = rules;
      report.findings = findings;
      report.diagnostics = [];
      report.summary = summarize(report.rules, report.findings, report.diagnostics);
      return report;
    }

    const report = largeReport();
    const text = sarif(report, formatContext(false));
    const run = (JSON.parse(text) as SarifLog).runs[0];

    it('stays within every limit of code scanning, every result shown', () => {
      expect(report.findings.length).to.be.greaterThan(100_000);
      expect(codeScanningProblems(text, { shown: true })).to.deep.equal([]);
      expect(run.results.length).to.be.at.most(5_000);
      expect(gzipSync(text).length).to.be.below(10 * 1024 * 1024);
    });

    it('names every failing rule, keeps small rules whole and rolls up the large ones per subscription or kind', () => {
      expect(new Set(run.results.map((r) => r.ruleId))).to.deep.equal(new Set(report.rules.map((r) => r.id)));
      const count = (id: string) => run.results.filter((r) => r.ruleId === id).length;
      expect(count('defender-servers-plan-enabled')).to.equal(40);
      expect(count('export-set-consistent')).to.equal(1);
      // 3,000 findings fit beside the rolled-up rules, so each is its own result.
      expect(count('mde-device-healthy')).to.equal(3_000);
      // 12,000 VMs in 500 subscriptions: one result per subscription.
      expect(count('vm-onboarded-to-mde')).to.equal(500);
      const rolled = run.results.find((r) => r.ruleId === 'vm-onboarded-to-mde')!;
      expect(rolled.message.text).to.match(/^24 resources in \/subscriptions\/00000000-0000-4000-8000-000000000000 fail this rule; the first: vm-\d+ fails vm-onboarded-to-mde/);
      expect(rolled.message.text).to.contain('the json and junit reports of the same run list each of them');
      // Devices have no subscription in their id: one result for the rule.
      expect(count('av-signatures-current')).to.equal(1);
      const notice = run.invocations[0].toolExecutionNotifications!.find((n) => n.descriptor.id === 'results-rolled-up')!;
      expect(notice.message.text).to.contain('114041 findings are more than the 5000 results GitHub code scanning shows');
      expect(notice.message.text).to.contain('av-signatures-current (60000 findings as 1 result)');
    });

    it('keeps a rolled-up alert the same alert when another kind of resource in its subscription starts failing', () => {
      const identity = (log: string) => {
        const r = (JSON.parse(log) as SarifLog).runs[0].results.find((x) => x.ruleId === 'vm-onboarded-to-mde')!;
        return [r.locations[0].physicalLocation!.artifactLocation.uri, r.partialFingerprints.primaryLocationLineHash];
      };
      const next = largeReport();
      const i = next.findings.findIndex((f) => f.ruleId === 'vm-onboarded-to-mde' && f.resource.id.startsWith('/subscriptions/00000000-'));
      const arc: ResourceRef = { kind: 'arm.arcMachines', id: '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/onprem-1', name: 'onprem-1' };
      next.findings[i] = { ...next.findings[i], resource: arc, fingerprint: fingerprintOf('vm-onboarded-to-mde', arc) };
      expect(identity(sarif(next, formatContext(false)))).to.deep.equal(identity(text));
    });

    it('rolls up the same way every time: the same findings in another order give the same bytes', () => {
      const shuffled = largeReport();
      shuffled.findings.reverse();
      expect(sarif(shuffled, formatContext(false))).to.equal(text);
    });
  });
});
