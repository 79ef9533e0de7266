/**
 * Loads a snapshot folder: every `*.json`, `*.ndjson` and `*.jsonl` below it, recognised by content
 * whatever its name or folder, merged into one collection per export kind, checked against the
 * manifest's promises, with the snapshot facts derived. Never throws for bad input: problems are
 * diagnostics.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { glob, globEntries } from '../folder-glob';
import { cmp, compareDiagnostics, diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { deriveFacts } from './facts';
import { fetchExport, isStreamed, loadFile, type FileResult } from './file';
import { readAhead, READ_AHEAD_FILES } from './read-ahead';
import { ReadBuffers } from '../input-file';
import { STREAM_THRESHOLD } from './stream';
import { exportKind, type ExportKind } from './kinds';
import { findRepeats, indexResources } from './repeats';
import type { Projection } from './projection';
import { loadManifest, manifestFiles, SNAPSHOT_GLOB, type Manifest } from './manifest';
import type { Collection, InputGap, LoadedFile, Snapshot, SnapshotRecord } from './types';
import { incompletePaging } from './paging';
import { describeSnapshot } from './self';
import { DEVICES, linkDevices } from './servers';
import { checkPerSubscriptionCoverage } from './per-subscription';
import type { ProgressSink } from '../progress';
import { plural } from '../words';

export interface LoadOptions {
  /** Manifest path (default: `snapshot.yaml` at the root, when present). */
  manifest?: string;
  /**
   * JSON files larger than this many bytes are read record by record instead of as one string
   * (default `STREAM_THRESHOLD`, 64 MiB; 0 streams every file). NDJSON is always read that way.
   */
  streamThreshold?: number;
  /**
   * What to keep of each record (see projection.ts; planProjection builds it from what rules
   * read). Default: whole records.
   */
  projection?: Projection;
  /** The folder's export files, when the caller has listed them already (listExportFiles). */
  files?: readonly ExportFile[];
  /**
   * Globs (relative to the snapshot folder) of files not to stop on: a README.json, an export of a
   * kind posture-lint does not read. With the manifest's `ignore`, see `applyIgnore`.
   */
  ignore?: readonly string[];
  /** Told each file's bytes and records as they are read (a progress display). */
  progress?: ProgressSink;
}

/** An export file of a snapshot: its path below the root (`/` separators) and its size in bytes. */
export interface ExportFile {
  file: string;
  size: number;
}

/** Export files: JSON documents, and NDJSON / JSON Lines (one record per line), whatever the case of the extension. */
export const EXPORT_FILES = '**/*.{json,ndjson,jsonl}';

/** The export files below a snapshot folder, sorted, with their sizes. Symbolic links are not followed. */
export async function listExportFiles(absRoot: string): Promise<ExportFile[]> {
  // fast-glob lists neither linked files nor linked folders' content. An export saved as `Subs.JSON`
  // (Windows keeps names as typed) is an export: skipping it would leave its rules unevaluated unsaid.
  const entries = await globEntries(EXPORT_FILES, { ...SNAPSHOT_GLOB, cwd: absRoot });
  return entries.map((e) => ({ file: e.path, size: e.stats?.size ?? 0 })).sort((a, b) => cmp(a.file, b.file));
}

