/**
 * Seeded fuzzing of the whole pipeline: the real example payloads and the demo snapshot's exports,
 * mutated (bytes flipped, ranges deleted or repeated, files cut, values swapped for other types,
 * `__proto__` keys planted, numbers blown up, encodings changed), linted with the built-in rules;
 * and the files users write (rules, the config, the manifest, waivers, baselines), mutated the
 * same way as YAML or JSON documents.
 * Whatever the input, lint() returns a report that matches schemas/report.schema.json, a file that
 * is not JSON gets an error naming it, and a run with an error exits 2. Nothing is random between
 * runs: FUZZ_SEED and FUZZ_RUNS replay or widen a search.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadConfig } from '../src/config';
import { decodeText } from '../src/decode';
import { createBaseline, formatBaseline } from '../src/gate/baseline';
import type { Report } from '../src/report/model';
import { CONTOSO, exitOf, filesBelow, lintAt, pollution, prng, reportSchemaErrors, ROOT } from './adversarial-helpers';
import { FIXTURES, scratch } from './snapshot-helpers';
import { REAL_EXAMPLES } from './snapshot-real-examples';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
/** Mutated real examples added to each run, besides the demo snapshot files mutated in place. */
const EXTRA_FILES = 40;

type Rng = ReturnType<typeof prng>;
interface Source {
  name: string;
  bytes: Buffer;
}
interface Mutated {
  /** Path in the snapshot folder. */
  file: string;
  bytes: Buffer;
  /** Source and mutations, enough to replay the case by hand. */
  label: string;
}

/** Values of every JSON type, and the awkward ones. */
const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1e308, '', 'x', 'True', '2026-13-45T99:99:99Z', [], {}, [[[]]], { polluted: 'fuzz' }, ['__proto__'], 'constructor'];

/** Every object and array in a parsed document, with how to replace a member. */
function slots(doc: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push({ parent: node, key: i });
        stack.push(v);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const k of Object.keys(node)) {
        out.push({ parent: node as Record<string, unknown>, key: k });
        stack.push((node as Record<string, unknown>)[k]);
      }
    }
  }
  return out;
}

/** Sets a member as an own property, so a `__proto__` key is written as data, as JSON.parse would. */
function put(parent: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One mutation of a document's bytes, named for the label. */
type Mutation = (bytes: Buffer, rng: Rng) => [Buffer, string];

function structural(change: (doc: unknown, rng: Rng) => string): Mutation {
  return (bytes, rng) => {
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch {
      return [bytes, 'unparsable, left as is'];
    }
    const what = change(doc, rng);
    return [Buffer.from(JSON.stringify(doc, null, 2)), what];
  };
}

const MUTATIONS: Mutation[] = [
  (b, rng) => {
    const i = rng.int(b.length);
    const x = 1 + rng.int(255);
    const out = Buffer.from(b);
    out[i] ^= x;
    return [out, `flip byte ${i} ^ ${x}`];
  },
  (b, rng) => {
    const i = rng.int(b.length);
    const n = 1 + rng.int(64);
    return [Buffer.concat([b.subarray(0, i), b.subarray(i + n)]), `delete ${n} bytes at ${i}`];
  },
  (b, rng) => {
    const i = rng.int(b.length);
    const n = 1 + rng.int(128);
    const j = rng.int(b.length);
    return [Buffer.concat([b.subarray(0, j), b.subarray(i, i + n), b.subarray(j)]), `copy ${n} bytes from ${i} to ${j}`];
  },
  (b, rng) => {
    const n = rng.int(b.length);
    return [b.subarray(0, n), `truncate at ${n}`];
  },
  (b, rng) => {
    const text = b.toString('latin1');
    const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)];
    if (numbers.length === 0) return [b, 'no number to blow up'];
    const m = rng.pick(numbers);
    const huge = rng.pick(['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0']);
    return [Buffer.concat([b.subarray(0, m.index), Buffer.from(huge), b.subarray((m.index ?? 0) + m[0].length)]), `number at ${m.index} -> ${huge}`];
  },
  (b, rng) => {
    const kind = rng.int(3);
    const text = b.toString('utf8');
    if (kind === 0) return [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UTF-16 LE with BOM'];
    if (kind === 1) return [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]), 'UTF-8 BOM'];
    const i = rng.int(b.length);
    return [Buffer.concat([b.subarray(0, i), Buffer.from([0xc0 + rng.int(64)]), b.subarray(i)]), `stray UTF-8 lead byte at ${i}`];
  },
  structural((doc, rng) => {
    const all = slots(doc);
    if (all.length === 0) return 'no member';
    const s = rng.pick(all);
    const value = rng.pick(ODD_VALUES);
    put(s.parent, s.key, JSON.parse(JSON.stringify(value)));
    return `${String(s.key)} -> ${JSON.stringify(value)}`;
  }),
  structural((doc, rng) => {
    const objects = [doc, ...slots(doc).map((s) => (s.parent as Record<string, unknown>)[s.key as string])].filter(
      (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v),
    );
    if (objects.length === 0) return 'no object';
    const target = rng.pick(objects);
    const key = rng.pick(['__proto__', 'constructor', 'prototype']);
    put(target, key, key === 'constructor' ? { prototype: { polluted: 'fuzz' } } : { polluted: 'fuzz', isAdmin: true });
    return `plant ${key}`;
  }),
  structural((doc, rng) => {
    const arrays = slots(doc).map((s) => (s.parent as Record<string, unknown>)[s.key as string]).filter((v): v is unknown[] => Array.isArray(v) && v.length > 0);
    if (arrays.length === 0) return 'no array';
    const a = rng.pick(arrays);
    const i = rng.int(a.length);
    a.splice(rng.int(a.length + 1), 0, JSON.parse(JSON.stringify(a[i])));
    return `repeat element ${i}`;
  }),
  structural((doc, rng) => {
    const all = slots(doc);
    if (all.length === 0) return 'no member';
    const s = rng.pick(all);
    const depth = 50 + rng.int(450);
    let v = (s.parent as Record<string, unknown>)[s.key as string];
    for (let i = 0; i < depth; i++) v = rng.next() < 0.5 ? [v] : { a: v };
    put(s.parent, s.key, v);
    return `nest ${String(s.key)} ${depth} deep`;
  }),
];

