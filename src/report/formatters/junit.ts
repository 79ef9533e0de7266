/**
 * JUnit XML, for CI test tabs (Azure DevOps PublishTestResults@2, dorny/test-reporter,
 * mikepenz/action-junit-report, GitLab, Jenkins): a test suite per rule, a test case per failed
 * resource named the same way every run, one `passing resources` test case for the rest, suppressed
 * findings and rules that could not run or checked nothing as skipped, and problems with the inputs or rules as errors in a
 * `posture-lint` suite. Every suite and test case has a `time` (reporters show NaN without one);
 * posture-lint does not time rules, so it is 0 and the report stays the same bytes for the same input.
 */
import { compareDiagnostics, type Diagnostic } from '../../diagnostics';
import type { FormatContext, Finding, Formatter, Report, RuleResult } from '../model';
import { sortFindings } from '../summary';
import { checkedNothingText, diagnosticPath, findingText, notEvaluatedText, repositoryPath, rulesOf, snapshotFiles, suppressionText } from './ci';
import { clip, diagnosticWhere, MAX_SHOWN_CHARS, visible } from '../text';
import { plural } from '../../words';
import { fromPieces } from './pieces';
import { groupBy } from '../view';

interface Outcome {
  tag: 'failure' | 'skipped' | 'error';
  message: string;
  type?: string;
  body?: string;
}

interface TestCase {
  name: string;
  /**
   * The file a reporter annotates. mikepenz/action-junit-report otherwise looks for a file named
   * like the classname (`**\/<rule-id>.*`), which is no file of the estate.
   */
  file?: string;
  line?: number;
  outcome?: Outcome;
  /** Shown by reporters as the test's output. */
  out?: string;
}

interface Suite {
  name: string;
  /** Made again each time: a rule of a million-device estate has a million test cases, counted first, then written one by one. */
  cases: () => Iterable<TestCase>;
}

/** The name of the test case that stands for the resources a rule checked and did not fail. */
export const PASSING_CASE = 'passing resources';
/** The name of the test case of a rule that could not run. */
export const NOT_EVALUATED_CASE = 'not evaluated';
/** The name of the test case of a rule that ran but found no record in its scope. */
export const CHECKED_NOTHING_CASE = 'checked nothing';

/**
 * One naming scheme for every resource, with no counts in it: the display name and the id, or the id
 * alone when the resource has none. The same resource gets the same name in every run, so a test
 * tab's history follows it.
 */
export function resourceCaseName(f: Finding): string {
  return f.resource.name !== undefined && f.resource.name !== f.resource.id ? `${f.resource.name} (${f.resource.id})` : f.resource.id;
}

type FileOf = (f: Finding) => string | undefined;

function findingCase(f: Finding, fileOf: FileOf): TestCase {
  const name = resourceCaseName(f);
  const file = fileOf(f);
  if (f.suppression) return { name, ...(file ? { file } : {}), outcome: { tag: 'skipped', message: suppressionText(f.suppression) } };
  const body = [findingText(f), `resource: ${f.resource.kind} ${f.resource.id}`, ...f.locations.map((l) => `${l.file}#${l.pointer}`)];
  return { name, ...(file ? { file } : {}), outcome: { tag: 'failure', message: f.message, type: f.severity, body: body.join('\n') } };
}

function* ruleCases(rule: RuleResult, findings: readonly Finding[], fileOf: FileOf): Generator<TestCase> {
  if (rule.status === 'passed' || rule.status === 'failed') {
    for (const f of findings) yield findingCase(f, fileOf);
    // The report counts the resources that passed but does not name them: one test case stands for
    // them, with the count as its output, so the name stays the same whatever the count.
    yield { name: PASSING_CASE, out: `${rule.passed} of ${plural(rule.evaluated, 'resource')} checked passed` };
  } else if (rule.status === 'checked-nothing') {
    yield { name: CHECKED_NOTHING_CASE, outcome: { tag: 'skipped', message: checkedNothingText(rule) } };
  } else {
    yield { name: NOT_EVALUATED_CASE, outcome: { tag: 'skipped', message: notEvaluatedText(rule) } };
  }
}

