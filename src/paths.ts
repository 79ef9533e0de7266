/** Where the package's own files (schemas, built-in rules, demo snapshot) live, from src/ or dist/src/. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'posture-lint') return dir;
    if (path.dirname(dir) === dir) throw new Error(`posture-lint package root not found above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
export const SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'schemas');
export const BUILTIN_RULES_DIR = path.join(PACKAGE_ROOT, 'rules');
/** posture-lint's own named conditions, which every rule may use whichever rules a run selects. */
export const BUILTIN_CONDITIONS_DIR = path.join(BUILTIN_RULES_DIR, 'conditions');

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
}
