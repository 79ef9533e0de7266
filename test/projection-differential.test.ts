/**
 * The projection (src/snapshot/projection.ts) may change nothing users see: every report below is
 * made twice, once as users get it (records cut to what the rules read) and once with whole
 * records (`wholeRecords`), and the two must be byte-identical. A field the projection dropped
 * would look absent, and absence must never turn a verdict, a message, a location or a compliance
 * count. Rules run alone, so no other rule's reads can keep a field for them.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { lint, type LintOptions } from '../src/lint';
import { frameworkNames } from '../src/compliance/frameworks';
import { CONTOSO, CONTOSO_NOW, ROOT } from './adversarial-helpers';
import { copyInto, scratch } from './snapshot-helpers';

/** Rules that read through every feature of the rule language: see the table in the it() below. */
const ATTACK_RULES = join(__dirname, 'fixtures', 'projection', 'rules');
const BUILTIN_RULES = join(ROOT, 'rules');

async function sameWithWholeRecords(options: LintOptions): Promise<void> {
  const withAll = { frameworks: frameworkNames(), ...options };
  const cut = JSON.stringify((await lint(withAll)).report, null, 2);
  const whole = JSON.stringify((await lint({ ...withAll, wholeRecords: true })).report, null, 2);
  if (cut === whole) return;
  const c = cut.split('\n');
  const w = whole.split('\n');
  const line = c.findIndex((l, i) => l !== w[i]);
  expect.fail(`${options.snapshot} with ${options.rules?.join(', ') ?? options.ruleset}: reports differ from line ${line + 1}:\n  whole: ${w[line]}\n  cut:   ${c[line]}`);
}

const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('cut records give the report whole records give', () => {
  it('on the demo snapshot with every built-in rule', async () => {
    await sameWithWholeRecords({ snapshot: CONTOSO, ruleset: 'all', now: CONTOSO_NOW });
  });

  // exists: false, notEquals, none, not, counts with distinct, all over lists, templates printing
  // whole values, sections over objects, `| count`, `{{$..*}}`, joins (many, where, JSONPath keys,
  // within, scope, nested), groups, aggregates, lets with distinct, $field, typed parameters,
  // indexes, JSONPath wildcards and descent in conditions, several collections at once.
  for (const file of yamlFiles(ATTACK_RULES)) {
    it(`on the demo snapshot with ${file} alone`, async () => {
      await sameWithWholeRecords({ snapshot: CONTOSO, ruleset: 'none', rules: [join(ATTACK_RULES, file)], now: CONTOSO_NOW });
    });
  }

  it("on every built-in rule's own test cases, each rule alone", async function () {
    this.timeout(120_000);
    for (const file of yamlFiles(BUILTIN_RULES)) {
      const cases = join(BUILTIN_RULES, file.replace(/\.yaml$/, '.tests'));
      for (const name of readdirSync(cases).sort()) {
        const spec = parse(readFileSync(join(cases, name, 'case.yaml'), 'utf8')) as { now?: string };
        await sameWithWholeRecords({ snapshot: join(cases, name), ruleset: 'none', rules: [join(BUILTIN_RULES, file)], now: spec.now ? new Date(spec.now) : CONTOSO_NOW });
      }
    }
  });

  it("a finding's subscription (for compliance) is found from device fields no rule reads", async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, CONTOSO, '.');
      // A device whose VM has no resource id in its vmMetadata, only a subscription id.
      const file = join(dir, 'mde', 'machines.page-1.json');
      const page = JSON.parse(readFileSync(file, 'utf8')) as { value: { id: string; vmMetadata?: Record<string, unknown> }[] };
      const device = page.value.find((d) => d.vmMetadata?.subscriptionId !== undefined)!;
      delete device.vmMetadata!.resourceId;
      writeFileSync(file, JSON.stringify(page, null, 2));
      // Every device fails this rule, which reads only machineTags.
      const rule = join(ATTACK_RULES, 'a-all.yaml');
      const { report } = await lint({ snapshot: dir, ruleset: 'none', rules: [rule], now: CONTOSO_NOW, frameworks: ['mcsb'] });
      const finding = report.findings.find((f) => f.resource.id === device.id);
      expect(finding?.subscriptionId).to.equal(String(device.vmMetadata!.subscriptionId).toLowerCase());
      await sameWithWholeRecords({ snapshot: dir, ruleset: 'none', rules: [rule], now: CONTOSO_NOW });
    } finally {
      cleanup();
    }
  });
});