function ruleSuite(rule: RuleResult, findings: readonly Finding[], fileOf: FileOf): Suite {
  return { name: rule.id, cases: () => ruleCases(rule, findings, fileOf) };
}

/** Input and rule-file errors: each a test case in error, named by where it is. */
function problemSuite(report: Report, diagnosticFile: (file: string) => string): Suite[] {
  const errors = report.diagnostics.filter((d) => d.severity === 'error').sort(compareDiagnostics);
  if (errors.length === 0) return [];
  const errorCase = (d: Diagnostic): TestCase => {
    const where = diagnosticWhere(d);
    const file = d.file === undefined ? undefined : diagnosticFile(d.file);
    return {
      name: where || d.code,
      ...(file !== undefined ? { file } : {}),
      ...(d.position ? { line: d.position.line } : {}),
      outcome: { tag: 'error', message: d.message, type: d.code, body: where ? `${where}: ${d.message}` : d.message },
    };
  };
  return [
    {
      name: 'posture-lint',
      *cases() {
        for (const d of errors) yield errorCase(d);
      },
    },
  ];
}

/** Markup characters as entities, the text cut to MAX_SHOWN_CHARS; a carriage return as a reference, which parsers would turn into a line feed. */
function escapeText(text: string): string {
  return visible(clip(text, MAX_SHOWN_CHARS)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
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

const OUTCOME_COUNT: Readonly<Record<Outcome['tag'], Exclude<keyof Counts, 'tests'>>> = { failure: 'failures', error: 'errors', skipped: 'skipped' };

function count(cases: Iterable<TestCase>): Counts {
  const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    counts.tests++;
    if (c.outcome) counts[OUTCOME_COUNT[c.outcome.tag]]++;
  }
  return counts;
}

/** posture-lint does not time rules; a constant keeps the report deterministic. */
const TIME = '0';

/** A test case's lines, each ending in a line break: one piece, however many cases there are. */
function renderCase(c: TestCase, classname: string): string {
  const open = `    <testcase${attrs({ classname, name: c.name, time: TIME, file: c.file, line: c.line })}`;
  const inner: string[] = [];
  if (c.outcome) {
    const { tag, message, type, body } = c.outcome;
    const outcome = `<${tag}${attrs({ message, type })}`;
    inner.push(`      ${body === undefined ? `${outcome}/>` : `${outcome}>${escapeText(body)}</${tag}>`}`);
  }
  if (c.out !== undefined) inner.push(`      <system-out>${escapeText(c.out)}</system-out>`);
  const lines = inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>'];
  return lines.map((l) => `${l}\n`).join('');
}

function* renderSuite(s: Suite, counts: Counts): Generator<string> {
  const open = `  <testsuite${attrs({ name: s.name, ...counts, time: TIME })}`;
  if (counts.tests === 0) {
    yield `${open}/>\n`;
    return;
  }
  yield `${open}>\n`;
  for (const c of s.cases()) yield renderCase(c, s.name);
  yield '  </testsuite>\n';
}

// In pieces, a test case each: a million findings are more text than one string holds (pieces.ts).
export const junit: Formatter = fromPieces(function* (report: Report, context: FormatContext) {
  const inSnapshot = snapshotFiles(report);
  const inRepository = repositoryPath(report, context);
  // The resource's own record's file, from the repository root; none for the snapshot's description of itself.
  const fileOf: FileOf = (f) => {
    const own = f.locations[0]?.file;
    return own !== undefined && inSnapshot(own) ? inRepository(own) : undefined;
  };
  const byRule = groupBy(sortFindings(report.findings), (f) => f.ruleId);
  const suites = [...rulesOf(report).map((r) => ruleSuite(r, byRule.get(r.id) ?? [], fileOf)), ...problemSuite(report, diagnosticPath(report, context))];
  // Counted before any is written: the totals open the report.
  const counts = suites.map((s) => count(s.cases()));
  const total = counts.reduce((a, b) => ({ tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped }), count([]));
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites${attrs({ name: 'posture-lint', ...total, time: TIME })}>\n`;
  for (const [i, s] of suites.entries()) yield* renderSuite(s, counts[i]);
  yield '</testsuites>\n';
});