function mutate(source: Source, file: string, rng: Rng): Mutated {
  let bytes = source.bytes;
  const steps: string[] = [];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const [out, what] = rng.pick(MUTATIONS)(bytes, rng);
    bytes = out;
    steps.push(what);
  }
  return { file, bytes, label: `${source.name} [${steps.join('; ')}]` };
}

/** Whether the bytes are an export the loader must parse (UTF-8, or UTF-16 with a byte order mark). */
function isJson(bytes: Buffer): boolean {
  try {
    const le = bytes[0] === 0xff && bytes[1] === 0xfe;
    const be = bytes[0] === 0xfe && bytes[1] === 0xff;
    const text = new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8', { fatal: true }).decode(le || be ? bytes.subarray(2) : bytes);
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with one run's report; empty when nothing is. */
function problemsOf(report: Report, mutated: readonly Mutated[]): string[] {
  const problems = reportSchemaErrors(report).map((e) => `report schema: ${e}`);
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length !== report.summary.diagnostics.error) problems.push('summary miscounts errors');
  if (errors.length > 0 && exitOf(report) !== 2) problems.push(`an error diagnostic, but exit ${exitOf(report)}`);
  for (const m of mutated) {
    if (m.file.endsWith('.json') && !isJson(m.bytes) && !errors.some((d) => d.file === m.file)) problems.push(`${m.label}: not JSON, but no error names ${m.file}`);
  }
  if (pollution().length > 0) problems.push(`Object.prototype polluted: ${pollution().join(', ')}`);
  return problems;
}

describe('fuzz: mutated real exports never crash, hang or pass silently', function () {
  this.timeout(180_000);
  const demoFiles = filesBelow(CONTOSO);
  const sources: Source[] = [
    ...REAL_EXAMPLES.map((e) => ({ name: `test/fixtures/${e.file}`, bytes: readFileSync(join(FIXTURES, e.file)) })),
    ...demoFiles.map((f) => ({ name: `fixtures/snapshots/contoso/${f}`, bytes: readFileSync(join(CONTOSO, f)) })),
  ];

  /** Lints the demo snapshot with the mutated files written over or beside it. */
  async function lintWith(mutated: readonly Mutated[]): Promise<Report> {
    const { dir, cleanup } = scratch();
    try {
      cpSync(CONTOSO, dir, { recursive: true });
      mkdirSync(join(dir, 'fuzz'));
      for (const m of mutated) writeFileSync(join(dir, m.file), m.bytes);
      return (await lintAt({ snapshot: dir })).report;
    } finally {
      cleanup();
    }
  }

  it(`lints ${RUNS} mutated snapshots of ${EXTRA_FILES}+ mutated exports each (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const failures: string[] = [];
    let cases = 0;
    for (let run = 0; run < RUNS; run++) {
      const mutated: Mutated[] = [];
      // One to three demo files mutated in place, so the rules see broken data they depend on.
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const f = rng.pick(demoFiles);
        if (mutated.some((m) => m.file === f)) continue;
        mutated.push(mutate({ name: `fixtures/snapshots/contoso/${f}`, bytes: readFileSync(join(CONTOSO, f)) }, f, rng));
      }
      // Now and then the manifest too, with byte-level mutations only (it is YAML).
      if (rng.next() < 0.3) {
        const [bytes, what] = rng.pick(MUTATIONS.slice(0, 4))(readFileSync(join(CONTOSO, 'snapshot.yaml')), rng);
        mutated.push({ file: 'snapshot.yaml', bytes, label: `snapshot.yaml [${what}]` });
      }
      for (let i = 0; i < EXTRA_FILES; i++) mutated.push(mutate(rng.pick(sources), `fuzz/${i}.json`, rng));
      cases += mutated.length;
      try {
        const problems = problemsOf(await lintWith(mutated), mutated);
        failures.push(...problems.map((p) => `seed ${SEED} run ${run}: ${p}`));
      } catch (e) {
        // Find the file that crashes the run, on its own beside the untouched demo snapshot.
        const culprits: string[] = [];
        for (const m of mutated) {
          await lintWith([m]).catch((err: Error) => culprits.push(`${m.file} = ${m.label}: ${err.message}`));
        }
        failures.push(`seed ${SEED} run ${run}: lint() threw ${(e as Error).message}; alone: ${culprits.join(' | ') || 'no single file'}`);
      }
    }
    expect(failures).to.deep.equal([]);
    expect(cases).to.be.at.least(2000);
  });
});

/** A YAML or JSON document's mutations: the byte-level ones, and the structural ones on its parsed value. */
function documentMutation(format: 'yaml' | 'json'): Mutation {
  return (bytes, rng) => {
    if (rng.next() < 0.4) return rng.pick(MUTATIONS.slice(0, 6))(bytes, rng);
    let doc: unknown;
    try {
      doc = format === 'yaml' ? parseYaml(bytes.toString('utf8')) : JSON.parse(bytes.toString('utf8'));
    } catch {
      return [bytes, 'unparsable, left as is'];
    }
    const asJson = Buffer.from(JSON.stringify(doc));
    const [changed, what] = rng.pick(MUTATIONS.slice(6))(asJson, rng);
    const value = JSON.parse(changed.toString('utf8')) as unknown;
    return [Buffer.from(format === 'yaml' ? stringifyYaml(value, { aliasDuplicateObjects: false }) : JSON.stringify(value, null, 2)), what];
  };
}

/** Whether a mutated YAML or JSON document still parses (leniently: the loaders are stricter, never laxer). */
function parses(m: Mutated): boolean {
  try {
    const decoded = decodeText(m.bytes);
    if ('error' in decoded) return false;
    const text = decoded.text;
    if (m.file.endsWith('.json')) JSON.parse(text);
    else parseYaml(text);
    return true;
  } catch {
    return false;
  }
}

describe('fuzz: mutated rules, configs, manifests, waivers and baselines never crash or pass silently', function () {
  this.timeout(180_000);
  const RULES = join(ROOT, 'rules');
  const ruleFiles = readdirSync(RULES).filter((f) => f.endsWith('.yaml')).sort();
  const yamlMutation = documentMutation('yaml');
  const jsonMutation = documentMutation('json');

  it(`lints ${RUNS} runs, each with a mutated rule, config, manifest, waivers and baseline (seed ${SEED})`, async () => {
    const rng = prng(SEED + 1);
    const { dir, cleanup } = scratch();
    try {
      const snap = join(dir, 'snap');
      cpSync(CONTOSO, snap, { recursive: true });
      const manifest = readFileSync(join(CONTOSO, 'snapshot.yaml'));
      const { report: clean } = await lintAt({ snapshot: CONTOSO });
      const baseline = Buffer.from(formatBaseline(createBaseline(clean)));
      const waivers = Buffer.from(
        stringifyYaml({ waivers: clean.findings.slice(0, 3).map((f) => ({ rule: f.ruleId, resources: [f.resource.id], justification: 'accepted for the fuzz test', owner: 'ops@contoso.com', expires: '2027-01-31' })) }),
      );
      const config = Buffer.from(`ruleset: recommended\nrules: [rules]\nwaivers: waivers.yaml\nbaseline: baseline.json\nfailOn: low\ndisable: [av-signatures-current]\nseverity: { mde-device-healthy: high }\nparameters: { mde-device-healthy: { staleDays: 14 } }\n`);
      const originals = (file: string, ruleFile: string): Buffer =>
        file === 'snap/snapshot.yaml' ? manifest : file === 'posture-lint.yaml' ? config : file === 'waivers.yaml' ? waivers : file === 'baseline.json' ? baseline : readFileSync(join(RULES, ruleFile));
      const failures: string[] = [];
      for (let run = 0; run < RUNS; run++) {
        const ruleFile = rng.pick(ruleFiles);
        const inputs: Mutated[] = [];
        const mutateWith = (file: string, bytes: Buffer, mutation: Mutation) => {
          const [out, what] = mutation(bytes, rng);
          inputs.push({ file, bytes: out, label: `${file} [${what}]` });
        };
        mutateWith(`rules/${ruleFile}`, readFileSync(join(RULES, ruleFile)), yamlMutation);
        mutateWith('posture-lint.yaml', config, yamlMutation);
        mutateWith('snap/snapshot.yaml', manifest, yamlMutation);
        mutateWith('waivers.yaml', waivers, yamlMutation);
        mutateWith('baseline.json', baseline, jsonMutation);
        const write = (shown: readonly Mutated[]) => {
          mkdirSync(join(dir, 'rules'), { recursive: true });
          for (const i of inputs) writeFileSync(join(dir, i.file), shown.includes(i) ? i.bytes : originals(i.file, ruleFile));
        };
        const check = async (shown: readonly Mutated[]): Promise<string[]> => {
          write(shown);
          const { config: loaded, diagnostics } = await loadConfig(undefined, dir);
          if (loaded === undefined) return diagnostics.some((d) => d.severity === 'error' && d.file === 'posture-lint.yaml') ? [] : ['no config and no error naming it'];
          // Rule paths from the config's folder: lint() reads them from the process's working directory.
          const config = { ...loaded, rules: loaded.rules.map((r) => join(dir, r)) };
          const { report } = await lintAt({ snapshot: snap, config, ruleset: 'none', waivers: loaded.waivers, baseline: loaded.baseline, cwd: dir });
          const problems = reportSchemaErrors(report).map((e) => `report schema: ${e}`);
          const errors = report.diagnostics.filter((d) => d.severity === 'error');
          if (errors.length > 0 && exitOf(report) !== 2) problems.push(`an error, but exit ${exitOf(report)}`);
          // A document that does not parse is an error naming its file; so is a rule that did not load.
          // (Rule files are named from the working directory, the others from the config's or snapshot's folder.)
          const named = (i: Mutated) => errors.some((d) => d.file !== undefined && `/${i.file}`.endsWith(`/${d.file.replace(/^(\.\.\/)+/, '').split('/').slice(-2).join('/')}`));
          const ruleInput = shown.find((i) => i.file.startsWith('rules/'));
          // Only files the config still names are read: a mutated config may name other paths or disable the rule.
          const configChanged = shown.some((i) => i.file === 'posture-lint.yaml') || loaded.disable.includes(ruleInput?.file.replace(/^rules\/|\.yaml$/g, '') ?? '');
          const read = (i: Mutated) => (i.file.startsWith('rules/') ? !configChanged : i.file === 'waivers.yaml' ? loaded.waivers === i.file : i.file === 'baseline.json' ? loaded.baseline === i.file : true);
          for (const i of shown) if (read(i) && !parses(i) && !named(i)) problems.push(`${i.label}: does not parse, but no error names it`);
          if (ruleInput && read(ruleInput) && report.rules.length === 0 && !named(ruleInput)) problems.push(`${ruleInput.label}: no rule and no error naming it`);
          if (pollution().length > 0) problems.push(`Object.prototype polluted: ${pollution().join(', ')}`);
          return problems;
        };
        const together = await check(inputs).catch((e: Error) => [`threw ${e.stack ?? e.message}`]);
        if (together.length > 0) {
          // Pin the problem to the file that causes it on its own.
          const alone: string[] = [];
          for (const i of inputs) alone.push(...(await check([i]).catch((e: Error) => [`threw ${e.message}`])).map((p) => `alone ${i.label}: ${p}`));
          failures.push(`seed ${SEED + 1} run ${run}: ${together.join('; ')}; ${alone.join('; ') || 'no single file'}`);
        }
      }
      expect(failures).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });
});
