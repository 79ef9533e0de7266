/**
 * Reports larger than one string (src/report/formatters/pieces.ts): the json, junit, stylish and
 * github reports are written in pieces that do not grow with the findings (JSON's exactly what
 * JSON.stringify writes, the others' joined exactly the format's text); the CLI writes pieces in
 * blocks of whole lines, so the terminal sanitiser sees what it would see in the whole text.
 */
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { join } from 'node:path';
import { github } from '../src/report/formatters/github';
import { json } from '../src/report/formatters/json';
import { junit } from '../src/report/formatters/junit';
import { stylish } from '../src/report/formatters/stylish';
import { jsonPieces, piecesOf } from '../src/report/formatters/pieces';
import { lineBlocks } from '../src/cli/output';
import { baselinePieces, createBaseline, formatBaseline } from '../src/gate/baseline';
import { terminalCommands, terminalText } from '../src/report/text';
import { lint } from '../src/lint';
import { frameworkNames } from '../src/compliance/frameworks';
import type { Finding, Formatter, Report } from '../src/report/model';
import { fingerprintOf } from '../src/engine/evaluate';
import { CONTOSO, CONTOSO_NOW } from './adversarial-helpers';
import { contosoReport, formatContext, refresh } from './report-fixture';

const joined = (pieces: Iterable<string>): string => [...pieces].join('');

/** The demo report with its findings repeated to `count`, each with its own resource. */
function manyFindings(count: number): Report {
  const report = contosoReport();
  const base = report.findings;
  report.findings = Array.from({ length: count }, (_, i) => {
    const f = base[i % base.length];
    return { ...f, resource: { ...f.resource, id: `${f.resource.id}-${i}` }, fingerprint: `${f.fingerprint}-${i}` };
  });
  return report;
}

