/**
 * Runs a rule's own test cases. Each case is a folder beside the rule, `<rule-id>.tests/<case>/`,
 * holding a small snapshot (exports in their real shapes, optionally a snapshot.yaml) and a
 * `case.yaml` saying what the rule must report on it:
 *
 *   description: Passive Linux device fails
 *   now: 2026-11-27T02:00:00Z     # optional evaluation time
 *   expect:
 *     status: failed            # passed | failed | not-evaluated
 *     findings:                 # every finding, by resource id; [] for none
 *       - resource: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 *         message: avMode Passive   # optional: text the message must contain
 *     diagnostics: [incomplete-paging]   # optional: codes of expected warnings and errors
 *
 * Only the rule under test runs (with the conditions files it was given). The same runner serves
 * `npm test` and `posture-lint test`.
 */
import { createHash } from 'node:crypto';
import { readInput } from '../input-file';
import * as path from 'node:path';
import { glob } from '../folder-glob';
import { cmp, diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { lint } from '../lint';
import type { Report } from '../report/model';
import { decodeYaml, parseYaml, positionIn, type YamlFile } from '../yaml-file';
import { isPlainObject } from '../rules/values';
import { didYouMean } from '../suggest';

export interface ExpectedFinding {
  resource: string;
  message?: string;
  position: Position;
}

export interface RuleCase {
  rule: string;
  name: string;
  dir: string;
  /** case.yaml as users see it (relative to the working directory). */
  file: string;
  description: string;
  now?: string;
  expect: { status: string; findings: ExpectedFinding[]; diagnostics: string[]; position: Position };
  /** Hash of the case's snapshot files and expectations, to find duplicate cases. */
  fingerprint: string;
}

export interface CaseProblem {
  message: string;
  position?: Position;
  /** Lines of a diff: expected (-) against actual (+). */
  diff?: string[];
}

export interface CaseOutcome {
  case: RuleCase;
  ok: boolean;
  problems: CaseProblem[];
  report?: Report;
}

const STATUSES = ['passed', 'failed', 'checked-nothing', 'not-evaluated'];

function rel(p: string): string {
  return path.relative(process.cwd(), p).split(path.sep).join('/');
}

async function fingerprint(dir: string, yaml: YamlFile): Promise<string> {
  const hash = createHash('sha256');
  const files = (await glob('**/*', { cwd: dir, onlyFiles: true, followSymbolicLinks: false, ignore: ['case.yaml'] })).sort(cmp);
  for (const f of files) {
    // A file the loader will refuse (a link or FIFO swapped in) is hashed by its name and why.
    const read = await readInput(path.join(dir, f), 'export');
    hash.update(f).update('\0').update('bytes' in read ? read.bytes : read.problem.message).update('\0');
  }
  const expect = isPlainObject(yaml.data) ? yaml.data.expect : undefined;
  hash.update(JSON.stringify(expect ?? null));
  return hash.digest('hex');
}

function readCase(yaml: YamlFile, ruleFile: string, dir: string, name: string, print: string): { case?: RuleCase; diagnostics: Diagnostic[] } {
  const problem = (message: string, at: (string | number)[]) => ({ diagnostics: [diagnostic('error', 'case-invalid', message, { file: yaml.file, position: positionIn(yaml, at) })] });
  const raw = yaml.data;
  if (!isPlainObject(raw) || !isPlainObject(raw.expect)) return problem("case.yaml needs 'expect' with a status", []);
  const expect = raw.expect;
  if (typeof expect.status !== 'string' || !STATUSES.includes(expect.status)) {
    const hint = typeof expect.status === 'string' ? didYouMean(expect.status, STATUSES) : '';
    return problem(`expect.status must be one of: ${STATUSES.join(', ')}${hint}`, ['expect', 'status']);
  }
  const findings: ExpectedFinding[] = [];
  const rawFindings = expect.findings ?? [];
  if (!Array.isArray(rawFindings)) return problem('expect.findings must be a list', ['expect', 'findings']);
  for (let i = 0; i < rawFindings.length; i++) {
    const f = rawFindings[i];
    if (!isPlainObject(f) || typeof f.resource !== 'string') return problem('each expected finding needs a resource (its id)', ['expect', 'findings', i]);
    if (f.message !== undefined && typeof f.message !== 'string') return problem('message must be text the finding message contains', ['expect', 'findings', i, 'message']);
    findings.push({ resource: f.resource, message: f.message as string | undefined, position: positionIn(yaml, ['expect', 'findings', i]) });
  }
  const codes = expect.diagnostics ?? [];
  if (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string')) return problem('expect.diagnostics must be a list of codes', ['expect', 'diagnostics']);
  const now = raw.now instanceof Date ? raw.now.toISOString() : raw.now === undefined ? undefined : String(raw.now);
  return {
    case: {
      rule: ruleFile,
      name,
      dir,
      file: yaml.file,
      description: String(raw.description ?? name),
      now,
      expect: { status: expect.status, findings, diagnostics: codes as string[], position: positionIn(yaml, ['expect']) },
      fingerprint: print,
    },
    diagnostics: [],
  };
}

/** Test cases of a rule file (`x.yaml` -> `x.tests/*\/case.yaml`), and problems reading them. */
export async function findCases(ruleFile: string): Promise<{ cases: RuleCase[]; diagnostics: Diagnostic[] }> {
  // Appended, not substituted: a rule file named without .yaml is not its own folder of cases.
  const testsDir = `${ruleFile.replace(/\.ya?ml$/i, '')}.tests`;
  const files = (await glob('*/case.yaml', { cwd: testsDir, onlyFiles: true, followSymbolicLinks: false })).sort(cmp);
  const cases: RuleCase[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const dir = path.join(testsDir, path.dirname(f));
    const file = rel(path.join(testsDir, f));
    const bytes = await readInput(path.join(testsDir, f), 'rule-case');
    if ('problem' in bytes) {
      diagnostics.push(diagnostic('error', 'case-invalid', `the case file ${bytes.problem.message}`, { file }));
      continue;
    }
    const decoded = decodeYaml(bytes.bytes, file, 'case-invalid');
    const parsed: ReturnType<typeof parseYaml> = 'text' in decoded ? parseYaml(decoded.text, file, 'case-invalid') : decoded;
    if (!parsed.yaml) {
      diagnostics.push(...parsed.diagnostics);
      continue;
    }
    const print = await fingerprint(dir, parsed.yaml);
    const read = readCase(parsed.yaml, ruleFile, dir, path.dirname(f), print);
    diagnostics.push(...read.diagnostics);
    if (!read.case) continue;
    const twin = seen.get(print);
    if (twin) {
      diagnostics.push(diagnostic('error', 'case-duplicate', `case '${read.case.name}' repeats case '${twin}' (same files, same expectations)`, { file, position: { line: 1, column: 1 } }));
      continue;
    }
    seen.set(print, read.case.name);
    cases.push(read.case);
  }
  return { cases, diagnostics };
}

function describeFinding(resource: string, message?: string): string {
  return message === undefined ? resource : `${resource}  "${message}"`;
}

/** Runs one case, with only its rule and the named conditions of `conditions` (conditions files) loaded. */
export async function runCase(c: RuleCase, options: { conditions?: readonly string[] } = {}): Promise<CaseOutcome> {
  const rules = [c.rule, ...(options.conditions ?? [])];
  const { report } = await lint({ snapshot: c.dir, ruleset: 'none', rules, now: c.now ? new Date(c.now) : undefined });
  const problems: CaseProblem[] = [];
  const result = report.rules[0];
  if (!result) {
    const why = report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    return { case: c, ok: false, problems: [{ message: `the rule did not load: ${why.join('; ')}` }], report };
  }
  if (result.status !== c.expect.status) {
    problems.push({
      message: `status: expected ${c.expect.status}, got ${result.status}${result.missing ? ` (missing: ${result.missing.join('; ')})` : ''}`,
      position: c.expect.position,
    });
  }
  const unmatched = [...report.findings];
  const missing: ExpectedFinding[] = [];
  for (const exp of c.expect.findings) {
    const i = unmatched.findIndex((f) => f.resource.id.toLowerCase() === exp.resource.toLowerCase() && (exp.message === undefined || f.message.includes(exp.message)));
    if (i < 0) missing.push(exp);
    else unmatched.splice(i, 1);
  }
  if (missing.length || unmatched.length) {
    problems.push({
      message: `findings differ: ${missing.length} expected but not reported, ${unmatched.length} reported but not expected`,
      position: (missing[0] ?? c.expect).position,
      diff: [
        ...missing.map((m) => `- ${describeFinding(m.resource, m.message)}`),
        ...unmatched.map((f) => `+ ${describeFinding(f.resource.id, f.message)}`),
      ],
    });
  }
  const codes = report.diagnostics.filter((d) => d.severity !== 'note').map((d) => d.code).sort(cmp);
  const expectedCodes = [...c.expect.diagnostics].sort(cmp);
  if (JSON.stringify(codes) !== JSON.stringify(expectedCodes)) {
    problems.push({
      message: `diagnostics: expected [${expectedCodes.join(', ')}], got [${codes.join(', ')}]`,
      position: c.expect.position,
      diff: report.diagnostics.filter((d) => d.severity !== 'note').map((d) => `+ ${d.file ?? ''}${d.position ? `:${d.position.line}:${d.position.column}` : ''} ${d.code}: ${d.message}`),
    });
  }
  return { case: c, ok: problems.length === 0, problems, report };
}
