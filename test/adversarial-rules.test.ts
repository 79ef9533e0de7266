/**
 * The catalogue of hostile rule files (test/fixtures/adversarial/rules/, plus a few generated here
 * because they are large). Rules arrive through pull requests: a rule may fail to load, with one
 * positioned error, or run within bounded time and memory; it never executes code, pollutes a
 * prototype, crashes the run or hangs it. test/rules-load.test.ts holds the catalogue of honest
 * mistakes (test/fixtures/broken-rules/).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { COLLECTIONS } from '../src/lint';
import { loadRules } from '../src/rules/load';
import { resolvePath } from '../src/rules/path';
import { CUT_MARK, MAX_RENDERED_CHARS } from '../src/rules/template';
import type { Report } from '../src/report/model';
import { ADVERSARIAL, CONTOSO, exitOf, lintAt, pollution, reportSchemaErrors } from './adversarial-helpers';
import { scratch } from './snapshot-helpers';

const RULES = join(ADVERSARIAL, 'rules');
const REL = 'test/fixtures/adversarial/rules';
/** Where the JSONPath payloads would write, had they run. */
const MARKER = join(tmpdir(), 'posture-lint-pwned');
const MACHINES_CONTEXT = 'https://api.security.microsoft.com/api/$metadata#Machines';

type Global = typeof globalThis & { polluted?: unknown };

/** An MDE machines export of the given devices (fields as the machines API writes them). */
function machinesExport(devices: { id: string; computerDnsName: string; healthStatus?: string; extra?: string }[]): string {
  const records = devices.map(
    (d) =>
      `{"id":"${d.id}","computerDnsName":"${d.computerDnsName}","osPlatform":"Ubuntu","healthStatus":"${d.healthStatus ?? 'Active'}","lastSeen":"2026-11-26T22:00:00Z","onboardingStatus":"Onboarded","rbacGroupId":7,"rbacGroupName":"Linux"${d.extra ?? ''}}`,
  );
  return `{"@odata.context":"${MACHINES_CONTEXT}","value":[${records.join(',')}]}`;
}

/** A rule file written to a scratch folder (for inputs too large to keep in git). */
function ruleText(id: string, body: string): string {
  return `id: ${id}\ntitle: Generated hostile rule\nseverity: high\ndescription: d\nfor: mde.machines\nmessage: "{{computerDnsName}}"\n${body}\n`;
}

