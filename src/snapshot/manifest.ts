/**
 * The optional snapshot manifest (`snapshot.yaml`): what was exported, and facts the exports cannot
 * prove. Parsed with positions so every problem points at its line:column.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob } from '../folder-glob';
import { diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { schemaValidator } from './validate';
import { positionIn, readYamlDocument } from '../yaml-file';

export const MANIFEST_FILE = 'snapshot.yaml';

/**
 * How the snapshot's files are listed and how the manifest's `files` and the `ignore` patterns match
 * them: one way, so a pattern means the files the loader reads. Links are not followed, dot files
 * not listed, and case does not count: an export saved as `Subs.JSON` is read, so `subs.json` and
 * `*.json` must name it too.
 */
export const SNAPSHOT_GLOB = { followSymbolicLinks: false, onlyFiles: true, dot: false, caseSensitiveMatch: false } as const;
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
  /** Globs of files not to stop on (see load.ts). */
  ignore: string[];
}

interface RawManifest {
  ignore?: string[];
  takenAt?: string;
  facts?: Record<string, string>;
  exports?: { kind: string; files?: string[]; minRecords?: number; pages?: { file: string; records: number }[] }[];
  minChecked?: Record<string, number>;
}

/** Whether two entries are one file (a hard link, or one name as a case-insensitive file system finds it). */
const sameInode = (a: Stats, b: Stats | undefined): boolean => b !== undefined && a.ino === b.ino && a.dev === b.dev;

/** Names a manifest is given by mistake: another extension or case, a plural, a `.txt` an editor added. */
const MANIFEST_NEAR_MISS = /^snapshots?\.ya?ml(?:\.txt)?$/i;

/**
 * A file at the root named like the manifest (not a folder) is an error: its promises (exports,
 * minRecords, minChecked) would go unchecked without a word, weakening the gate. Beside a
 * snapshot.yaml it is one too: which of the two holds the promises is not for the loader to guess.
 * A name that is snapshot.yaml itself, as a case-insensitive file system finds it, is not another.
 */
async function misnamedManifest(root: string, besideManifest: boolean): Promise<Diagnostic[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const manifest = besideManifest ? await lstat(join(root, MANIFEST_FILE)).catch(() => undefined) : undefined;
  const sameFile = async (name: string): Promise<boolean> => manifest !== undefined && sameInode(manifest, await lstat(join(root, name)).catch(() => undefined));
  const names: string[] = [];
  for (const e of entries) {
    if (e.name === MANIFEST_FILE || e.isDirectory() || !MANIFEST_NEAR_MISS.test(e.name) || (await sameFile(e.name))) continue;
    names.push(e.name);
  }
  return names.sort().map((name) =>
    diagnostic(
      'error',
      'manifest-misnamed',
      besideManifest
        ? `${name} looks like a second snapshot manifest, beside ${MANIFEST_FILE}: only ${MANIFEST_FILE} is read, so keep the promises there and remove ${name}`
        : `${name} looks like the snapshot manifest, but only ${MANIFEST_FILE} is read: rename it to ${MANIFEST_FILE}, or name it with --manifest`,
      { file: name },
    ),
  );
}

/**
 * A manifest below the folder given is read by no one: `lint exports/` for `lint exports/2026-11-27`
 * would read every export below it and check none of its promises, and a snapshot folder holds one
 * manifest, at its root. So each file (or link or folder) below the root named like a manifest is
 * an error that names the folder to lint instead, whether or not the root has a manifest: linting
 * that folder would report what its manifest says, or what is wrong with it.
 */
