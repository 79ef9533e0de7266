/**
 * Baselines: adopt posture-lint on an estate with existing findings without blocking every run.
 * `baseline create` records the current findings by fingerprint; `lint --baseline` then fails only
 * on findings that are new, marks known ones as suppressed, and lists the ones that are gone.
 * Fingerprints survive re-exports of an unchanged estate (see fingerprintOf), so a baseline taken
 * on one export holds for the next.
 */
import * as path from 'node:path';
import { cmp, diagnostic, positionAt, type Diagnostic } from '../diagnostics';
import { fingerprintOf } from '../engine/evaluate';
import type { Finding, Report, ResourceRef } from '../report/model';
import { duplicateKeys, scanJson } from '../snapshot/json-scan';
import { isPlainObject } from '../rules/values';
import { readJsonFile } from '../snapshot/read';
import { jsonPieces } from '../report/formatters/pieces';

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
  return [...baselinePieces(baseline)].join('');
}

/** formatBaseline's text in pieces: a baseline of a million findings is more text than one string holds. */
export function* baselinePieces(baseline: Baseline): Generator<string> {
  yield* jsonPieces(baseline);
  yield '\n';
}

/**
 * Reads a baseline file. Every problem is a `baseline-invalid` error at its JSON pointer and
 * line:column, and a baseline with any problem suppresses nothing; so does one that repeats a key,
 * which shows a reviewer one label and the parser another. Each entry must agree with its
 * labels: an entry is matched by fingerprint, so one labelled as another rule's harmless finding
 * but carrying a critical finding's fingerprint would hide that finding unseen. Nothing of a file
 * that is not a baseline is quoted, so pointing --baseline at a secret does not print it.
 */
export async function loadBaseline(file: string, cwd: string): Promise<{ baseline?: Baseline; source: string; diagnostics: Diagnostic[] }> {
  const source = path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
  // Named directly: on the command line, or by a config whose paths are checked (src/config.ts).
  const read = await readJsonFile(path.resolve(cwd, file), source, 'baseline', { followLinks: true });
  if (!read.ok) {
    const { code, message, position } = read.diagnostic;
    // A syntax error's words quote the character found; a secret given as the baseline is not echoed.
    const why = code === 'json-syntax' ? 'is not valid JSON' : code === 'empty-file' ? 'is empty' : message;
    return { source, diagnostics: [diagnostic('error', 'baseline-invalid', `cannot read baseline: ${why}`, { file: source, ...(position ? { position } : {}) })] };
  }
  const problems: { pointer: string; message: string; offset?: number }[] = [];
  const b = read.value;
  // A repeated key shows a reviewer one label and JSON.parse another: the entry is not what it reads as.
  for (const { pointer, offset } of duplicateKeys(read.text, b)) {
    const key = pointer.slice(pointer.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
    problems.push({ pointer, offset, message: `the key ${JSON.stringify(key)} is repeated: JSON readers keep only the last, so what the baseline accepts is ambiguous` });
  }
  if (!isPlainObject(b) || b.tool !== 'posture-lint' || b.version !== 1 || !Array.isArray(b.findings)) {
    problems.push({ pointer: '', message: 'not a posture-lint baseline (version 1); create one with: posture-lint baseline create <snapshot> --output <file>' });
  } else {
    (b.findings as unknown[]).forEach((entry, i) => {
      const pointer = `/findings/${i}`;
      const resource = isPlainObject(entry) ? entry.resource : undefined;
      if (!isPlainObject(entry) || typeof entry.fingerprint !== 'string' || typeof entry.ruleId !== 'string' || !isPlainObject(resource) || typeof resource.kind !== 'string' || typeof resource.id !== 'string') {
        problems.push({ pointer, message: 'entry needs fingerprint, ruleId, resource.kind and resource.id' });
      } else if (fingerprintOf(entry.ruleId, { kind: resource.kind, id: resource.id }) !== entry.fingerprint) {
        problems.push({
          pointer: `${pointer}/fingerprint`,
          message: `the fingerprint is not that of rule ${entry.ruleId} on ${resource.kind} ${resource.id}: an entry must agree with its labels (recreate the baseline with posture-lint baseline create)`,
        });
      }
    });
  }
  if (problems.length === 0) {
    // The entries as posture-lint writes them: other keys of the file (`constructor`, notes) do not travel into the report.
    const findings = ((b as { findings: BaselineEntry[] }).findings).map((e): BaselineEntry => ({
      fingerprint: e.fingerprint,
      ruleId: e.ruleId,
      resource: { kind: e.resource.kind, id: e.resource.id, ...(typeof e.resource.name === 'string' ? { name: e.resource.name } : {}) },
    }));
    return { baseline: { version: 1, tool: 'posture-lint', findings }, source, diagnostics: [] };
  }
  const offsets = scanJson(read.text, new Set(problems.map((p) => p.pointer))).offsets;
  return {
    source,
    diagnostics: problems.map((p) => {
      const offset = p.offset ?? offsets.get(p.pointer);
      return diagnostic('error', 'baseline-invalid', p.message, { file: source, pointer: p.pointer, ...(offset !== undefined ? { position: positionAt(read.text, offset) } : {}) });
    }),
  };
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