export async function loadSnapshot(root: string, options: LoadOptions = {}): Promise<Snapshot> {
  const absRoot = resolve(root);
  const snapshot: Snapshot = { root: absRoot, collections: new Map(), facts: new Map(), files: [], diagnostics: [], incomplete: new Map(), unattributed: [] };
  const isDir = await stat(absRoot).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    snapshot.diagnostics.push(diagnostic('error', 'snapshot-missing', `snapshot folder ${absRoot} does not exist or is not a folder`));
    snapshot.facts = deriveFacts(snapshot.collections, new Map(), undefined).facts;
    return snapshot;
  }

  const diagnostics: Diagnostic[] = [];
  const { manifest, diagnostics: manifestProblems } = await loadManifest(absRoot, options.manifest);
  diagnostics.push(...manifestProblems);

  const listed = options.files ?? (await listExportFiles(absRoot));
  const files = listed.map((f) => f.file);
  const gaps = new Gaps();
  const ignorePatterns = [...(options.ignore ?? []), ...(manifest?.ignore ?? [])];
  // Listed the way the snapshot is, so a pattern means the same files here as in the manifest.
  const ignoredFiles = new Set(ignorePatterns.length === 0 ? [] : await glob(ignorePatterns, { ...SNAPSHOT_GLOB, cwd: absRoot }));
  const ignored = (file: string): boolean => ignoredFiles.has(file);
  const mapping = manifest === undefined ? undefined : await mapManifestFiles(absRoot, manifest, new Set(files), diagnostics, gaps);

  const byKind = new Map<string, Collection>();
  const streamThreshold = options.streamThreshold ?? STREAM_THRESHOLD;
  // What a file read whole holds until it is parsed; a streamed file is read as it is parsed.
  const heldBytes = (f: ExportFile): number => (isStreamed(f.file, f.size, streamThreshold) ? 0 : f.size);
  const buffers = new ReadBuffers(READ_AHEAD_FILES + 2);
  const fetched = readAhead(listed, heldBytes, (f) => fetchExport(join(absRoot, f.file), f.file, streamThreshold, buffers));
  for (const [i, { file }] of listed.entries()) {
    const forced = mapping?.forced.get(file);
    const result = await loadFile(join(absRoot, file), file, { forced, streamThreshold, projection: options.projection, progress: options.progress, fetched: fetched(i), buffers });
    if (forced === undefined && ignored(file)) applyIgnore(result);
    snapshot.files.push(result.loaded);
    diagnostics.push(...result.diagnostics);
    for (const gap of result.gaps) gaps.add(gap.kinds, { file, code: gap.code });
    for (const [kind, records] of result.records) {
      const collection = byKind.get(kind) ?? { name: kind, records: [], files: [] };
      // A loop, not push(...records): spreading 100k+ arguments overflows the call stack.
      for (const r of records) collection.records.push(r);
      collection.files.push(file);
      byKind.set(kind, collection);
    }
  }
  /** The devices by id, as keyed for their repeats: server linking looks merged devices up by it. */
  let devicesById: ReadonlyMap<string, number> | undefined;
  for (const kind of [...byKind.keys()].sort(cmp)) {
    const collection = byKind.get(kind) as Collection;
    const index = indexResources(kind, collection.records);
    collection.repeats = index.repeats;
    if (kind === DEVICES) devicesById = index.firstOf;
    snapshot.collections.set(kind, collection);
  }
  if (options.projection !== undefined) await keepRepeatsWhole(absRoot, snapshot.collections, options.projection, mapping?.forced, options.streamThreshold);
  linkDevices(snapshot.collections, devicesById);
  diagnostics.push(...checkPerSubscriptionCoverage(snapshot.collections));

  const filesByName = new Map(snapshot.files.map((f) => [f.file, f]));
  /** Paging problems reported, and the file each diagnostic names. */
  const reportedGroups = new Map<string, string>();
  if (manifest !== undefined && mapping !== undefined) {
    diagnostics.push(...checkPromises(manifest, mapping.entryFiles, snapshot.collections, filesByName, reportedGroups, gaps));
  }
  // A page list in the manifest names its pages itself (export-missing): their numbers would only say it again.
  const listedPages = new Set(manifest?.exports.filter((e) => e.pages !== undefined).map((e) => e.kind));
  diagnostics.push(...checkPaging(snapshot.collections, filesByName, reportedGroups, gaps, listedPages));
  snapshot.incomplete = gaps.byCollection();
  snapshot.unattributed = gaps.unattributed();

  const facts = deriveFacts(snapshot.collections, manifest?.facts ?? new Map(), manifest?.file);
  snapshot.facts = facts.facts;
  if (manifest?.takenAt !== undefined) snapshot.takenAt = manifest.takenAt;
  if (manifest && manifest.minChecked.length > 0) snapshot.minChecked = manifest.minChecked;
  diagnostics.push(...facts.diagnostics);
  snapshot.diagnostics = diagnostics.sort(compareDiagnostics);
  describeSnapshot(snapshot);
  return snapshot;
}

/**
 * Records of one resource are compared whole (src/engine/resources.ts): where the projection cut
 * them, the files that hold a resource more than once are read again, whole, and those records
 * get their whole data back. Exports rarely repeat a resource (overlapping pages, a role
 * assignment inherited by every subscription), so this reads a few small files, not the export.
 */
