/**
 * The shape of one export kind, and the helpers the per-source tables (arm.ts, defender.ts, mde.ts,
 * graph.ts) use to define theirs. Detection, normalisation and identity are data here, so adding a
 * kind is adding one table entry plus its schema file.
 */
import type { JsonObject, Origin } from '../types';
import { getPath, lowerCase, str } from '../json-util';
import { compose, liftArmProperties, liftedPath, type Normalizer } from '../normalize';

export type ExportSource = 'arm' | 'defender' | 'mde' | 'graph';

export interface RecordIdentity {
  id: string;
  name?: string;
}

/** A record matches when it has every `has` field as an own property and the `equals` values. */
export interface Signature {
  has: readonly string[];
  equals?: Readonly<Record<string, string>>;
}

/** How a file's content is recognised as this kind, strongest hint first. */
export interface Detection {
  /** Matches the `@odata.context` of the envelope or single object (MDE and Graph). */
  odataContext?: RegExp;
  /** A Resource Graph envelope is always this kind, whatever its rows. */
  resourceGraphEnvelope?: boolean;
  /** ARM `type` values, lower-case (ARM types are case-insensitive; Resource Graph lowercases them). */
  armTypes?: readonly string[];
  /**
   * ARM ids of this kind, tested before the `type`: the REST API's own examples give a scale-set
   * instance the type of a VM, but its id says what it is.
   */
  armIdPattern?: RegExp;
  /** Record field signatures, for exports with no context or type (az output, mdatp, Graph lists). */
  signatures?: readonly Signature[];
}

/** What a field that rules rely on means in this kind's records, and the document that says so. */
export interface FieldMeaning {
  /** Dotted path in the normalised record. */
  field: string;
  meaning: string;
  /** Link to the documentation (or issue thread) the meaning comes from. */
  source: string;
}

export interface ExportKind {
  /** Kind id, also the collection name, e.g. `mde.machines`. */
  id: string;
  title: string;
  source: ExportSource;
  /** The one-line command that produces the file, for "not evaluated: needs X" messages. */
  howToExport: string;
  /** JSON Schema of one record as exported, relative to the package root. */
  schemaFile: string;
  /**
   * Resource identity for findings, read from the normalised record. Records with no identity field
   * (mdatp_managed.json profiles) are identified by where they came from.
   */
  identify: Identify;
  detect: Detection;
  /** Lifts the record into the kind's canonical (REST) shape. */
  normalize?: Normalizer;
  /**
   * For kinds `az` prints flattened: where the loader puts a field of that form (`scope` →
   * `properties.scope`), so a rule written against the az output is told the path rules read.
   */
  liftedPath?: (azField: string) => string | undefined;
  /** Exported once per subscription: the loader warns when the export covers fewer than arm.subscriptions holds. */
  perSubscription?: boolean;
  /** Records of this kind that also feed another collection (Resource Graph VM rows). */
  alsoFeeds?: readonly { kind: string; armTypes: readonly string[] }[];
  /** Fields whose meaning differs from what their name suggests, or that rules join on (docs/exports.md). */
  semantics?: readonly FieldMeaning[];
}

/** Matches an OData context ending in `#<entitySet>`, with optional `(expand())` and `/$entity`. */
export function odataContext(entitySet: string): RegExp {
  const escaped = entitySet.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`#${escaped}(\\(.*\\))?(/\\$entity)?$`, 'i');
}

/**
 * A record's identity; `idOf` is its id alone (resources are told apart by it, a million times
 * per collection); `paths` are the fields it reads (the loader keeps them whatever rules read).
 * A record without an id is told by where it is: `at.origin`, read only then.
 */
export type Identify = ((data: JsonObject, at?: Located) => RecordIdentity) & {
  readonly idOf: (data: JsonObject, at?: Located) => string;
  readonly paths: readonly string[];
};

/** Something whose origin can be asked for: a record. */
export interface Located {
  readonly origin: Origin;
}

function placeOf(origin: Origin): string {
  return origin.pointer === '' ? origin.file : `${origin.file}#${origin.pointer}`;
}

/** The key that tells one resource from another: its id, case-folded; undefined when it has none. */
export function resourceKey(id: string | undefined): string | undefined {
  return id ? lowerCase(id) : undefined;
}

