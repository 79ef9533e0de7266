/**
 * JUnit XML, for CI test tabs (Azure DevOps, GitLab, Jenkins): a test suite per rule, a test case per
 * failed resource, suppressed findings and not-evaluated rules as skipped, and problems with the
 * inputs or rules as errors in a `posture-lint` suite.
 */
import { compareDiagnostics } from '../../diagnostics';
import type { Finding, Formatter, Report, RuleResult } from '../model';
import { sortFindings } from '../summary';
import { checkedNothingText, findingText, notEvaluatedText, rulesOf, suppressionText } from './ci';
import { diagnosticWhere, visible } from '../text';

interface Outcome {
  tag: 'failure' | 'skipped' | 'error';
  message: string;
  type?: string;
  body?: string;
}

interface TestCase {
  name: string;
  outcome?: Outcome;
}

interface Suite {
  name: string;
  cases: TestCase[];
}

// The report names the resources that failed a rule but only counts those that passed, so the passes
// of a rule are one test case: the test tab then shows both that the rule ran and how much it checked.
const PASSES_NOTE =
  'Each failed resource is a test case; the resources that passed are counted, not named, in the report, so each rule has one passing test case for all of them.';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findingCase(f: Finding, name: string): TestCase {
  if (f.suppression) return { name, outcome: { tag: 'skipped', message: suppressionText(f.suppression) } };
  const body = [findingText(f), `resource: ${f.resource.kind} ${f.resource.id}`, ...f.locations.map((l) => `${l.file}#${l.pointer}`)];
  return { name, outcome: { tag: 'failure', message: f.message, type: f.severity, body: body.join('\n') } };
}

function ruleSuite(rule: RuleResult, findings: readonly Finding[]): Suite {
  const cases: TestCase[] = [];
  if (rule.status === 'not-evaluated') cases.push({ name: 'not evaluated', outcome: { tag: 'skipped', message: notEvaluatedText(rule) } });
  if (rule.status === 'checked-nothing') cases.push({ name: 'checked nothing', outcome: { tag: 'skipped', message: checkedNothingText(rule) } });
  // Resource names need not be unique (Defender assessments share their display name): add the id
  // where one repeats, so no two test cases of a suite look the same.
  const label = (f: Finding): string => f.resource.name ?? f.resource.id;
  const uses = new Map<string, number>();
  for (const f of findings) uses.set(label(f), (uses.get(label(f)) ?? 0) + 1);
  for (const f of findings) {
    const repeated = uses.get(label(f))! > 1 && f.resource.name !== undefined;
    cases.push(findingCase(f, repeated ? `${label(f)} (${f.resource.id})` : label(f)));
  }
  if (rule.passed > 0) cases.push({ name: `${plural(rule.passed, 'resource')} passed` });
  return { name: rule.id, cases };
}

/** Input and rule-file errors: each a test case in error, named by where it is. */
function problemSuite(report: Report): Suite[] {
  const errors = report.diagnostics.filter((d) => d.severity === 'error').sort(compareDiagnostics);
  if (errors.length === 0) return [];
  return [
    {
      name: 'posture-lint',
      cases: errors.map((d) => {
        const where = diagnosticWhere(d);
        return { name: where || d.code, outcome: { tag: 'error', message: d.message, type: d.code, body: where ? `${where}: ${d.message}` : d.message } };
      }),
    },
  ];
}

/** Markup characters as entities; a carriage return as a reference, which parsers would turn into a line feed. */
function escapeText(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values: also quotes, and tabs and line feeds as references, which parsers would turn into spaces. */
function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(cases: readonly TestCase[]): Counts {
  const of = (tag: Outcome['tag']) => cases.filter((c) => c.outcome?.tag === tag).length;
  return { tests: cases.length, failures: of('failure'), errors: of('error'), skipped: of('skipped') };
}

function renderCase(c: TestCase, classname: string): string[] {
  const open = `    <testcase${attrs({ classname, name: c.name })}`;
  if (!c.outcome) return [`${open}/>`];
  const { tag, message, type, body } = c.outcome;
  const outcome = `<${tag}${attrs({ message, type })}`;
  return [`${open}>`, `      ${body === undefined ? `${outcome}/>` : `${outcome}>${escapeText(body)}</${tag}>`}`, '    </testcase>'];
}

function renderSuite(s: Suite): string[] {
  const open = `  <testsuite${attrs({ name: s.name, ...count(s.cases) })}`;
  if (s.cases.length === 0) return [`${open}/>`];
  return [`${open}>`, ...s.cases.flatMap((c) => renderCase(c, s.name)), '  </testsuite>'];
}

export const junit: Formatter = (report) => {
  const findings = sortFindings(report.findings);
  const suites = [...rulesOf(report).map((r) => ruleSuite(r, findings.filter((f) => f.ruleId === r.id))), ...problemSuite(report)];
  const total = count(suites.flatMap((s) => s.cases));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- ${PASSES_NOTE} -->`,
    `<testsuites${attrs({ name: 'posture-lint', ...total })}>`,
    ...suites.flatMap(renderSuite),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
};
