/**
 * Loads a snapshot folder: every `*.json`, `*.ndjson` and `*.jsonl` below it, recognised by content
 * whatever its name or folder, merged into one collection per export kind, checked against the
 * manifest's promises, with the snapshot facts derived. Never throws for bad input: problems are
 * diagnostics.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { cmp, compareDiagnostics, diagnostic, type Diagnostic } from '../diagnostics';
import { deriveFacts } from './facts';
import { loadFile } from './file';
import { exportKind, type ExportKind } from './kinds';
import { loadManifest, manifestFiles, type Manifest } from './manifest';
import type { Collection, LoadedFile, Snapshot } from './types';
import { incompletePaging } from './paging';
import { describeSnapshot } from './self';

export interface LoadOptions {
  /** Manifest path (default: `snapshot.yaml` at the root, when present). */
  manifest?: string;
  /**
   * JSON files larger than this many bytes are read record by record instead of as one string
   * (default `STREAM_THRESHOLD`, 64 MiB; 0 streams every file). NDJSON is always read that way.
   */
  streamThreshold?: number;
}

/** Export files: JSON documents, and NDJSON / JSON Lines (one record per line). */
export const EXPORT_FILES = '**/*.{json,ndjson,jsonl}';

export async function loadSnapshot(root: string, options: LoadOptions = {}): Promise<Snapshot> {
  const absRoot = resolve(root);
  const snapshot: Snapshot = { root: absRoot, collections: new Map(), facts: new Map(), files: [], diagnostics: [] };
  const isDir = await stat(absRoot).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    snapshot.diagnostics.push(diagnostic('error', 'snapshot-missing', `snapshot folder ${absRoot} does not exist or is not a folder`));
    snapshot.facts = deriveFacts(snapshot.collections, new Map(), undefined).facts;
    return snapshot;
  }

  const diagnostics: Diagnostic[] = [];
  const { manifest, diagnostics: manifestProblems } = await loadManifest(absRoot, options.manifest);
  diagnostics.push(...manifestProblems);

  // Symbolic links are not followed (fast-glob lists neither linked files nor linked folders' content).
  const files = (await fg(EXPORT_FILES, { cwd: absRoot, followSymbolicLinks: false, onlyFiles: true, dot: false })).sort(cmp);
  const mapping = manifest === undefined ? undefined : await mapManifestFiles(absRoot, manifest, new Set(files), diagnostics);

  const byKind = new Map<string, Collection>();
  for (const file of files) {
    const result = await loadFile(join(absRoot, file), file, { forced: mapping?.forced.get(file), streamThreshold: options.streamThreshold });
    snapshot.files.push(result.loaded);
    diagnostics.push(...result.diagnostics);
    for (const [kind, records] of result.records) {
      const collection = byKind.get(kind) ?? { name: kind, records: [], files: [] };
      // A loop, not push(...records): spreading 100k+ arguments overflows the call stack.
      for (const r of records) collection.records.push(r);
      collection.files.push(file);
      byKind.set(kind, collection);
    }
  }
  for (const kind of [...byKind.keys()].sort(cmp)) snapshot.collections.set(kind, byKind.get(kind) as Collection);

  const filesByName = new Map(snapshot.files.map((f) => [f.file, f]));
  const reportedGroups = new Set<string>();
  if (manifest !== undefined && mapping !== undefined) {
    diagnostics.push(...checkPromises(manifest, mapping.entryFiles, snapshot.collections, filesByName, reportedGroups));
  }
  diagnostics.push(...checkPaging(snapshot.collections, filesByName, reportedGroups));

  const facts = deriveFacts(snapshot.collections, manifest?.facts ?? new Map(), manifest?.file);
  snapshot.facts = facts.facts;
  if (manifest?.takenAt !== undefined) snapshot.takenAt = manifest.takenAt;
  if (manifest && manifest.minChecked.length > 0) snapshot.minChecked = manifest.minChecked;
  diagnostics.push(...facts.diagnostics);
  snapshot.diagnostics = diagnostics.sort(compareDiagnostics);
  describeSnapshot(snapshot);
  return snapshot;
}