async function keepRepeatsWhole(
  root: string,
  collections: ReadonlyMap<string, Collection>,
  projection: Projection,
  forced: ReadonlyMap<string, ExportKind> | undefined,
  streamThreshold: number | undefined,
): Promise<void> {
  /** Records to restore, by file, then kind and pointer. */
  const wanted = new Map<string, Map<string, SnapshotRecord>>();
  for (const collection of collections.values()) {
    const kind = exportKind(collection.name);
    if (kind === undefined || !projection.has(kind.id)) continue;
    for (const group of collection.repeats ?? findRepeats(kind.id, collection.records)) {
      for (const i of group) {
        const r = collection.records[i];
        const inFile = wanted.get(r.origin.file) ?? new Map<string, SnapshotRecord>();
        inFile.set(`${kind.id}\n${r.origin.pointer}`, r);
        wanted.set(r.origin.file, inFile);
      }
    }
  }
  for (const file of [...wanted.keys()].sort(cmp)) {
    const inFile = wanted.get(file) as Map<string, SnapshotRecord>;
    const again = await loadFile(join(root, file), file, { forced: forced?.get(file), streamThreshold });
    for (const [kindId, records] of again.records) {
      for (const r of records) {
        const target = inFile.get(`${kindId}\n${r.origin.pointer}`);
        // A file changed since it was read gives what it holds now; the cut record stays if it is gone.
        if (target !== undefined) target.whole = r.data;
      }
    }
  }
}

interface ManifestMapping {
  /** Kind each explicitly listed file is read as. */
  forced: Map<string, ExportKind>;
  /** Files matched by each manifest export, by entry index (undefined when the entry lists none). */
  entryFiles: (string[] | undefined)[];
}

async function mapManifestFiles(root: string, manifest: Manifest, found: ReadonlySet<string>, out: Diagnostic[], gaps: Gaps): Promise<ManifestMapping> {
  const forced = new Map<string, ExportKind>();
  const entryFiles: (string[] | undefined)[] = [];
  for (const entry of manifest.exports) {
    const kind = exportKind(entry.kind) as ExportKind;
    if (entry.files === undefined && entry.pages === undefined) {
      entryFiles.push(undefined);
      continue;
    }
    const map = (f: string, position: Position): void => {
      const previous = forced.get(f);
      if (previous !== undefined && previous.id !== kind.id) {
        out.push(diagnostic('error', 'manifest-invalid', `${f} is listed both as ${previous.id} and as ${kind.id}`, { file: manifest.file, position }));
      }
      forced.set(f, kind);
    };
    const missing = (message: string, position: Position): void => {
      out.push(diagnostic('error', 'export-missing', message, { file: manifest.file, position }));
      // The files that are there are not the whole export.
      gaps.add([entry.kind], { file: manifest.file, code: 'export-missing' });
    };
    const perPattern = await manifestFiles(root, entry, found);
    perPattern.forEach((matched, i) => {
      const position = entry.filePositions[i];
      if (matched.length === 0) missing(`${entry.kind}: no file matches '${(entry.files as string[])[i]}'; export it with: ${kind.howToExport}`, position);
      for (const f of matched) map(f, position);
    });
    const pages: string[] = [];
    for (const page of entry.pages ?? []) {
      if (!found.has(page.file)) {
        missing(`${entry.kind}: page ${page.file} (${plural(page.records, 'record')}) is missing; export it again with: ${kind.howToExport}`, page.position);
        continue;
      }
      map(page.file, page.position);
      pages.push(page.file);
    }
    entryFiles.push([...new Set([...perPattern.flat(), ...pages])].sort(cmp));
  }
  return { forced, entryFiles };
}