async function nestedManifests(root: string, named?: string): Promise<Diagnostic[]> {
  const found = await glob('*/**/snapshot{,s}.{yaml,yml}{,.txt}', { ...SNAPSHOT_GLOB, onlyFiles: false, cwd: root });
  // The manifest --manifest names is read wherever it lies: an entry is it when it leads to the same
  // file (itself, or a link to it) or is the very path named; only the others are stray.
  const read = named === undefined ? undefined : await stat(named).catch(() => undefined);
  const isNamed = async (file: string): Promise<boolean> => {
    if (named === undefined) return false;
    if (resolve(root, file) === resolve(named)) return true;
    return read !== undefined && sameInode(read, await stat(join(root, file)).catch(() => undefined));
  };
  const stray: string[] = [];
  for (const file of found.sort()) {
    if (MANIFEST_NEAR_MISS.test(file.slice(file.lastIndexOf('/') + 1)) && !(await isNamed(file))) stray.push(file);
  }
  return stray.map((file) => {
    const folder = file.slice(0, file.lastIndexOf('/'));
    return diagnostic(
      'error',
      'manifest-nested',
      `${file} looks like the manifest of a snapshot in ${folder}, below the folder given: a manifest is read only at the root of the folder linted, so lint ${folder} on its own (one folder per snapshot), or its promises go unchecked`,
      { file },
    );
  });
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
    kind: 'manifest',
    optional: explicitPath === undefined,
    // A manifest named on the command line may be a link; snapshot.yaml found in the folder may not.
    followLinks: explicitPath !== undefined,
    partial: true,
    validate: () => schemaValidator(MANIFEST_SCHEMA),
  });
  // A misnamed manifest at the root matters only where the folder's own is looked for (--manifest
  // names the one); a manifest below the root, always.
  const stray = [...(explicitPath === undefined ? await misnamedManifest(root, read.yaml !== undefined || read.diagnostics.length > 0) : []), ...(await nestedManifests(root, explicitPath && absolute))];
  if (explicitPath === undefined && read.yaml === undefined && read.diagnostics.length === 0) return { diagnostics: stray };
  const yaml = read.yaml;
  const invalidPaths = read.invalid ?? [];
  // A problem at the root (not a mapping) leaves nothing to read.
  if (!yaml || invalidPaths.some((p) => p.length === 0)) return { diagnostics: [...read.diagnostics, ...stray] };
  /** A value with a problem at or below it, which the manifest must not use. */
  const bad = (...prefix: (string | number)[]) => invalidPaths.some((p) => p.length >= prefix.length && prefix.every((seg, i) => p[i] === seg));
  /** A whole section with a problem of its own (not a list or mapping). */
  const badSection = (key: string) => invalidPaths.some((p) => p.length === 1 && p[0] === key);
  const at = (path: (string | number)[]): Position => positionIn(yaml, path);
  const invalid = (message: string, position: Position): Diagnostic => diagnostic('error', 'manifest-invalid', message, { file, position });

  const raw = yaml.data as RawManifest;
  const diagnostics: Diagnostic[] = [...read.diagnostics, ...stray];
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
      // Counted before fast-glob sees it: the glob library expands braces into a list first.
      const why =
        pattern.length > MAX_PATTERN_LENGTH ? `is longer than ${MAX_PATTERN_LENGTH} characters` : braceExpansions(pattern) > MAX_PATTERN_EXPANSIONS ? `expands to more than ${MAX_PATTERN_EXPANSIONS} patterns` : undefined;
      if (why !== undefined) {
        diagnostics.push(invalid(`files pattern ${why}; match the export's files with '*' instead`, position));
        outside = true;
      }
      return position;
    });
    const pages = entry.pages?.map((page, j): ManifestPage => {
      const position = at(['exports', i, 'pages', j]);
      inside(page.file, position, 'page');
      return { file: page.file.split('\\').join('/'), records: page.records, position };
    });
    // Never globbed: the pattern would list files outside the snapshot, or too many patterns.
    if (outside) return [];
    return [{ kind: entry.kind, files: entry.files, position: at(['exports', i]), filePositions, ...(entry.minRecords !== undefined ? { minRecords: entry.minRecords } : {}), ...(pages === undefined ? {} : { pages }) }];
  });
  const minChecked = Object.entries(badSection('minChecked') ? {} : (raw.minChecked ?? {}))
    .filter(([ruleId]) => !bad('minChecked', ruleId))
    .map(([ruleId, min]) => ({ ruleId, min, file, position: positionIn(yaml, ['minChecked', ruleId], { key: true }) }));
  const takenAt = raw.takenAt && !bad('takenAt') ? { takenAt: raw.takenAt } : {};
  const ignore = badSection('ignore') ? [] : (raw.ignore ?? []).filter((_, i) => !bad('ignore', i));
  return { manifest: { file, facts, exports: entries, minChecked, ignore, ...takenAt }, diagnostics };
}

/** Longest `files` pattern, and most patterns its braces may expand to (`{1..1000}{1..1000}` would be a million). */
export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERN_EXPANSIONS = 1_000;

/**
 * How many patterns the glob library's brace expansion makes of `pattern`: `{a,b}` adds its
 * alternatives, `{1..20}` and `{a..z}` count their range, groups in a row multiply. Counted, never
 * expanded, and capped just past the limit, so a hostile pattern costs one pass over its text.
 */
export function braceExpansions(pattern: string): number {
  const cap = MAX_PATTERN_EXPANSIONS + 1;
  let i = 0;
  /** Patterns the text up to the closing `}` or `,` of the enclosing group (or the end) makes. */
  const sequence = (): number => {
    let n = 1;
    while (i < pattern.length && pattern[i] !== '}' && pattern[i] !== ',') {
      if (pattern[i] === '\\') i += 2;
      else if (pattern[i] === '{') n = Math.min(cap, n * group());
      else i++;
    }
    return n;
  };
  const group = (): number => {
    const start = ++i;
    let alternatives = sequence();
    let commas = 0;
    while (pattern[i] === ',') {
      i++;
      commas++;
      alternatives = Math.min(cap, alternatives + sequence());
    }
    if (pattern[i] !== '}') return 1; // unclosed: taken literally
    const body = pattern.slice(start, i++);
    if (commas > 0) return alternatives;
    const range = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(body);
    if (!range) return alternatives;
    const ends = [range[1], range[2]].map((e) => (/^-?\d+$/.test(e) ? Number(e) : e.charCodeAt(0)));
    const step = Math.max(1, Math.abs(Number(range[3] ?? 1)));
    return Math.min(cap, Math.floor(Math.abs(ends[1] - ends[0]) / step) + 1);
  };
  let n = 1;
  while (i < pattern.length) {
    n = Math.min(cap, n * sequence());
    i++; // a stray '}' or ',' outside any group is literal
  }
  return n;
}

/**
 * Files of the snapshot each manifest export maps, by expanding its patterns the same way the
 * snapshot itself is listed. Only files the loader found count (no symlinks, no dot files).
 */
export async function manifestFiles(root: string, entry: ManifestExport, found: ReadonlySet<string>): Promise<string[][]> {
  return Promise.all(
    (entry.files ?? []).map(async (pattern) =>
      (await glob(pattern, { ...SNAPSHOT_GLOB, cwd: root })).filter((f) => found.has(f)),
    ),
  );
}
