import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { OPERATORS, operator } from '../src/rules/operators';

const NOW = Date.parse('2026-11-27T02:00:00Z');
const ROOT = resolve(__dirname, '..');

/** [operator, field value, operand, expected]; values are spelled as the real exports spell them. */
const CASES: [string, unknown, unknown, boolean][] = [
  ['equals', 'Standard', 'standard', true],
  ['equals', 'Standard', 'Free', false],
  ['equals', 4415, '4415', true],
  ['equals', null, null, true],
  ['equals', true, true, true],
  // Strings fold case as toLowerCase does, non-ASCII letters included; no other equivalence counts.
  ['equals', 'Büro-Server-ÄÖÜ', 'büro-server-äöü', true],
  ['equals', 'Ärzte', 'arzte', false],
  ['equals', 'STRASSE', 'straße', false],
  ['equals', '\u0130stanbul', 'i\u0307stanbul', true],
  ['equals', 'Standard ', 'standard', false],
  ['in', 'LIVE', ['Excluded', 'Liv', 'Lives', 'live'], true],
  ['notIn', 'Lïve', ['live'], true],
  ['notEquals', 'Inactive', 'Active', true],
  ['notEquals', 'ACTIVE', 'active', false],
  ['in', 'Ubuntu', ['Debian', 'ubuntu'], true],
  ['in', null, [null, 0], true],
  ['in', 'Windows10', ['Debian'], false],
  ['notIn', 140, [0, null], true],
  ['notIn', 0, ['0'], false],
  ['exists', 'x', true, true],
  ['exists', null, true, false],
  ['exists', undefined, false, true],
  ['exists', 'x', false, false],
  ['startsWith', '/subscriptions/ABC/resourceGroups/rg', '/subscriptions/abc', true],
  ['startsWith', 'web01', 'db', false],
  ['endsWith', 'mymachine1.contoso.com', '.CONTOSO.com', true],
  ['endsWith', 'mymachine1.contoso.com', '.fabrikam.com', false],
  ['contains', ['test tag 1', 'Prod'], 'prod', true],
  ['contains', 'Install endpoint protection solution', 'endpoint', true],
  ['contains', ['a'], 'b', false],
  ['less', 18209, 19041, true],
  ['less', '20', 10, false],
  ['lessOrEqual', 3, 3, true],
  ['lessOrEqual', 4, 3, false],
  ['greater', 7.67, 0, true],
  ['greater', 'not a number', 0, false],
  ['greaterOrEqual', 20348, 20348, true],
  ['greaterOrEqual', 1, 2, false],
  ['olderThanDays', '2026-11-01T00:00:00Z', 7, true],
  ['olderThanDays', '2026-11-26T21:14:03.1234567Z', 7, false],
  ['olderThanDays', 'yesterday', 7, false],
  ['withinDays', '1795651200000', 7, true],
  ['withinDays', '2026-11-26T21:14:03.1234567Z', 7, true],
  ['withinDays', '2018-08-02T14:55:03.7791856Z', 7, false],
  // Timestamps after the snapshot time prove nothing: beyond the hour of clock skew they fail.
  ['withinDays', '2099-01-01T00:00:00Z', 7, false],
  ['withinDays', 99999999999999, 7, false],
  ['withinDays', '99999999999999', 7, false],
  ['withinDays', '2026-11-27T02:59:00Z', 7, true],
  ['withinDays', '2026-11-27T03:01:00Z', 7, false],
  ['olderThanDays', '2099-01-01T00:00:00Z', 0, false],
  ['withinScope', '/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm1', '/subscriptions/s1/resourcegroups/rg1', true],
  ['withinScope', '/subscriptions/s1/resourceGroups/rg10/providers/x/y/z', '/subscriptions/s1/resourceGroups/rg1', false],
  ['withinScope', '/subscriptions/s1', '/subscriptions/s1/', true],
  ['withinScope', '/subscriptions/s1/resourceGroups/rg1/providers/x/y/vm1', '/', true],
  ['withinScope', '/SUBSCRIPTIONS/S1', '/subscriptions/s1', true],
  ['withinScope', '/subscriptions/s1', '/subscriptions/s1/resourceGroups/rg1', false],
  ['withinScope', '/subscriptions/s1x', '/subscriptions/s1', false],
  ['withinScope', '/subscriptions//s1/resourceGroups/rg1', '/subscriptions/S1', true],
  // A list: inside any of its scopes. Short lists are searched, long ones (a let's role scopes) looked up by ancestor.
  ['withinScope', '/subscriptions/S2/resourceGroups/rg1/providers/x/y/vm1', ['/subscriptions/s1', '/subscriptions/s2/'], true],
  ['withinScope', '/subscriptions/s2/resourceGroups/rg1', ['/subscriptions/s1', null, 7], false],
  ['withinScope', '/subscriptions/s1/resourceGroups/rg1/providers/x/y/vm1', [], false],
  ...[['/subscriptions/S9/resourceGroups/RG9/providers/x/y/vm1', true], ['/subscriptions/s9/resourceGroups/rg10/providers/x/y/vm1', false], ['/subscriptions/s9', false], ['/subscriptions/s1', true]].map(
    ([id, want]): [string, unknown, unknown, boolean] => ['withinScope', id, [...Array.from({ length: 10 }, (_, i) => `/subscriptions/s${i}/resourceGroups/rg${i}`), '/subscriptions/s1', null], want as boolean],
  ),
  ['withinScope', '/subscriptions/s1/resourceGroups/rg1', [...Array.from({ length: 10 }, (_, i) => `/subscriptions/x${i}`), '//'], true],
];