describe('adversarial rules', function () {
  this.timeout(60_000);
  beforeEach(() => rmSync(MARKER, { force: true }));
  afterEach(() => {
    expect(existsSync(MARKER), 'no payload wrote its marker file').to.equal(false);
    expect((globalThis as Global).polluted, 'no payload set a global').to.equal(undefined);
    expect(pollution(), 'Object.prototype is untouched').to.deep.equal([]);
  });

  /** Each hostile file that must not load, with its one error: code, line:column, text. */
  const REJECTED: [string, string, string, string][] = [
    ['alias-bomb-in-conditions', 'rule-yaml', '1:1', 'Excessive alias count'],
    ['alias-bomb-in-parameter', 'rule-yaml', '1:1', 'Excessive alias count'],
    ['conditions-nested-40-deep', 'rule-invalid', '7:240', 'conditions nest deeper than 32 levels'],
    ['duplicate-key-in-join', 'rule-yaml', '11:5', 'Map keys must be unique'],
    ['jsonpath-bracket-constructor', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-constructor-call', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-filter-without-parens', 'rule-invalid', '8:10', 'uses a filter expression'],
    ['jsonpath-getprototypeof-constructor', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-iife', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-proto-filter', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-quoted-at-name', 'rule-invalid', '8:10', "'@odata.type' is a JSONPath type selector, not a name; read the key with a field path such as ['@odata.type']"],
    ['jsonpath-script-subscript', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-tagged-template', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['jsonpath-type-selector', 'rule-invalid', '8:10', "'@path' is a JSONPath type selector"],
    ['jsonpath-var-root', 'rule-invalid', '8:10', 'uses a filter or script expression'],
    ['merge-key-bomb', 'rule-schema', '9:3', 'where: needs one of: field, allOf'],
    ['path-too-long', 'rule-invalid', '7:18', 'a field path may be at most 500 characters'],
    ['regex-backreference', 'rule-invalid', '7:42', 'is not valid RE2'],
    ['regex-huge-repeat-count', 'rule-invalid', '7:42', 'invalid repeat count'],
  ];
  /** Hostile files that load: what they attempt is bounded when they run (tested below). */
  const LOADED = [
    'cross-join-nested-quantifiers',
    'distinct-over-deep-values',
    'jsonpath-descends-deep-data',
    'prototype-keys',
    'regex-nested-quantifier',
    'regex-overlapping-quantifiers',
    'regex-repeated-dot-star',
    'renders-deep-field',
  ];

  it('has a case for every hostile rule file, at least 20 of them', () => {
    const files = readdirSync(RULES).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).to.deep.equal([...REJECTED.map((r) => r[0]), ...LOADED].sort());
    expect(files.length).to.be.at.least(20);
  });

  describe('refused at load with one positioned error', () => {
    for (const [name, code, pos, text] of REJECTED) {
      it(name, async () => {
        const { rules, diagnostics } = await loadRules([join(RULES, `${name}.yaml`)], { collections: COLLECTIONS });
        expect(rules, 'a hostile rule never loads').to.have.length(0);
        expect(diagnostics.map((d) => `${d.code} ${d.position?.line}:${d.position?.column}`)).to.deep.equal([`${code} ${pos}`]);
        expect(diagnostics[0].message).to.include(text);
        expect(diagnostics[0].file).to.match(new RegExp(`${REL}/${name}\\.yaml$`));
      });
    }
  });

  describe('JSONPath payloads that run code in jsonpath-plus < 11', () => {
    const files = REJECTED.map((r) => r[0]).filter((n) => n.startsWith('jsonpath-')).map((n) => `${n}.yaml`);
    const payloads = files.map((f) => (parseYamlText(readFileSync(join(RULES, f), 'utf8')) as { assert: { field: string } }).assert.field);

    it(`fail a lint run (exit 2) and run nothing, for all ${files.length}`, async () => {
      expect(files.length).to.be.at.least(10);
      const { report } = await lintAt({ snapshot: CONTOSO, rules: files.map((f) => `${REL}/${f}`) });
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).to.deep.equal(files.map(() => 'rule-invalid'));
      expect(exitOf(report)).to.equal(2);
    });

    it('run nothing even when handed straight to the evaluator (script evaluation is off)', () => {
      const record = { id: 'a', computerDnsName: 'web-01', nested: { a: {} } };
      for (const payload of payloads) {
        try {
          resolvePath({ text: payload, segments: [], jsonPath: payload }, record);
        } catch (e) {
          // jsonpath-plus refuses: "Eval [?(expr)] prevented", or an unknown type selector.
          expect((e as Error).message).to.match(/prevented|Unknown value type/);
        }
      }
    });
  });

  describe('YAML too deep or too large for a rule', () => {
    const tooDeep = (d: { code: string; message: string }[]) => expect(d.map((x) => `${x.code} ${x.message}`)).to.satisfy((ds: string[]) => ds.length > 0 && ds.every((x) => x === 'rule-yaml the document nests deeper than 128 levels'));
    const cases: [string, string, (d: { code: string; message: string }[]) => void][] = [
      // The YAML parser itself gives up on deep flow collections, at the spot.
      ['flow-nested-200k', ruleText('flow-nested-200k', `tags: ${'['.repeat(200_000)}${']'.repeat(200_000)}\nassert: { field: id, exists: true }`), tooDeep],
      ['block-not-nested-1000', ruleText('block-not-nested-1000', `assert:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}not:`).join('\n')}\n${' '.repeat(1002)}{ field: id, exists: true }`), tooDeep],
      ['allof-nested-100', ruleText('allof-nested-100', `assert: ${'{ allOf: [ '.repeat(100)}{ field: id, exists: true }${' ] }'.repeat(100)}`), tooDeep],
      ['larger-than-1mb', ruleText('larger-than-1mb', `# ${'x'.repeat(1_100_000)}\nassert: { field: id, exists: true }`), (d) => expect(d.map((x) => x.code)).to.deep.equal(['rule-too-large'])],
    ];
    for (const [id, text, check] of cases) {
      it(`${id}: no rule, a clear error`, async () => {
        const { dir, cleanup } = scratch();
        try {
          writeFileSync(join(dir, `${id}.yaml`), text);
          const { rules, diagnostics } = await loadRules([join(dir, `${id}.yaml`)], { collections: COLLECTIONS });
          expect(rules).to.have.length(0);
          check(diagnostics);
          expect(diagnostics.every((d) => d.severity === 'error' && d.file !== undefined)).to.equal(true);
          expect(diagnostics.filter((d) => d.code !== 'rule-too-large').every((d) => d.position !== undefined)).to.equal(true);
        } finally {
          cleanup();
        }
      });
    }

    it('a misspelt $param of 20,000 characters beside a declared parameter as long is refused at once: no distance is measured between such names', async function () {
      // Measured, the two names took 21 s (the cost is the product of their lengths); 100 KB each, minutes.
      this.timeout(5_000);
      const { dir, cleanup } = scratch();
      try {
        const long = 'p'.repeat(20_000);
        const id = 'long-param-names';
        writeFileSync(join(dir, `${id}.yaml`), ruleText(id, `parameters:\n  ? ${long}a\n  : { type: string, description: d, default: x }\nassert: { field: computerDnsName, equals: { $param: ${long}b } }`));
        const { rules, diagnostics } = await loadRules([join(dir, `${id}.yaml`)], { collections: COLLECTIONS });
        expect(rules).to.have.length(0);
        expect(diagnostics.map((d) => `${d.code} ${d.position?.line}:${d.position?.column}`)).to.deep.equal(['rule-invalid 10:53']);
        expect(diagnostics[0].message).to.equal(`unknown parameter '${long}b' (declared: ${long}a)`);
      } finally {
        cleanup();
      }
    });

    it('a 760 kB message of 40,000 placeholders loads and renders, cut at 4,096 characters', async () => {
      const { dir, cleanup } = scratch();
      try {
        const id = 'huge-message';
        writeFileSync(join(dir, `${id}.yaml`), ruleText(id, `assert: { field: healthStatus, equals: NotAStatus }`).replace('"{{computerDnsName}}"', `"${'{{computerDnsName}} '.repeat(40_000)}"`));
        const { report } = await lintAt({ snapshot: CONTOSO, ruleset: 'none', rules: [join(dir, `${id}.yaml`)] });
        expect(report.rules[0].status).to.equal('failed');
        expect(report.findings[0].message).to.match(/^(\S+ ){100}.*… \(cut at 4,096 characters\)$/);
        expect(report.findings.every((f) => f.message.length === MAX_RENDERED_CHARS + CUT_MARK.length)).to.equal(true);
        expect(report.diagnostics.filter((d) => d.code === 'message-cut').map((d) => `${d.severity} ${d.ruleId}`)).to.deep.equal(['warning huge-message']);
      } finally {
        cleanup();
      }
    });
  });

  describe('catastrophic-backtracking regexes run in linear time (RE2)', () => {
    it('checks 50,000-character, nearly matching names with ^(a+)+$, (x+x+)+y and (.*a){20}, where a backtracking engine would not finish', async () => {
      const { dir, cleanup } = scratch();
      try {
        const nearly = [
          { id: 'a1', computerDnsName: `${'a'.repeat(50_000)}!` },
          { id: 'x1', computerDnsName: 'x'.repeat(50_000) },
          { id: 'd1', computerDnsName: `${`${'b'.repeat(2_500)}a`.repeat(19)}${'b'.repeat(2_500)}` },
        ];
        writeFileSync(join(dir, 'machines.json'), machinesExport(nearly));
        const names = ['regex-nested-quantifier', 'regex-overlapping-quantifiers', 'regex-repeated-dot-star'];
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: names.map((n) => `${REL}/${n}.yaml`) });
        // Every device is evaluated, none skipped; only the run of 50,000 a's holds twenty a's.
        expect(report.rules.map((r) => `${r.id} ${r.status} ${r.evaluated} ${r.failed}`)).to.deep.equal([
          'regex-nested-quantifier failed 3 3',
          'regex-overlapping-quantifiers failed 3 3',
          'regex-repeated-dot-star failed 3 2',
        ]);
      } finally {
        cleanup();
      }
    });
  });

  describe('evaluation budgets', () => {
    let dir: string;
    let cleanup: () => void;
    before(() => {
      ({ dir, cleanup } = scratch());
      const devices = Array.from({ length: 20_000 }, (_, i) => ({ id: i.toString(16).padStart(40, '0'), computerDnsName: `host-${i}.corp.contoso.com` }));
      writeFileSync(join(dir, 'machines.json'), machinesExport(devices));
    });
    after(() => cleanup());

    it('stops a keyless join of 20,000 devices quantified twice over with rule-budget, and runs the other rules', async () => {
      // How fast it stops belongs to the benchmark (docs/performance.md); here: that it stops, and how.
      const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [`${REL}/cross-join-nested-quantifiers.yaml`, 'rules/device-in-device-group.yaml'] });
      const budget = report.diagnostics.filter((d) => d.code === 'rule-budget');
      expect(budget.map((d) => `${d.severity} ${d.ruleId}`)).to.deep.equal(['error cross-join-nested-quantifiers']);
      expect(budget[0].message).to.contain('cross-join-nested-quantifiers');
      expect(report.rules.map((r) => `${r.id} ${r.status} ${r.evaluated}`)).to.deep.equal(['cross-join-nested-quantifiers not-evaluated 0', 'device-in-device-group passed 20000']);
      expect(exitOf(report)).to.equal(2);
      expect(reportSchemaErrors(report)).to.deep.equal([]);
    });
  });

  describe('rules over values nested 100,000 levels deep: an error naming the rule, never a crash', () => {
    const N = 100_000;
    for (const name of ['renders-deep-field', 'jsonpath-descends-deep-data', 'distinct-over-deep-values']) {
      it(name, async () => {
        const { dir, cleanup } = scratch();
        try {
          writeFileSync(join(dir, 'machines.json'), machinesExport([{ id: 'deep', computerDnsName: 'deep-01', healthStatus: 'Inactive', extra: `,"extra":${'{"a":'.repeat(N)}1${'}'.repeat(N)}` }]));
          let report: Report | undefined;
          try {
            ({ report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [`${REL}/${name}.yaml`, 'rules/device-in-device-group.yaml'] }));
          } catch (e) {
            expect.fail(`lint() threw: ${(e as Error).message}`);
          }
          expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.ruleId)).to.deep.equal([name]);
          expect(report.rules.find((r) => r.id === 'device-in-device-group')?.status).to.equal('passed');
          expect(exitOf(report)).to.equal(2);
        } finally {
          cleanup();
        }
      });
    }
  });

  describe('__proto__, constructor and prototype as names in a rule', () => {
    it('are join, let and parameter names like any other, and pollute nothing', async () => {
      const { report } = await lintAt({ snapshot: CONTOSO, ruleset: 'none', rules: [`${REL}/prototype-keys.yaml`] });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      const rule = report.rules[0];
      expect(rule.evaluated).to.be.greaterThan(0);
      expect(rule.failed).to.be.greaterThan(0);
      // The parameter named __proto__ is data: its default prints in every message.
      expect(report.findings.every((f) => f.message.endsWith(', polluted'))).to.equal(true);
      // The join named __proto__ joins: some devices show their avMode.
      expect(report.findings.some((f) => /avMode (Passive|PassiveAudit|EDRBlocked|Other|Unknown|Disabled)/.test(f.message))).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});
