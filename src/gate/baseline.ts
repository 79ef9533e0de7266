/**
 * Baselines: adopt posture-lint on an estate with existing findings without blocking every run.
 * `baseline create` records the current findings by fingerprint; `lint --baseline` then fails only
 * on findings that are new, marks known ones as suppressed, and lists the ones that are gone.
 * Fingerprints survive re-exports of an unchanged estate (see fingerprintOf), so a baseline taken
 * on one export holds for the next.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import type { Finding, Report, ResourceRef } from '../report/model';

export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  resource: ResourceRef;
}

export interface Baseline {
  version: 1;
  tool: 'posture-lint';
  findings: BaselineEntry[];
}

/** The baseline of a report: its unsuppressed findings, sorted, one entry per fingerprint. */
export function createBaseline(report: Report): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  for (const f of report.findings) {
    if (f.suppression?.kind === 'waiver') continue;
    if (!byPrint.has(f.fingerprint)) byPrint.set(f.fingerprint, { fingerprint: f.fingerprint, ruleId: f.ruleId, resource: f.resource });
  }
  return { version: 1, tool: 'posture-lint', findings: [...byPrint.values()].sort((a, b) => cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint)) };
}

export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

export async function loadBaseline(file: string, cwd: string): Promise<{ baseline?: Baseline; source: string; diagnostics: Diagnostic[] }> {
  const source = path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
  const fail = (message: string) => ({ source, diagnostics: [diagnostic('error', 'baseline-invalid', message, { file: source })] });
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path.resolve(cwd, file), 'utf8'));
  } catch (e) {
    return fail(`cannot read baseline: ${(e as Error).message}`);
  }
  const b = data as Partial<Baseline>;
  if (b?.tool !== 'posture-lint' || b.version !== 1 || !Array.isArray(b.findings)) {
    return fail('not a posture-lint baseline (version 1); create one with: posture-lint baseline create <snapshot> --output <file>');
  }
  const bad = b.findings.findIndex((e) => typeof e?.fingerprint !== 'string' || typeof e.ruleId !== 'string' || typeof e.resource?.id !== 'string');
  if (bad >= 0) return { source, diagnostics: [diagnostic('error', 'baseline-invalid', 'entry needs fingerprint, ruleId and resource.id', { file: source, pointer: `/findings/${bad}` })] };
  return { baseline: b as Baseline, source, diagnostics: [] };
}

/** Suppresses known findings; returns the baseline entries that were not seen again (fixed). */
export function applyBaseline(findings: Finding[], baseline: Baseline, source: string): BaselineEntry[] {
  const known = new Set(baseline.findings.map((e) => e.fingerprint));
  const seen = new Set<string>();
  for (const f of findings) {
    if (!known.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    f.suppression ??= { kind: 'baseline', source };
  }
  return baseline.findings.filter((e) => !seen.has(e.fingerprint));
}