/** The first non-empty string (or number, as text) at one of the dotted paths. */
function firstAt(data: JsonObject, paths: readonly string[]): string | undefined {
  for (const p of paths) {
    const v = getPath(data, p);
    if (typeof v === 'number') return String(v);
    if (str(v) !== undefined) return v as string;
  }
  return undefined;
}

/** Identity from the first non-empty string at each list of dotted paths. */
export function identifyBy(idPaths: readonly string[], namePaths: readonly string[] = []): Identify {
  const idOf = (data: JsonObject, at?: Located): string => firstAt(data, idPaths) ?? (at === undefined ? '' : placeOf(at.origin));
  const identify = (data: JsonObject, at?: Located): RecordIdentity => {
    const id = idOf(data, at);
    const name = firstAt(data, namePaths);
    return name === undefined ? { id } : { id, name };
  };
  return Object.assign(identify, { idOf, paths: [...idPaths, ...namePaths] });
}

export function schemaFileOf(id: string): string {
  return `schemas/exports/${id}.schema.json`;
}

export interface ArmKindSpec {
  id: string;
  title: string;
  source: 'arm' | 'defender';
  howToExport: string;
  armTypes: readonly string[];
  /** Fields whose presence at the top level (with no `properties`) shows the az flattened form. */
  flattenedMarkers: readonly string[];
  rename?: Readonly<Record<string, string>>;
  /** Further normalisation, after the flattened form has been lifted. */
  then?: Normalizer;
  namePaths?: readonly string[];
  armIdPattern?: RegExp;
  semantics?: readonly FieldMeaning[];
  perSubscription?: boolean;
}

/** An ARM (or Defender for Cloud, which is ARM) resource kind, recognised by its `type`. */
export function armKind(spec: ArmKindSpec): ExportKind {
  const lift = liftArmProperties(spec.flattenedMarkers, spec.rename);
  return {
    id: spec.id,
    title: spec.title,
    source: spec.source,
    howToExport: spec.howToExport,
    schemaFile: schemaFileOf(spec.id),
    identify: identifyBy(['id'], spec.namePaths ?? ['properties.displayName', 'name']),
    detect: spec.armIdPattern === undefined ? { armTypes: spec.armTypes } : { armTypes: spec.armTypes, armIdPattern: spec.armIdPattern },
    normalize: spec.then === undefined ? lift : compose(lift, spec.then),
    liftedPath: (azField) => liftedPath(azField, spec.rename),
    ...(spec.perSubscription ? { perSubscription: true } : {}),
    ...(spec.semantics ? { semantics: spec.semantics } : {}),
  };
}

export interface ApiKindSpec {
  id: string;
  title: string;
  howToExport: string;
  odataContext?: RegExp;
  signatures?: readonly Signature[];
  idPaths?: readonly string[];
  namePaths: readonly string[];
  normalize?: Normalizer;
  semantics?: readonly FieldMeaning[];
}

/** An MDE or Graph kind, recognised by its OData context or its record fields. */
export function apiKind(source: 'mde' | 'graph', spec: ApiKindSpec): ExportKind {
  return {
    id: spec.id,
    title: spec.title,
    source,
    howToExport: spec.howToExport,
    schemaFile: schemaFileOf(spec.id),
    identify: identifyBy(spec.idPaths ?? ['id'], spec.namePaths),
    detect: { odataContext: spec.odataContext, signatures: spec.signatures },
    normalize: spec.normalize,
    ...(spec.semantics ? { semantics: spec.semantics } : {}),
  };
}

/*
 * Commands are shown in single quotes: bash and PowerShell both take them literally, where double
 * quotes would expand `$expand` and `$skiptoken` to nothing in either shell.
 */

/** `az rest` command for an ARM list at subscription scope. */
export function armList(providerPath: string, apiVersion: string): string {
  return `az rest --method get --url 'https://management.azure.com/subscriptions/<subscription-id>/providers/${providerPath}?api-version=${apiVersion}' --output json`;
}

/** `az rest` command for an MDE API list. */
export function mdeList(apiPath: string): string {
  return `az rest --method get --url 'https://api.securitycenter.microsoft.com/api/${apiPath}' --resource https://api.securitycenter.microsoft.com --output json`;
}

/** `az rest` command for a Microsoft Graph list. */
export function graphList(version: 'v1.0' | 'beta', path: string): string {
  return `az rest --method get --url 'https://graph.microsoft.com/${version}/${path}' --output json`;
}
