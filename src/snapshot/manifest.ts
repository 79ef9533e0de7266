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
  /** Every page the exporter wrote, with the records it held: what the loader must find. */
  pages?: ManifestPage[];
}

export interface ManifestPage {
  /** Path relative to the snapshot root, `/` separators (not a pattern). */
  file: string;
  records: number;
  position: Position;
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
  exports?: { kind: string; files?: string[]; minRecords?: number; pages?: { file: string; records: number }[] }[];
  minChecked?: Record<string, number>;
}

/**
 * Reads the manifest at `explicitPath`, or `snapshot.yaml` at the root when there is one. Returns no
 * manifest when it is unreadable or not a mapping. An invalid part (a misspelt kind, a bad fact) is
 * an error and is left out, and the rest applies: one mistake must not leave the manifest's other
 * promises unchecked.
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
    partial: true,
    validate: () => compileSchema(MANIFEST_SCHEMA, 'document'),
  });
  const yaml = read.yaml;
  const invalidPaths = read.invalid ?? [];
  // A problem at the root (not a mapping) leaves nothing to read.
  if (!yaml || invalidPaths.some((p) => p.length === 0)) return { diagnostics: read.diagnostics };
  /** A value with a problem at or below it, which the manifest must not use. */
  const bad = (...prefix: (string | number)[]) => invalidPaths.some((p) => p.length >= prefix.length && prefix.every((seg, i) => p[i] === seg));
  /** A whole section with a problem of its own (not a list or mapping). */
  const badSection = (key: string) => invalidPaths.some((p) => p.length === 1 && p[0] === key);
  const at = (path: (string | number)[]): Position => positionIn(yaml, path);
  const invalid = (message: string, position: Position): Diagnostic => diagnostic('error', 'manifest-invalid', message, { file, position });

  const raw = yaml.data as RawManifest;
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const facts = new Map<string, ManifestFact>();
  for (const [name, factValue] of Object.entries(badSection('facts') ? {} : (raw.facts ?? {}))) {
    if (bad('facts', name)) continue;
    facts.set(name, { value: factValue.toLowerCase(), position: at(['facts', name]) });
  }
  const listed = badSection('exports') ? [] : (raw.exports ?? []);
  const entries = listed.flatMap((entry, i): ManifestExport[] => {
    if (bad('exports', i)) return [];
    let outside = false;
    const inside = (path: string, position: Position, what: string): void => {
      if (!isAbsolute(path) && !path.split(/[\\/]/).includes('..')) return;
      diagnostics.push(invalid(`${what} '${path}' must stay inside the snapshot folder`, position));
      outside = true;
    };
    const filePositions = (entry.files ?? []).map((pattern, j) => {
      const position = at(['exports', i, 'files', j]);
      inside(pattern, position, 'files pattern');
      return position;
    });
    const pages = entry.pages?.map((page, j): ManifestPage => {
      const position = at(['exports', i, 'pages', j]);
      inside(page.file, position, 'page');
      return { file: page.file.split('\\').join('/'), records: page.records, position };
    });
    // Never globbed: the pattern would list files outside the snapshot.
    if (outside) return [];
    return [{ kind: entry.kind, files: entry.files, position: at(['exports', i]), filePositions, ...(entry.minRecords !== undefined ? { minRecords: entry.minRecords } : {}), ...(pages === undefined ? {} : { pages }) }];
  });
  const minChecked = Object.entries(badSection('minChecked') ? {} : (raw.minChecked ?? {}))
    .filter(([ruleId]) => !bad('minChecked', ruleId))
    .map(([ruleId, min]) => ({ ruleId, min, file, position: positionIn(yaml, ['minChecked', ruleId], { key: true }) }));
  const takenAt = raw.takenAt && !bad('takenAt') ? { takenAt: raw.takenAt } : {};
  return { manifest: { file, facts, exports: entries, minChecked, ...takenAt }, diagnostics };
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
