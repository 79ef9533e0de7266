/**
 * Reports larger than one string (src/report/formatters/pieces.ts): the JSON report is written in
 * pieces that do not grow with the findings, and are exactly what JSON.stringify writes; the CLI
 * writes pieces in blocks of whole lines, so the terminal sanitiser sees what it would see in the
 * whole text.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { json } from '../src/report/formatters/json';
import { jsonPieces, piecesOf } from '../src/report/formatters/pieces';
import { lineBlocks } from '../src/cli/output';
import { baselinePieces, createBaseline, formatBaseline } from '../src/gate/baseline';
import { terminalCommands, terminalText } from '../src/report/text';
import { lint } from '../src/lint';
import { frameworkNames } from '../src/compliance/frameworks';
import type { Report } from '../src/report/model';
import { CONTOSO, CONTOSO_NOW } from './adversarial-helpers';
import { contosoReport, formatContext } from './report-fixture';

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
