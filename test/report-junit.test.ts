import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { diagnostic } from '../src/diagnostics';
import { lint } from '../src/lint';
import { junit } from '../src/report/formatters/junit';
import type { Report } from '../src/report/model';
import { summarize } from '../src/report/summary';
import { contosoReport, formatContext } from './report-fixture';

interface Outcome {
  message: string;
  type?: string;
  '#text'?: string;
}

interface TestCase {
  classname: string;
  name: string;
  time: string;
  file?: string;
  line?: string;
  'system-out'?: string;
  failure?: Outcome;
  skipped?: Outcome;
  error?: Outcome;
}

interface Counts {
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
}

interface TestSuite extends Counts {
  name: string;
  time: string;
  testcase?: TestCase[];
}

interface Doc {
  testsuites: Counts & { name: string; time: string; testsuite: TestSuite[] };
}

// XML 1.0's Char production: what a document may contain at all, escaped or not.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Parses the output after proving it well-formed. */
function parse(xml: string): Doc {
  expect(XMLValidator.validate(xml)).to.equal(true);
  expect(NOT_XML_CHAR.test(xml), 'characters XML 1.0 forbids').to.equal(false);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Character references (&#10;) become the characters they stand for, as in any XML parser.
    htmlEntities: true,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as Doc;
}

function suite(doc: Doc, name: string): TestSuite {
  const found = doc.testsuites.testsuite.find((s) => s.name === name);
  if (!found) throw new Error(`no test suite ${name}`);
  return found;
}

const counts = (c: Counts) => [c.tests, c.failures, c.errors, c.skipped].map(Number);

/** Test case names and outcomes, as `<name> <outcome>`. */
function cases(s: TestSuite): string[] {
  return (s.testcase ?? []).map((c) => `${c.name} ${c.failure ? `failure:${c.failure.type}` : c.skipped ? 'skipped' : c.error ? 'error' : 'passed'}`);
}

describe('report junit formatter', () => {
  describe('the hand-built report', () => {
    const report = contosoReport();
    const xml = junit(report, formatContext(false));
    const doc = parse(xml);

    it('has one test suite per rule, sorted by id, then one for input and rule-file errors', () => {
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).to.equal(true);
      expect(doc.testsuites.testsuite.map((s) => s.name)).to.deep.equal([
        'defender-servers-plan-on',
        'linux-realtime-protection-on',
        'mde-sensor-active',
        'mde-signatures-up-to-date',
        'xdr-roles-scoped-to-device-groups',
        'posture-lint',
      ]);
      for (const s of doc.testsuites.testsuite) for (const c of s.testcase ?? []) expect(c.classname).to.equal(s.name);
    });

    it('makes each failed resource a failing test case named by name and id, and the passes of a rule one passing test case', () => {
      expect(cases(suite(doc, 'linux-realtime-protection-on'))).to.deep.equal([
        'vm-linux-01.contoso.com (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f) failure:high',
        'vm-linux-02.contoso.com (c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0) failure:high',
        'passing resources passed',
      ]);
      expect(cases(suite(doc, 'mde-sensor-active'))).to.deep.equal(['mymachine1.contoso.com (1e5bc9d7e413ddd7902c2932e418702b84d0cc07) failure:medium', 'passing resources passed']);
      // A rule with nothing failed has the same passing test case, so its history is one test.
      expect(cases(suite(doc, 'mde-signatures-up-to-date'))).to.deep.equal(['passing resources passed']);
      expect(cases(suite(doc, 'defender-servers-plan-on'))).to.deep.equal([
        'VirtualMachines (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines) failure:critical',
        'passing resources passed',
      ]);
      // The count is the passing test case's output, not its name.
      expect(suite(doc, 'mde-sensor-active').testcase!.at(-1)!['system-out']).to.equal('3 of 4 resources checked passed');
    });

    it('puts the message in the failure and the message, resource and records in its body', () => {
      const failure = suite(doc, 'linux-realtime-protection-on').testcase![0].failure!;
      expect(failure.message).to.equal('antivirus is passive (avMode "1"), so real-time protection is off');
      expect(failure['#text']).to.equal(
        [
          'antivirus is passive (avMode "1"), so real-time protection is off (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f)',
          'resource: mde.machines 7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f',
          'mde/machines.json#/value/1',
          'mde/deviceavinfo.json#/value/1',
        ].join('\n'),
      );
    });

    it('skips a not-evaluated rule, saying what it needs', () => {
      const s = suite(doc, 'xdr-roles-scoped-to-device-groups');
      expect(s.testcase).to.deep.equal([
        {
          classname: 'xdr-roles-scoped-to-device-groups',
          name: 'not evaluated',
          time: '0',
          skipped: { message: 'not evaluated: needs xdr.roleAssignments (no file in the snapshot was recognised as an export of xdr.roleAssignments)' },
        },
      ]);
    });

    it('skips a rule that checked nothing, saying so: never a passing test case', () => {
      const report = contosoReport();
      report.rules = report.rules.map((r) => (r.id === 'mde-signatures-up-to-date' ? { ...r, status: 'checked-nothing', evaluated: 0, passed: 0 } : r));
      expect(suite(parse(junit(report, formatContext(false))), 'mde-signatures-up-to-date').testcase).to.deep.equal([
        {
          classname: 'mde-signatures-up-to-date',
          name: 'checked nothing',
          time: '0',
          skipped: { message: 'checked nothing: no record of mde.avHealth was in its scope, so it proves nothing' },
        },
      ]);
    });

    it('makes each input or rule-file error a test case in error named file:line:col; warnings are not errors', () => {
      expect(suite(doc, 'posture-lint').testcase).to.deep.equal([
        {
          classname: 'posture-lint',
          name: 'graph/defender-role-assignments.json:14:7',
          time: '0',
          // For reporters that annotate the file (mikepenz/action-junit-report reads file and line).
          file: 'fixtures/snapshots/contoso/graph/defender-role-assignments.json',
          line: '14',
          error: {
            message: "Expected ',' or '}' after property value in JSON",
            type: 'json-syntax',
            '#text': "graph/defender-role-assignments.json:14:7: Expected ',' or '}' after property value in JSON",
          },
        },
      ]);
      const warningsOnly = parse(junit({ ...report, diagnostics: report.diagnostics.filter((d) => d.severity !== 'error') }, formatContext(false)));
      expect(warningsOnly.testsuites.testsuite.map((s) => s.name)).to.not.include('posture-lint');
    });

    it('counts tests, failures, errors and skipped per suite and in total', () => {
      expect(counts(suite(doc, 'linux-realtime-protection-on'))).to.deep.equal([3, 2, 0, 0]);
      expect(counts(suite(doc, 'xdr-roles-scoped-to-device-groups'))).to.deep.equal([1, 0, 0, 1]);
      expect(counts(suite(doc, 'posture-lint'))).to.deep.equal([1, 0, 1, 0]);
      expect(counts(doc.testsuites)).to.deep.equal([10, 4, 1, 1]);
    });

    it('skips waived and baselined findings instead of failing them', () => {
      const waived: Report = contosoReport();
      waived.findings = waived.findings.map((f) =>
        f.resource.name === 'vm-linux-02.contoso.com'
          ? { ...f, suppression: { kind: 'waiver', source: 'waivers.yaml', justification: 'decommissioned in March', owner: 'secops@contoso.com' } }
          : f.ruleId === 'mde-sensor-active'
            ? { ...f, suppression: { kind: 'baseline', source: 'posture-baseline.json' } }
            : f,
      );
      waived.summary = summarize(waived.rules, waived.findings, waived.diagnostics);
      const out = parse(junit(waived, formatContext(false)));
      expect(suite(out, 'linux-realtime-protection-on').testcase![1]).to.deep.equal({
        classname: 'linux-realtime-protection-on',
        name: 'vm-linux-02.contoso.com (c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0)',
        time: '0',
        file: 'fixtures/snapshots/contoso/mde/machines.json',
        skipped: { message: 'waived: decommissioned in March (owner secops@contoso.com; waivers.yaml)' },
      });
      expect(suite(out, 'mde-sensor-active').testcase![0].skipped).to.deep.equal({ message: 'baseline: known finding recorded in posture-baseline.json' });
      expect(counts(out.testsuites)).to.deep.equal([10, 2, 1, 3]);
    });

    it('names a resource the same way whether or not another shares its name, and by id alone when it has no name', () => {
      const twins = contosoReport();
      twins.findings = twins.findings.map((f) => (f.ruleId === 'linux-realtime-protection-on' ? { ...f, resource: { ...f.resource, name: 'vm-linux' } } : f));
      expect(cases(suite(parse(junit(twins, formatContext(false))), 'linux-realtime-protection-on'))).to.deep.equal([
        'vm-linux (7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f) failure:high',
        'vm-linux (c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0) failure:high',
        'passing resources passed',
      ]);
      const nameless = contosoReport();
      nameless.findings = nameless.findings.map((f) => ({ ...f, resource: { kind: f.resource.kind, id: f.resource.id } }));
      expect(cases(suite(parse(junit(nameless, formatContext(false))), 'mde-sensor-active'))[0]).to.equal('1e5bc9d7e413ddd7902c2932e418702b84d0cc07 failure:medium');
    });

    it('gives every suite and test case the time reporters read, and the classname of its suite', () => {
      // dorny/test-reporter (src/parsers/java-junit/java-junit-parser.ts) reads parseFloat(time) on
      // <testsuites>, each <testsuite> and each <testcase>, and shows NaN where it is missing; a
      // classname equal to the suite name puts the cases in the suite's own group. PublishTestResults@2
      // takes a test case's duration from time.
      expect(doc.testsuites).to.have.property('time', '0');
      for (const s of doc.testsuites.testsuite) {
        expect(Number.isFinite(parseFloat(s.time)), s.name).to.equal(true);
        for (const c of s.testcase ?? []) {
          expect(Number.isFinite(parseFloat(c.time)), `${s.name} ${c.name}`).to.equal(true);
          expect(c.classname).to.equal(s.name);
        }
      }
    });

    it('names the file of each failed resource, so reporters need not look for a <rule-id>.* file', () => {
      // mikepenz/action-junit-report (src/testParser.ts) annotates the testcase's file attribute, else
      // globs **/<last dotted part of the classname>.* through the workspace.
      for (const c of suite(doc, 'linux-realtime-protection-on').testcase!.filter((x) => x.failure)) expect(c.file).to.equal('fixtures/snapshots/contoso/mde/machines.json');
      const inRepo = parse(junit(report, { ...formatContext(false), snapshotInRepository: 'estate/contoso' }));
      expect(suite(inRepo, 'defender-servers-plan-on').testcase![0].file).to.equal('estate/contoso/defender/pricings.json');
    });

    it('stays well-formed and keeps the text of hostile names and messages', () => {
      const hostile = contosoReport();
      const message = 'a <b> & "c" \'d\' ]]> e\u0000f\u001b[31m \u202eexe.txt\r\nnext\tline';
      hostile.findings[0] = { ...hostile.findings[0], message, resource: { ...hostile.findings[0].resource, name: '</testcase><x y="' } };
      hostile.diagnostics = [diagnostic('error', 'json-syntax', 'bad \ud800 surrogate \uffff', { file: 'graph/<&>.json', position: { line: 1, column: 2 } })];
      const out = parse(junit(hostile, formatContext(false)));
      const c = suite(out, 'defender-servers-plan-on').testcase![0];
      expect(c.name).to.equal('</testcase><x y=" (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/VirtualMachines)');
      expect(c.failure!.message).to.equal('a <b> & "c" \'d\' ]]> e\\u0000f\\u001b[31m \\u202eexe.txt\r\nnext\tline');
      expect(c.failure!['#text']!.startsWith('a <b> & "c" \'d\' ]]> e\\u0000f\\u001b[31m \\u202eexe.txt\r\nnext\tline (')).to.equal(true);
      expect(suite(out, 'posture-lint').testcase![0]).to.include({ name: 'graph/<&>.json:1:2' });
      expect(suite(out, 'posture-lint').testcase![0].error!.message).to.equal('bad \\ud800 surrogate \\uffff');
    });

    it('gives the same output whatever order the report lists things in', () => {
      const shuffled = contosoReport();
      shuffled.findings.reverse();
      shuffled.rules.reverse();
      shuffled.diagnostics.reverse();
      expect(junit(shuffled, formatContext(false))).to.equal(xml);
    });
  });

  describe('a lint of the demo snapshot', function () {
    this.timeout(60000);
    let scratch = '';
    let report: Report;
    let doc: Doc;
    before(async () => {
      scratch = mkdtempSync(path.join(tmpdir(), 'posture-lint-junit-'));
      cpSync('fixtures/snapshots/contoso', scratch, { recursive: true });
      const result = await lint({ snapshot: scratch });
      report = result.report;
      doc = parse(junit(report, { rules: result.rules, color: false }));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('has a suite per rule whose counts match the rule: a failure per finding, one case for the passes', () => {
      for (const rule of report.rules) {
        const s = suite(doc, rule.id);
        const findings = report.findings.filter((f) => f.ruleId === rule.id);
        const expected = findings.length + 1;
        expect(counts(s), rule.id).to.deep.equal([expected, findings.filter((f) => !f.suppression).length, 0, findings.filter((f) => f.suppression).length + (rule.status === 'not-evaluated' ? 1 : 0)]);
        expect(s.testcase!.at(-1)!.name).to.equal(rule.status === 'not-evaluated' ? 'not evaluated' : 'passing resources');
      }
    });

    it('keeps every test name when the estate is exported again under other file names and pages', async () => {
      const again = mkdtempSync(path.join(tmpdir(), 'posture-lint-junit-again-'));
      try {
        for (const file of readdirSync(scratch, { recursive: true, withFileTypes: true })) {
          if (!file.isFile()) continue;
          const rel = path.relative(scratch, path.join(file.parentPath, file.name));
          const name = rel.endsWith('.json') ? `${rel.split(path.sep).join('__')}` : rel;
          mkdirSync(path.dirname(path.join(again, name)), { recursive: true });
          copyFileSync(path.join(scratch, rel), path.join(again, name));
        }
        // A device moves from the first page of machines to the second, and one back.
        const pages = ['mde__machines.page-1.json', 'mde__machines.page-2.json'].map((f) => JSON.parse(readFileSync(path.join(again, f), 'utf8')));
        [pages[0].value[0], pages[1].value[0]] = [pages[1].value[0], pages[0].value[0]];
        pages.forEach((page, i) => writeFileSync(path.join(again, `mde__machines.page-${i + 1}.json`), JSON.stringify(page)));
        const result = await lint({ snapshot: again });
        const names = (d: Doc) => d.testsuites.testsuite.map((s) => `${s.name}: ${(s.testcase ?? []).map((c) => c.name).join(' | ')}`);
        expect(names(parse(junit(result.report, { rules: result.rules, color: false })))).to.deep.equal(names(doc));
      } finally {
        rmSync(again, { recursive: true, force: true });
      }
    });

    it('totals agree with the report summary', () => {
      const [tests, failures, errors, skipped] = counts(doc.testsuites);
      expect(failures).to.equal(report.summary.findings);
      expect(errors).to.equal(report.summary.diagnostics.error);
      expect(skipped).to.equal(report.summary.suppressed + report.summary.rules.notEvaluated);
      expect(tests).to.equal(doc.testsuites.testsuite.reduce((n, s) => n + Number(s.tests), 0));
      // No two test cases of a suite share a name, or a test tab would merge them.
      for (const s of doc.testsuites.testsuite) {
        const names = (s.testcase ?? []).map((c) => c.name);
        expect(new Set(names).size, s.name).to.equal(names.length);
      }
    });
  });
});