interface ManifestMapping {
  /** Kind each explicitly listed file is read as. */
  forced: Map<string, ExportKind>;
  /** Files matched by each manifest export, by entry index (undefined when the entry lists none). */
  entryFiles: (string[] | undefined)[];
}

async function mapManifestFiles(root: string, manifest: Manifest, found: ReadonlySet<string>, out: Diagnostic[]): Promise<ManifestMapping> {
  const forced = new Map<string, ExportKind>();
  const entryFiles: (string[] | undefined)[] = [];
  for (const entry of manifest.exports) {
    const kind = exportKind(entry.kind) as ExportKind;
    if (entry.files === undefined) {
      entryFiles.push(undefined);
      continue;
    }
    const perPattern = await manifestFiles(root, entry, found);
    perPattern.forEach((matched, i) => {
      const position = entry.filePositions[i];
      if (matched.length === 0) {
        out.push(diagnostic('error', 'export-missing', `${entry.kind}: no file matches '${(entry.files as string[])[i]}'; export it with: ${kind.howToExport}`, { file: manifest.file, position }));
      }
      for (const f of matched) {
        const previous = forced.get(f);
        if (previous !== undefined && previous.id !== kind.id) {
          out.push(diagnostic('error', 'manifest-invalid', `${f} is listed both as ${previous.id} and as ${kind.id}`, { file: manifest.file, position }));
        }
        forced.set(f, kind);
      }
    });
    entryFiles.push([...new Set(perPattern.flat())].sort(cmp));
  }
  return { forced, entryFiles };
}

/** Each manifest export is a promise: it must be there, hold its pages, and ideally records. */
function checkPromises(
  manifest: Manifest,
  entryFiles: readonly (string[] | undefined)[],
  collections: ReadonlyMap<string, Collection>,
  files: ReadonlyMap<string, LoadedFile>,
  reportedGroups: Set<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  manifest.exports.forEach((entry, i) => {
    const kind = exportKind(entry.kind) as ExportKind;
    const where = { file: manifest.file, position: entry.position };
    const listed = entryFiles[i];
    const group = listed ?? collections.get(entry.kind)?.files ?? [];
    if (listed === undefined && group.length === 0) {
      out.push(diagnostic('error', 'export-missing', `${entry.kind} is listed but no file of that kind was found; export it with: ${kind.howToExport}`, where));
      return;
    }
    if (group.length === 0) return; // each unmatched pattern is already reported
    const paging = incompletePaging(group, files);
    if (paging !== undefined && !reportedGroups.has(paging.key)) {
      reportedGroups.add(paging.key);
      out.push(diagnostic('error', 'incomplete-paging', `${entry.kind}: ${paging.message}`, where));
    }
    const records = group.reduce((n, f) => n + (files.get(f)?.records ?? 0), 0);
    if (entry.minRecords !== undefined && records < entry.minRecords) {
      out.push(diagnostic('error', 'export-below-minimum', `${entry.kind}: the export holds ${records} records, fewer than the ${entry.minRecords} the manifest requires (minRecords)`, where));
    } else if (records === 0) out.push(diagnostic('note', 'export-empty', `${entry.kind}: the export holds no records`, where));
  });
  return out;
}

/** A collection whose every file carries a next-page link is missing its last page. */
function checkPaging(collections: ReadonlyMap<string, Collection>, files: ReadonlyMap<string, LoadedFile>, reportedGroups: Set<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const collection of collections.values()) {
    const paging = incompletePaging(collection.files, files);
    if (paging === undefined || reportedGroups.has(paging.key)) continue;
    reportedGroups.add(paging.key);
    out.push(diagnostic('error', 'incomplete-paging', `${collection.name}: ${paging.message}`, { file: collection.files[0] }));
  }
  return out;
}

