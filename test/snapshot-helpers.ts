import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../src/diagnostics';
import { loadSnapshot } from '../src/snapshot/load';
import type { Snapshot } from '../src/snapshot/types';
import { jsonExportOf, type ExportRead } from '../src/snapshot/read';
import { readInput } from '../src/input-file';

export const FIXTURES = join(__dirname, 'fixtures');
export const SNAPSHOTS = join(FIXTURES, 'snapshots');

export function loadCase(name: string): Promise<Snapshot> {
  return loadSnapshot(join(SNAPSHOTS, name));
}

/** A scratch folder for cases that cannot live in git (symlinks) or need one file alone. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'posture-lint-snapshot-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function copyInto(dir: string, from: string, to: string): void {
  cpSync(from, join(dir, to), { recursive: true });
}

/** `severity code file line:col` lines, for compact assertions. */
export function brief(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.file ?? '-'}${d.position ? ` ${d.position.line}:${d.position.column}` : ''}`,
  );
}

/** An export read by the in-memory path, as the loader reads a file under the stream threshold. */
export async function readInMemory(absolutePath: string, file: string): Promise<ExportRead> {
  return jsonExportOf(await readInput(absolutePath, 'export'), file);
}
