/**
 * Shared by the adversarial catalogue (test/adversarial-*.test.ts) and the fuzz test: a seeded
 * PRNG, the report schema check, scratch snapshots and the "nothing was polluted or executed"
 * checks. Hostile inputs are built here or kept under test/fixtures/adversarial/.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { exitCode, lint, type LintOptions } from '../src/lint';
import type { Report } from '../src/report/model';

export const ROOT = join(__dirname, '..');
export const ADVERSARIAL = join(__dirname, 'fixtures', 'adversarial');
export const CONTOSO = join(ROOT, 'fixtures', 'snapshots', 'contoso');
/** The demo snapshot's manifest time: age checks give the same result on every day. */
export const CONTOSO_NOW = new Date('2026-11-27T02:00:00Z');

/** mulberry32: a tiny seeded PRNG, so every generated case can be replayed from its seed. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)] };
}

const reportSchema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'report.schema.json'), 'utf8')) as object;
const validateReport = new Ajv2020({ allErrors: true, strict: true }).compile(reportSchema);

/** Why a report does not match schemas/report.schema.json (empty when it does). */
export function reportSchemaErrors(report: Report): string[] {
  // Through JSON, as users receive it: undefined-valued keys vanish exactly as in `--format json`.
  return validateReport(JSON.parse(JSON.stringify(report))) ? [] : (validateReport.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Exit code of a run with the CLI's defaults (--fail-on low, not strict). */
export function exitOf(report: Report): 0 | 1 | 2 {
  return exitCode(report);
}

/** lint() with the demo snapshot's evaluation time, relative paths resolved from the repository. */
export function lintAt(options: LintOptions): ReturnType<typeof lint> {
  return lint({ now: CONTOSO_NOW, cwd: ROOT, ...options });
}

/** Every file below a folder, relative to it with `/`, sorted. */
export function filesBelow(dir: string, ext = '.json'): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (name.endsWith(ext)) out.push(relative(dir, abs).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

/** Keys the tests' hostile inputs try to plant on Object.prototype. */
const POLLUTION_MARKERS = ['polluted', 'isAdmin', 'pwned'];

/** Markers found on Object.prototype (or an empty list): `({}).polluted` must stay undefined. */
export function pollution(): string[] {
  return POLLUTION_MARKERS.filter((k) => k in {} || k in [] || k in Object);
}

/** Fingerprints of a report's findings, sorted: "the same findings" without caring about order. */
export function fingerprints(report: Report): string[] {
  return report.findings.map((f) => `${f.ruleId} ${f.resource.id}`).sort();
}
