/**
 * The optional snapshot manifest (`snapshot.yaml`): what was exported, and facts the exports cannot
 * prove. Parsed with positions so every problem points at its line:column.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import { diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { compileSchema } from './validate';
import { positionIn, readYamlDocument } from '../yaml-file';

export const MANIFEST_FILE = 'snapshot.yaml';
const MANIFEST_SCHEMA = 'schemas/snapshot-manifest.schema.json';

export interface ManifestExport {
  kind: string;
  /** Glob patterns relative to the snapshot root; absent = "this kind is somewhere in the snapshot". */
  files?: string[];
  position: Position;
  /** Position of each pattern in `files`. */
  filePositions: Position[];
  /** Fewest records the export must hold. */
  minRecords?: number;
}

export interface ManifestFact {
  value: string;
  position: Position;
}

/** A rule that must check at least `min` records (or groups) of this snapshot. */
export interface ScopeRequirement {
  ruleId: string;
  min: number;
  file: string;
  position: Position;
}

export interface Manifest {
  /** Manifest path for diagnostics: relative to the snapshot root when inside it. */
  file: string;
  facts: Map<string, ManifestFact>;
  exports: ManifestExport[];
  /** When the snapshot was taken (ISO 8601), the time rules measure ages against. */
  takenAt?: string;
  minChecked: ScopeRequirement[];
}

interface RawManifest {
  takenAt?: string;
  facts?: Record<string, string>;
  exports?: { kind: string; files?: string[]; minRecords?: number }[];
  minChecked?: Record<string, number>;
}

/**
 * Reads the manifest at `explicitPath`, or `snapshot.yaml` at the root when there is one. Returns no
 * manifest (and diagnostics) when it is unreadable or invalid: a broken promise list is not trusted.
 */
export async function loadManifest(
  root: string,
  explicitPath?: string,
): Promise<{ manifest?: Manifest; diagnostics: Diagnostic[] }> {
  const absolute = explicitPath === undefined ? join(root, MANIFEST_FILE) : resolve(explicitPath);
  const rel = relative(root, absolute);
  const file = (rel.startsWith('..') || isAbsolute(rel) ? absolute : rel).split(sep).join('/');
  const read = await readYamlDocument(absolute, file, {
    code: 'manifest-invalid',
    what: 'manifest',
    optional: explicitPath === undefined,
    validate: () => compileSchema(MANIFEST_SCHEMA, 'document'),
  });
  const yaml = read.yaml;
  if (!yaml) return { diagnostics: read.diagnostics };
  const at = (path: (string | number)[]): Position => positionIn(yaml, path);
  const invalid = (message: string, position: Position): Diagnostic => diagnostic('error', 'manifest-invalid', message, { file, position });

  const raw = yaml.data as RawManifest;
  const diagnostics: Diagnostic[] = [];
  const facts = new Map<string, ManifestFact>();
  for (const [name, factValue] of Object.entries(raw.facts ?? {})) {
    facts.set(name, { value: factValue.toLowerCase(), position: at(['facts', name]) });
  }
  const entries = (raw.exports ?? []).map((entry, i): ManifestExport => {
    const filePositions = (entry.files ?? []).map((pattern, j) => {
      const position = at(['exports', i, 'files', j]);
      if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
        diagnostics.push(invalid(`files pattern '${pattern}' must stay inside the snapshot folder`, position));
      }
      return position;
    });
    return { kind: entry.kind, files: entry.files, position: at(['exports', i]), filePositions, ...(entry.minRecords !== undefined ? { minRecords: entry.minRecords } : {}) };
  });
  const minChecked = Object.entries(raw.minChecked ?? {}).map(([ruleId, min]) => ({ ruleId, min, file, position: positionIn(yaml, ['minChecked', ruleId], { key: true }) }));
  return diagnostics.length > 0 ? { diagnostics } : { manifest: { file, facts, exports: entries, minChecked, ...(raw.takenAt ? { takenAt: raw.takenAt } : {}) }, diagnostics };
}

/**
 * Files of the snapshot each manifest export maps, by expanding its patterns the same way the
 * snapshot itself is listed. Only files the loader found count (no symlinks, no dot files).
 */
export async function manifestFiles(root: string, entry: ManifestExport, found: ReadonlySet<string>): Promise<string[][]> {
  return Promise.all(
    (entry.files ?? []).map(async (pattern) =>
      (await fg(pattern, { cwd: root, followSymbolicLinks: false, onlyFiles: true, dot: false })).filter((f) => found.has(f)),
    ),
  );
}
