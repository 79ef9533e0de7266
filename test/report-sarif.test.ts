import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { expect } from 'chai';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { sarif } from '../src/report/formatters/sarif';
import type { FormatContext, Report, RuleMeta } from '../src/report/model';
import { summarize } from '../src/report/summary';
import { contosoReport, formatContext } from './report-fixture';

const DEMO = 'fixtures/snapshots/contoso';

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
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number; startColumn: number } };
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
          'Set antivirusEngine.enforcementLevel to real_time.',
          '**References**',
          '- <https://learn.microsoft.com/defender-endpoint/linux-preferences>\n- <https://learn.microsoft.com/defender-endpoint/microsoft-defender-antivirus-compatibility>',
        ].join('\n\n'),
      );
      expect(rule.help.text).to.contain('\n\nWhy it matters: In passive mode the antivirus blocks nothing.\n\nHow to fix: Set antivirusEngine');
      // GitHub reads security-severity only on rules tagged `security`.
      expect(rule.properties.tags).to.deep.equal(['antivirus', 'linux', 'security']);
      // A rule without references has no help link rather than an empty one.
      expect(run.tool.driver.rules.find((r) => r.id === 'mde-sensor-active')).to.not.have.property('helpUri');
    });

    it('gives one result per finding, most severe first, with the finding fingerprint as partialFingerprints', () => {
      expect(run.results.map((r) => [r.ruleId, r.level, r.partialFingerprints['postureLint/v1']])).to.deep.equal(
        report.findings.map((f) => [f.ruleId, f.severity === 'medium' ? 'warning' : 'error', f.fingerprint]),
      );
      for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).to.equal(r.ruleId);
    });

    it("locates a finding at its resource's record in the snapshot, joined records as related locations", () => {
      const result = run.results.find((r) => r.message.text.includes('7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f'))!;
      expect(result.message.text).to.equal('antivirus is passive (avMode "1"), so real-time protection is off (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f)');
      expect(result.locations).to.deep.equal([
        {
          physicalLocation: { artifactLocation: { uri: 'mde/machines.json', uriBaseId: 'SNAPSHOT' } },
          logicalLocations: [{ name: 'vm-linux-01.contoso.com', fullyQualifiedName: '7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f', kind: 'resource' }],
          properties: { file: 'mde/machines.json', pointer: '/value/1' },
        },
      ]);
      expect(result.relatedLocations).to.deep.equal([
        { id: 1, physicalLocation: { artifactLocation: { uri: 'mde/deviceavinfo.json', uriBaseId: 'SNAPSHOT' } }, properties: { file: 'mde/deviceavinfo.json', pointer: '/value/1' } },
      ]);
      expect(run.originalUriBaseIds.SNAPSHOT.description.text).to.contain('fixtures/snapshots/contoso');
    });

    it('percent-encodes file names into URIs, keeping the folder separators', () => {
      const odd = contosoReport();
      odd.snapshot.files.push({ file: 'mde/machines #2 (50%).json', kinds: ['mde.machines'], records: 4 });
      odd.findings[0] = { ...odd.findings[0], locations: [{ file: 'mde/machines #2 (50%).json', pointer: '/value/0' }] };
      const location = parse(odd).runs[0].results[0].locations[0];
      expect(location.physicalLocation!.artifactLocation.uri).to.equal('mde/machines%20%232%20(50%25).json');
      expect(location.properties!.file).to.equal('mde/machines #2 (50%).json');
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
              physicalLocation: { artifactLocation: { uri: 'graph/defender-role-assignments.json', uriBaseId: 'SNAPSHOT' }, region: { startLine: 14, startColumn: 7 } },
              properties: { pointer: '/value/1' },
            },
          ],
        },
        {
          level: 'warning',
          message: { text: 'osBuild must be a number, found "18209"' },
          descriptor: { id: 'export-schema' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'mde/machines.json', uriBaseId: 'SNAPSHOT' } }, properties: { pointer: '/value/3/osBuild' } }],
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
      expect(notification.locations![0].physicalLocation).to.deep.equal({ artifactLocation: { uri: 'rules/prod-vms-tagged.yaml' }, region: { startLine: 9, startColumn: 5 } });
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
    });

    it('keeps waived and baselined findings as results marked with an accepted external suppression', () => {
      const results = parse(suppressedReport()).runs[0].results;
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
    this.timeout(60000);
    let scratch = '';
    before(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'posture-lint-sarif-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('is valid SARIF whose every location is a record of the snapshot', async () => {
      const snapshot = path.join(scratch, 'as-exported');
      cpSync(DEMO, snapshot, { recursive: true });
      const { report, rules } = await lint({ snapshot });
      const log = parse(report, { rules, color: false });
      expect(schemaErrors(log)).to.deep.equal([]);
      const run = log.runs[0];
      expect(run.results.map((r) => r.partialFingerprints['postureLint/v1'])).to.deep.equal(report.findings.map((f) => f.fingerprint));
      expect(run.tool.driver.rules.map((r) => r.id)).to.have.members(report.rules.map((r) => r.id));
      // Every rule of the built-in pack has references, so each gets a help link.
      for (const rule of run.tool.driver.rules) expect(rule.helpUri, rule.id).to.match(/^https:\/\//);
      let resolved = 0;
      for (const r of run.results) {
        for (const loc of [...r.locations, ...(r.relatedLocations ?? [])]) {
          if (!loc.physicalLocation) continue;
          const file = path.join(snapshot, decodeURIComponent(loc.physicalLocation.artifactLocation.uri));
          expect(resolvePointer(JSON.parse(readFileSync(file, 'utf8')), loc.properties!.pointer!), `${file}#${loc.properties!.pointer}`).to.be.an('object');
          resolved++;
        }
      }
      expect(resolved).to.be.greaterThan(run.results.length / 2);
    });

    it('keeps the same partialFingerprints when the exports are re-filed under other names and folders', async () => {
      const original = path.join(scratch, 'original');
      const refiled = path.join(scratch, 'refiled');
      cpSync(DEMO, original, { recursive: true });
      // Files are recognised by content, so a flat folder of renamed files is the same estate.
      for (const file of filesBelow(original)) {
        const name = file.endsWith('.json') ? `exports/${file.replace(/\//g, '__').replace(/\.json$/, '')}.export.json` : file;
        mkdirSync(path.dirname(path.join(refiled, name)), { recursive: true });
        copyFileSync(path.join(original, file), path.join(refiled, name));
      }
      const runOf = async (snapshot: string) => {
        const { report, rules } = await lint({ snapshot });
        return parse(report, { rules, color: false }).runs[0];
      };
      const [a, b] = [await runOf(original), await runOf(refiled)];
      const fingerprints = (run: typeof a) => run.results.map((r) => `${r.ruleId} ${r.partialFingerprints['postureLint/v1']}`).sort();
      const uris = (run: typeof a) => run.results.flatMap((r) => r.locations.flatMap((l) => (l.physicalLocation ? [l.physicalLocation.artifactLocation.uri] : [])));
      expect(a.results.length).to.be.greaterThan(0);
      expect(fingerprints(b)).to.deep.equal(fingerprints(a));
      // The locations did change: no file keeps its name.
      expect(uris(b).filter((uri) => uris(a).includes(uri))).to.deep.equal([]);
    });
  });
});
