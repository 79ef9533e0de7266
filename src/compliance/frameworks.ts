/**
 * The control catalogues rules map to: one YAML file per framework version under `frameworks/`
 * (ids, titles, the section and the published source of each control). They ship with posture-lint
 * and are read once. The rule schema is generated from them, so a rule that names a control a
 * catalogue does not hold is refused at load, at its line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cmp } from '../diagnostics';
import { PACKAGE_ROOT } from '../paths';
import { didYouMean } from '../suggest';

export const FRAMEWORKS_DIR = path.join(PACKAGE_ROOT, 'frameworks');

export interface Control {
  id: string;
  title: string;
  /** The framework's own grouping: an MCSB control domain, a NIST family, a CIS section. */
  section: string;
  /** Where the id and title were read. */
  source: string;
}

export interface Framework {
  /** `mcsb`, `cis-azure`, `nist-800-53`. */
  id: string;
  /** The framework's own version label: `v1`, `3.0.0`, `r5`. */
  version: string;
  /** `<id>@<version>`: how rules and reports name the framework. */
  key: string;
  name: string;
  source: string;
  /** Which part of the framework the catalogue lists, and why the rest is left out. */
  scope: string;
  controls: Control[];
}

function strings(raw: Record<string, unknown>, keys: string[], file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    if (typeof raw[k] !== 'string' || raw[k] === '') throw new Error(`${file}: '${k}' must be a non-empty string`);
    out[k] = (raw[k] as string).trim();
  }
  return out;
}

function readCatalogue(file: string): Framework {
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const name = path.basename(file);
  const head = strings(raw, ['id', 'version', 'name', 'source', 'scope'], name);
  if (!Array.isArray(raw.controls) || raw.controls.length === 0) throw new Error(`${name}: 'controls' must be a non-empty list`);
  const controls = raw.controls.map((c) => strings(c as Record<string, unknown>, ['id', 'title', 'section', 'source'], name) as unknown as Control);
  const seen = new Set<string>();
  for (const c of controls) {
    if (seen.has(c.id)) throw new Error(`${name}: control ${c.id} is listed twice`);
    seen.add(c.id);
  }
  return { id: head.id, version: head.version, key: `${head.id}@${head.version}`, name: head.name, source: head.source, scope: head.scope, controls };
}

let loaded: readonly Framework[] | undefined;

/** Every catalogue, sorted by key. The files ship with the package: a broken one is a bug, so it throws. */
export function frameworks(): readonly Framework[] {
  loaded ??= readdirSync(FRAMEWORKS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readCatalogue(path.join(FRAMEWORKS_DIR, f)))
    .sort((a, b) => cmp(a.key, b.key));
  return loaded;
}

/** Versions compare part by part, numerically where both parts are numbers (`v10` after `v9`). */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-]/);
  const pb = b.split(/[.\-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x.replace(/^[a-z]+/i, ''));
    const ny = Number(y.replace(/^[a-z]+/i, ''));
    const c = x !== '' && y !== '' && !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : cmp(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The catalogue a user names: `mcsb` (its newest version), or `cis-azure@2.0.0` (that version).
 * Undefined for anything else; `frameworkNames` lists what there is.
 */
export function resolveFramework(name: string): Framework | undefined {
  // Split at the first '@' only: split('@', 2) would drop anything after a second one, so
  // `mcsb@v1@junk` would be taken for mcsb@v1 instead of refused.
  const at = name.indexOf('@');
  const [id, version] = at < 0 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)];
  const candidates = frameworks().filter((f) => f.id === id && (version === undefined || f.version === version));
  return candidates.sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** What `--framework` accepts, for usage messages: each id, then each `id@version`. */
export function frameworkNames(): string[] {
  const all = frameworks();
  return [...new Set(all.map((f) => f.id)), ...all.map((f) => f.key)];
}

/** The message for a name `resolveFramework` does not know, the same from the CLI and the API. */
export function unknownFramework(name: string): string {
  const names = frameworkNames();
  return `unknown framework '${name}'${didYouMean(name, names)} (known: ${names.join(', ')})`;
}