function run(name: string, actual: unknown, operand: unknown, caseSensitive = false): boolean {
  const def = operator(name)!;
  const prepared = def.prepare ? def.prepare(operand, { caseSensitive }) : { value: operand };
  if (typeof prepared === 'string') throw new Error(prepared);
  return def.test(actual, prepared.value, { caseSensitive, now: NOW });
}

describe('operators', () => {
  for (const [name, actual, operand, want] of CASES) {
    it(`${name}: ${JSON.stringify(actual)} vs ${JSON.stringify(operand)} is ${want}`, () => {
      expect(run(name, actual, operand)).to.equal(want);
    });
  }

  it('every operator in the table has a true and a false case above', () => {
    for (const op of OPERATORS) {
      if (op.name === 'match') continue; // covered below: match needs a compiled operand
      const outcomes = new Set(CASES.filter((c) => c[0] === op.name).map((c) => c[3]));
      expect([...outcomes].sort(), op.name).to.deep.equal([false, true]);
    }
  });

  describe('match', () => {
    it('matches RE2 patterns case-insensitively by default', () => {
      expect(run('match', '/subscriptions/abc/resourceGroups/RG1', '^/subscriptions/[^/]+/resourcegroups/[^/]+$')).to.equal(true);
      expect(run('match', '/subscriptions/abc/resourceGroups/RG1', '^/subscriptions/[^/]+/resourcegroups/[^/]+$', true)).to.equal(false);
    });

    it('runs a catastrophic-backtracking pattern in linear time', () => {
      // A backtracking engine needs longer than the age of the universe here (the test would time out); RE2 needs milliseconds.
      expect(run('match', `${'a'.repeat(5000)}!`, '^(a+)+$')).to.equal(false);
    });

    it('compiles a pattern once however often it is read: a regex parameter read thousands of times through a named condition', () => {
      // 6,000 reads of one 990-character pattern, in six rules, took validate to 4 GB and a crash when each compiled its own.
      const def = operator('match')!;
      const pattern = '^(x0y[a-z]{1,50}z|x1y[a-z]{1,50}z)$';
      const first = def.prepare!(pattern, { caseSensitive: false }) as { value: unknown };
      expect((def.prepare!(pattern, { caseSensitive: false }) as { value: unknown }).value).to.equal(first.value);
      // Case sensitivity is part of what is compiled.
      const sensitive = def.prepare!(pattern, { caseSensitive: true }) as { value: unknown };
      expect(sensitive.value).to.not.equal(first.value);
      expect(def.test('X0Yabcz', sensitive.value, { caseSensitive: true, now: NOW })).to.equal(false);
      expect(def.test('X0Yabcz', first.value, { caseSensitive: false, now: NOW })).to.equal(true);
    });

    it('gives the same answers for values met again and again, past the answers a pattern keeps', () => {
      // A pattern remembers its recent answers (values such as osPlatform repeat on every device):
      // 20,000 distinct ids, each asked twice, between thousands of repeats of two platform names.
      const def = operator('match')!;
      const prepared = def.prepare!('^(windowsserver|linux-[0-9]+)$', { caseSensitive: false }) as { value: unknown };
      const env = { caseSensitive: false, now: NOW };
      const wrong: string[] = [];
      for (let i = 0; i < 20_000; i++) {
        const id = i % 3 === 0 ? `linux-${i}` : `device-${i}`;
        for (const text of [id, 'WindowsServer', id, 'Windows10']) {
          const want = /^(windowsserver|linux-[0-9]+)$/i.test(text);
          if (def.test(text, prepared.value, env) !== want) wrong.push(text);
        }
      }
      expect(wrong.slice(0, 5)).to.deep.equal([]);
      // Texts too long to remember are matched each time.
      for (const text of [`linux-${'1'.repeat(70_000)}`, 'x'.repeat(70_000), `linux-${'1'.repeat(70_000)}`]) {
        expect(def.test(text, prepared.value, env)).to.equal(text.startsWith('linux-'));
      }
    });

    it('keeps the answers of every pattern of a long-running process within a few MB', function () {
      this.timeout(60_000);
      // A library user lints snapshot after snapshot with many rules: 500 patterns (the cache keeps
      // up to 1,000), each asked about 4,096 host names once, as each snapshot's devices are new.
      // Each pattern alone stays within its bounds; what they hold together must stay small too.
      const script = `
        const { operator } = require('./src/rules/operators');
        const match = operator('match');
        const env = { caseSensitive: false, now: 0 };
        const held = [];
        const wrong = [];
        global.gc();
        const before = process.memoryUsage().heapUsed;
        for (let p = 0; p < 500; p++) {
          const pattern = match.prepare('^(app|web|sql)' + p + '-[0-9]+\\\\.corp\\\\.contoso\\\\.com$', { caseSensitive: false }).value;
          held.push(pattern);
          for (let i = 0; i < 4096; i++) if (!match.test('app' + p + '-' + i + '.corp.contoso.com', pattern, env)) wrong.push(p + '/' + i);
        }
        // Answers given again after every pattern started again are still RE2's.
        for (const p of [0, 499]) {
          if (!match.test('APP' + p + '-7.corp.contoso.com', held[p], env)) wrong.push('APP' + p);
          if (match.test('app' + p + '-7.corp.contoso.com.evil', held[p], env)) wrong.push('evil' + p);
        }
        global.gc();
        global.gc();
        console.log(JSON.stringify({ held: held.length, wrong, mb: (process.memoryUsage().heapUsed - before) / 1048576 }));`;
      const run = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).to.equal('');
      const { held, wrong, mb } = JSON.parse(run.stdout) as { held: number; wrong: string[]; mb: number };
      expect(held).to.equal(500);
      expect(wrong.slice(0, 5)).to.deep.equal([]);
      // Under their own bounds alone the 500 patterns held 79 MB; bounded together, 16.
      expect(mb).to.be.below(30);
    });

    it('refuses backreferences and lookaround at load', () => {
      const def = operator('match')!;
      expect(def.prepare!('(a)\\1', { caseSensitive: false })).to.be.a('string').that.includes('not valid RE2');
      expect(def.prepare!('(?=a)b', { caseSensitive: false })).to.be.a('string');
    });
  });

  it('compares strings case-sensitively when asked', () => {
    expect(run('equals', 'Standard', 'standard', true)).to.equal(false);
    expect(run('in', 'Ubuntu', ['ubuntu'], true)).to.equal(false);
  });

  it('compares strings whose lower case is longer than they are (İ) as their lower case', () => {
    expect(run('equals', 'İSTANBUL', 'i̇stanbul')).to.equal(true);
    expect(run('in', 'i̇', ['I', 'İ'])).to.equal(true);
    expect(run('equals', 'İ', 'i')).to.equal(false);
    // Strings of different lengths are told apart without lower-casing them unless one holds İ:
    // it must stay the only character whose lower case has another length.
    const lengthens: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      if (s.toLowerCase().length !== s.length) lengthens.push(c);
    }
    expect(lengthens).to.deep.equal([0x130]);
  });
});
