/**
 * Writes the Contoso demo snapshot (fixtures/snapshots/contoso/): what a real admin's export script
 * leaves behind, rendered deterministically from the tables in scripts/demo-snapshot/estate.ts.
 *
 *   npx ts-node scripts/make-demo-snapshot.ts [outDir]
 *
 * The folder's README.md is hand-written and is not touched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cmp } from '../src/diagnostics';
import { alertFiles } from './demo-snapshot/alerts';
import { armFiles } from './demo-snapshot/arm';
import { defenderFiles } from './demo-snapshot/defender';
import { CONTOSO_TENANT } from './demo-snapshot/estate';
import { mdeFiles } from './demo-snapshot/mde';
import { rbacFiles } from './demo-snapshot/rbac';
import { tvmFiles } from './demo-snapshot/tvm';
import { NOW_ISO, toJsonText } from './demo-snapshot/util';

export const DEFAULT_OUT_DIR = path.join(__dirname, '..', 'fixtures', 'snapshots', 'contoso');

/** Top-level entries the generator owns and replaces on every run. */
export const GENERATED_ENTRIES: readonly string[] = ['snapshot.yaml', 'arm', 'defender', 'mde', 'graph'];

/** The export kinds the manifest declares as taken: one per kind the snapshot holds. */
const EXPORTS_TAKEN = [
  'arm.subscriptions', 'arm.roleAssignments', 'arm.virtualMachines', 'arm.arcMachines', 'arm.scaleSetVms',
  'defender.pricings', 'defender.settings', 'defender.assessments', 'defender.alerts',
  'mde.machines', 'mde.avHealth', 'mde.health', 'mde.deviceGroups', 'mde.alerts',
  'mde.vulnerabilities', 'mde.software', 'mde.recommendations',
  'graph.incidents', 'entra.roleAssignments', 'xdr.roleAssignments', 'entra.principals',
];

function manifest(): string {
  return [
    '# Snapshot manifest written by the export script.',
    `tenantId: "${CONTOSO_TENANT}"`,
    `takenAt: "${NOW_ISO}"`,
    'facts:',
    `  xdrTenantId: "${CONTOSO_TENANT}"`,
    'exports:',
    ...EXPORTS_TAKEN.map((kind) => `  - kind: ${kind}`),
    '',
  ].join('\n');
}

/** Every generated file: path relative to the snapshot root (`/` separators) -> exact text, sorted by path. */
export function renderDemoSnapshot(): Map<string, string> {
  const files = new Map<string, string>([['snapshot.yaml', manifest()]]);
  for (const [file, content] of [...armFiles(), ...defenderFiles(), ...mdeFiles(), ...tvmFiles(), ...alertFiles(), ...rbacFiles()]) {
    if (files.has(file)) throw new Error(`two exports render to ${file}`);
    files.set(file, toJsonText(content));
  }
  return new Map([...files].sort(([a], [b]) => cmp(a, b)));
}

/** Replaces the generated entries under `outDir` with a fresh rendering; returns the files written. */
export function writeDemoSnapshot(outDir: string): string[] {
  for (const entry of GENERATED_ENTRIES) fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
  const files = renderDemoSnapshot();
  for (const [file, text] of files) {
    const target = path.join(outDir, ...file.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  return [...files.keys()];
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? DEFAULT_OUT_DIR);
  const written = writeDemoSnapshot(outDir);
  process.stdout.write(`wrote ${written.length} files to ${outDir}\n`);
}