/** Each manifest export is a promise: it must be there, hold its pages, and ideally records. */
function checkPromises(
  manifest: Manifest,
  entryFiles: readonly (string[] | undefined)[],
  collections: ReadonlyMap<string, Collection>,
  files: ReadonlyMap<string, LoadedFile>,
  reportedGroups: Map<string, string>,
  gaps: Gaps,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  manifest.exports.forEach((entry, i) => {
    const kind = exportKind(entry.kind) as ExportKind;
    const where = { file: manifest.file, position: entry.position };
    const broken = (code: string, message: string): void => {
      out.push(diagnostic('error', code, message, where));
      gaps.add([entry.kind], { file: manifest.file, code });
    };
    const listed = entryFiles[i];
    const group = listed ?? collections.get(entry.kind)?.files ?? [];
    if (listed === undefined && group.length === 0) {
      out.push(diagnostic('error', 'export-missing', `${entry.kind} is listed but no file of that kind was found; export it with: ${kind.howToExport}`, where));
      // Incomplete, not absent, so a rule that reads it beside another export does not judge on that one
      // alone; when a file of the kind failed to load, its gap already says why.
      if (!gaps.has(entry.kind)) gaps.add([entry.kind], { file: manifest.file, code: 'export-missing' });
      return;
    }
    if (group.length === 0) return; // each unmatched pattern is already reported
    const paging = incompletePaging(group, files, entry.pages === undefined);
    if (paging !== undefined) {
      // Pages that feed several collections (Resource Graph VMs) are reported once and leave each incomplete.
      if (!reportedGroups.has(paging.key)) out.push(diagnostic('error', 'incomplete-paging', `${entry.kind}: ${paging.message}`, where));
      if (!reportedGroups.has(paging.key)) reportedGroups.set(paging.key, manifest.file);
      gaps.add([entry.kind], { file: reportedGroups.get(paging.key) as string, code: 'incomplete-paging' });
    }
    for (const page of entry.pages ?? []) {
      const held = files.get(page.file)?.present;
      if (held === undefined || held === page.records) continue; // a missing or unreadable page is reported already
      out.push(diagnostic('error', 'record-count', `${page.file} holds ${plural(held, 'record')}, but the exporter wrote ${page.records}: the file was cut or changed; export it again`, { file: manifest.file, position: page.position }));
      gaps.add([entry.kind], { file: page.file, code: 'record-count' });
    }
    // Declared pages say what the export held, 0 records included; the checks above hold the files to it.
    const records = group.reduce((n, f) => n + (files.get(f)?.records ?? 0), 0);
    if (entry.minRecords !== undefined && records < entry.minRecords) {
      broken('export-below-minimum', `${entry.kind}: the export holds ${plural(records, 'record')}, fewer than the ${entry.minRecords} the manifest requires (minRecords)`);
    } else if (records === 0 && entry.pages === undefined) {
      broken('export-empty', `${entry.kind}: the export holds no records; export it again, or, if it really is empty, declare its pages with 0 records (scripts/export-snapshot.sh does)`);
    }
  });
  return out;
}

/** Each collection's pages, as one group: see paging.ts. */
function checkPaging(
  collections: ReadonlyMap<string, Collection>,
  files: ReadonlyMap<string, LoadedFile>,
  reportedGroups: Map<string, string>,
  gaps: Gaps,
  listedPages: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const collection of collections.values()) {
    const paging = incompletePaging(collection.files, files, !listedPages.has(collection.name));
    if (paging === undefined) continue;
    if (!reportedGroups.has(paging.key)) {
      out.push(diagnostic('error', 'incomplete-paging', `${collection.name}: ${paging.message}`, { file: collection.files[0] }));
      reportedGroups.set(paging.key, collection.files[0]);
    }
    gaps.add([collection.name], { file: reportedGroups.get(paging.key) as string, code: 'incomplete-paging' });
  }
  return out;
}

/**
 * An ignored file is still read, so ignoring can never hide data: one whose content is told to be an
 * export posture-lint reads loads as usual (with a warning that the pattern does not apply), and only
 * one whose kind cannot be told at all (not an export, unparsable with nothing told, empty) is
 * skipped, its problems replaced by one note.
 */
function applyIgnore(result: FileResult): void {
  const { file } = result.loaded;
  if (result.loaded.kinds.length > 0) {
    result.diagnostics.push(diagnostic('warning', 'ignore-not-applied', `the ignore list names ${file}, but it holds ${result.loaded.kinds.join(', ')} records, which are read: ignore only files that are no export posture-lint reads`, { file }));
    return;
  }
  result.diagnostics = [diagnostic('note', 'file-ignored', 'not read as an export: the ignore list names it', { file })];
  result.gaps = [];
}

/** Gaps found while loading, by collection; gaps whose kind cannot be told apply to every collection. */
class Gaps {
  private readonly byKind = new Map<string, Map<string, InputGap>>();
  private readonly untold = new Map<string, InputGap>();

  add(kinds: readonly string[] | undefined, gap: InputGap): void {
    const key = `${gap.file}\n${gap.code}`;
    if (kinds === undefined || kinds.length === 0) {
      this.untold.set(key, gap);
      return;
    }
    for (const kind of kinds) {
      const gapsOfKind = this.byKind.get(kind) ?? new Map<string, InputGap>();
      gapsOfKind.set(key, gap);
      this.byKind.set(kind, gapsOfKind);
    }
  }

  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  byCollection(): Map<string, InputGap[]> {
    return new Map([...this.byKind.keys()].sort(cmp).map((kind) => [kind, sortGaps(this.byKind.get(kind)!)]));
  }

  unattributed(): InputGap[] {
    return sortGaps(this.untold);
  }
}

function sortGaps(gaps: ReadonlyMap<string, InputGap>): InputGap[] {
  return [...gaps.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.code, b.code));
}