describe('reports written in pieces', () => {
  it('JSON pieces are what JSON.stringify writes, for a real lint report with every section', async () => {
    const { report } = await lint({ snapshot: CONTOSO, ruleset: 'all', now: CONTOSO_NOW, frameworks: frameworkNames() });
    expect(report.compliance?.length).to.be.greaterThan(0);
    expect(joined(jsonPieces(report))).to.equal(JSON.stringify(report, null, 2));
  });

  it('JSON pieces are what JSON.stringify writes for values JSON treats specially', () => {
    const values: unknown[] = [
      {},
      [],
      { a: {}, b: [], c: [[]], d: [{}], e: { f: { g: [] } } },
      { skipped: undefined, fn: () => 1, kept: null, sym: Symbol('s'), list: [undefined, () => 1, Symbol('t'), 1] },
      { text: 'line one\nline two\u2028\u0000"quoted"', emoji: '😀', lone: '\ud800', n: [-0, NaN, Infinity, 1e21, 0.1] },
      { when: new Date(Date.UTC(2026, 10, 27)), nested: { when: new Date(0) } },
      JSON.parse('{"__proto__": {"polluted": true}, "2": "two", "1": "one", "b": 1, "a": 2}'),
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      [{ a: [1, { b: [2, { c: 3 }] }] }],
      // A toJSON is given the member's name or the element's index, and what it gives is written as it is.
      { named: { toJSON: (key: string) => `member ${key}` }, list: [{ toJSON: (key: string) => `element ${key}` }], gone: { toJSON: () => undefined } },
      { outer: { toJSON: () => ({ toJSON: () => 'not called', kept: 1 }) } },
      // Boxed primitives are written as their values.
      // eslint-disable-next-line no-new-wrappers
      { text: new String('ab'), n: new Number(3), yes: new Boolean(false), list: [new String('c')] },
      'a string',
      42,
      null,
    ];
    for (const v of values) expect(joined(jsonPieces(v)), JSON.stringify(v)).to.equal(JSON.stringify(v, null, 2));
  });

  it('the json format gives pieces that do not grow with the findings, and its text is their join', () => {
    const report = manyFindings(20_000);
    const pieces = [...piecesOf(json)(report, formatContext(false))];
    const longest = Math.max(...pieces.map((p) => p.length));
    expect(longest).to.be.lessThan(8 * 1024);
    expect(pieces.length).to.be.greaterThan(20_000);
    const text = pieces.join('');
    expect(text).to.equal(`${JSON.stringify(report, null, 2)}\n`);
    expect(json(report, formatContext(false))).to.equal(text);
  });

  it('a baseline of many findings is written in pieces that do not grow with it, as JSON.stringify wrote it', () => {
    const baseline = createBaseline(manyFindings(20_000));
    const pieces = [...baselinePieces(baseline)];
    expect(Math.max(...pieces.map((p) => p.length))).to.be.lessThan(8 * 1024);
    expect(pieces.join('')).to.equal(`${JSON.stringify(baseline, null, 2)}\n`);
    expect(formatBaseline(baseline)).to.equal(pieces.join(''));
  });

  it('library users get the pieces of any format from the package entry', async () => {
    const api = await import('../src/index');
    const report = manyFindings(3);
    for (const name of api.formatterNames()) {
      const formatter = api.getFormatter(name)!;
      expect([...api.piecesOf(formatter)(report, formatContext(false))].join(''), name).to.equal(formatter(report, formatContext(false)));
    }
  });

  it('a format without pieces is its whole text as one piece', () => {
    const whole = (): string => 'text\n';
    expect([...piecesOf(whole)(contosoReport(), formatContext(false))]).to.deep.equal(['text\n']);
  });

  describe('blocks the CLI writes', () => {
    /** Text of many lines, cut into pieces that end anywhere in a line. */
    function cutAnywhere(text: string, sizes: number[]): string[] {
      const pieces: string[] = [];
      for (let at = 0, k = 0; at < text.length; k++) {
        const size = sizes[k % sizes.length];
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      return pieces;
    }

    const line = (i: number): string => `finding ${i}: ${'x'.repeat(i % 300)}\n`;
    const text = Array.from({ length: 20_000 }, (_, i) => line(i)).join('');

    it('join to the text, and each but the last ends at a line break', () => {
      const blocks = [...lineBlocks(cutAnywhere(text, [1, 7, 4096, 333_333, 1_500_000]))];
      expect(blocks.join('')).to.equal(text);
      expect(blocks.length).to.be.greaterThan(1);
      for (const b of blocks.slice(0, -1)) expect(b.endsWith('\n')).to.equal(true);
    });

    it('keep a line longer than a block whole', () => {
      const long = `${'y'.repeat(3 * 1024 * 1024)}\n`;
      const blocks = [...lineBlocks(cutAnywhere(`a\n${long}b`, [100_000]))];
      expect(blocks.join('')).to.equal(`a\n${long}b`);
      expect(blocks.some((b) => b.includes(long))).to.equal(true);
    });

    it('are sanitised for a terminal as the whole text would be, wherever the pieces were cut', () => {
      // What the sanitiser escapes, placed around every block boundary: runner commands, a line
      // that starts a workflow command, surrogate pairs, a lone surrogate, escape sequences.
      const hostile = ['##vso[task.setvariable variable=GATE]open', '::error::forged', '  ::warning::indented', '😀😀', '\ud800', '\u001b[2J', '##[command]x', '\r'];
      // Lines mostly of surrogate pairs: a block cut within a line would split one.
      const lines = Array.from({ length: 30_000 }, (_, i) => `${i} ${hostile[i % hostile.length]} ${'😀'.repeat(1 + (i % 97))}\n`).join('');
      for (const sizes of [[1, 2, 3], [65_537], [1_048_575, 3]]) {
        const blocks = [...lineBlocks(cutAnywhere(lines, sizes))];
        expect(blocks.map(terminalText).join(''), `pieces of ${sizes.join(',')}`).to.equal(terminalText(lines));
        expect(blocks.map(terminalCommands).join('')).to.equal(terminalCommands(lines));
      }
    });
  });

  it('the CLI writes a report in pieces to a file and to stdout, byte for byte the formatter text', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'posture-lint-pieces-'));
    try {
      const bin = join(__dirname, '..', 'dist', 'src', 'cli', 'bin.js');
      const args = [bin, 'lint', CONTOSO, '--ruleset', 'all', '--now', CONTOSO_NOW.toISOString(), '--format', 'json'];
      const toFile = spawnSync(process.execPath, [...args, '--output', join(dir, 'r.json')], { encoding: 'utf8' });
      const toStdout = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(toFile.status).to.equal(1);
      expect(toStdout.status).to.equal(1);
      const { report } = await lint({ snapshot: CONTOSO, ruleset: 'all', now: CONTOSO_NOW });
      const expected = `${JSON.stringify(report, null, 2)}\n`;
      expect(readFileSync(join(dir, 'r.json'), 'utf8')).to.equal(expected);
      expect(toStdout.stdout).to.equal(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const DEVICES = 20_000;
/** Far above one finding's text, far below the megabytes of all of them. */
const MAX_PIECE = 64 * 1024;

/**
 * The Contoso report where Linux real-time protection is off on 20,000 MDE machines, every tenth
 * waived: what one failing rule of a large estate gives.
 */
function largeEstateReport(): Report {
  const report = contosoReport();
  const template = report.findings.find((f) => f.ruleId === 'linux-realtime-protection-on')!;
  const findings: Finding[] = Array.from({ length: DEVICES }, (_, i) => {
    const resource = { kind: 'mde.machines', id: i.toString(16).padStart(40, '0'), name: `vm-linux-${i}.contoso.com` };
    return {
      ...template,
      resource,
      fingerprint: fingerprintOf(template.ruleId, resource),
      locations: [
        { file: 'mde/machines.json', pointer: `/value/${i}` },
        { file: 'mde/deviceavinfo.json', pointer: `/value/${i}` },
      ],
      ...(i % 10 === 0 ? { suppression: { kind: 'waiver' as const, source: 'waivers.yaml', justification: 'third-party AV', owner: 'secops@contoso.com', expires: '2027-06-30' } } : {}),
    };
  });
  report.findings = [...report.findings.filter((f) => f.ruleId !== template.ruleId), ...findings];
  report.rules = report.rules.map((r) => (r.id === template.ruleId ? { ...r, evaluated: DEVICES + 5, passed: 5, failed: DEVICES } : r));
  return refresh(report);
}

/** Each format, and stylish also in colour (the others have none). */
const FORMATS: readonly [string, Formatter, boolean][] = [
  ['junit', junit, false],
  ['stylish', stylish, false],
  ['stylish', stylish, true],
  ['github', github, false],
];

describe('junit, stylish and github reports written in pieces', () => {
  const report = largeEstateReport();
  for (const [name, formatter, color] of FORMATS) {
    it(`${name}${color ? ' in colour' : ''}: ${DEVICES.toLocaleString('en')} findings come as small pieces that join into the format's text`, () => {
      const pieces = [...piecesOf(formatter)(report, formatContext(color))];
      // At least a piece per finding shown (github leaves out the waived), none near the size of the
      // whole: the text is never built as one string.
      expect(pieces.length).to.be.at.least(report.findings.filter((f) => !f.suppression).length);
      expect(pieces.reduce((n, p) => Math.max(n, p.length), 0)).to.be.at.most(MAX_PIECE);
      expect(pieces.join('')).to.equal(formatter(report, formatContext(color)));
    });
  }

  it('junit: the counts that open the report and each suite, taken before the test cases are written, are those of the cases written', () => {
    const xml = [...piecesOf(junit)(report, formatContext(false))].join('');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (tag) => tag === 'testsuite' || tag === 'testcase' }).parse(xml) as {
      testsuites: { tests: string; failures: string; skipped: string; errors: string; testsuite: { name: string; tests: string; failures: string; skipped: string; testcase: { failure?: unknown; skipped?: unknown }[] }[] };
    };
    const suite = parsed.testsuites.testsuite.find((s) => s.name === 'linux-realtime-protection-on')!;
    // Every finding a test case, plus the one that stands for the passing resources.
    expect(suite.testcase).to.have.length(DEVICES + 1);
    expect(suite.tests).to.equal(String(DEVICES + 1));
    expect(suite.failures).to.equal(String(suite.testcase.filter((c) => c.failure !== undefined).length)).and.to.equal(String(DEVICES - DEVICES / 10));
    expect(suite.skipped).to.equal(String(suite.testcase.filter((c) => c.skipped !== undefined).length)).and.to.equal(String(DEVICES / 10));
    const all = parsed.testsuites.testsuite.flatMap((s) => s.testcase);
    expect(parsed.testsuites.tests).to.equal(String(all.length));
  });

  it('stylish: the name column is as wide as the widest name, even when that name comes last', () => {
    const wide = largeEstateReport();
    // Sorted last of its rule: the rows before it are padded to it, measured before any is written.
    const last = wide.findings.filter((f) => f.ruleId === 'linux-realtime-protection-on').at(-1)!;
    last.resource = { ...last.resource, name: 'vm-linux-zz-long.contoso.com' };
    const lines = [...piecesOf(stylish)(refresh(wide), formatContext(false))].join('').split('\n');
    const first = lines.find((l) => l.startsWith('  vm-linux-0.contoso.com'))!;
    const widest = lines.find((l) => l.startsWith('  vm-linux-zz-long.contoso.com'))!;
    expect(first.indexOf('antivirus is passive')).to.equal(widest.indexOf('antivirus is passive'));
    expect(first.indexOf('antivirus is passive')).to.equal('  vm-linux-zz-long.contoso.com  '.length);
  });
});
