import type { Diagnostic } from '../diagnostics';
import type { ScopeRequirement } from './manifest';
import { ListedRecord, type RawRecord } from './envelope';

/** Where a record came from: the file (relative to the snapshot root, `/` separators) and its JSON pointer. */
export interface Origin {
  file: string;
  pointer: string;
}

/** A JSON object as parsed; values are untrusted (any shape, any keys). */
export type JsonObject = { [key: string]: unknown };

/** One record of an export, normalised, with where it came from. */
export interface SnapshotRecord {
  /** Collection name, e.g. `mde.machines`. */
  collection: string;
  /** What the loader keeps of the record: the fields rules and checks read (see projection.ts). */
  data: JsonObject;
  origin: Origin;
  /**
   * The whole record, when `data` is cut and the resource has other records: records of one
   * resource are compared whole (src/engine/resources.ts).
   */
  whole?: JsonObject;
}

/**
 * A record as the loader keeps it. Where it is stays as the file, the pointer of the list it is an
 * element of and its index there; the Origin (and its pointer string) is made when asked, for a
 * finding or a diagnostic. Two objects fewer per record: at a million devices that is millions of
 * objects the garbage collector no longer marks on every cycle. `origin` is an own accessor, shared
 * by every record's layout, so library code that copies a record (`{...record}`, Object.assign,
 * structuredClone), sets `origin` (a record moved into another snapshot's folder) or writes it out
 * (toJSON) sees what it saw on a plain record.
 */
export class LoadedRecord implements SnapshotRecord {
  declare origin: Origin;
  whole?: JsonObject;
  /** The list's pointer, or the record's own pointer when `index` is -1. */
  private at: string;
  private index: number;

  private static readonly ORIGIN: PropertyDescriptor = {
    enumerable: true,
    get(this: LoadedRecord): Origin {
      return { file: this.file, pointer: this.index < 0 ? this.at : `${this.at}/${this.index}` };
    },
    set(this: LoadedRecord, origin: Origin): void {
      this.file = origin.file;
      this.at = origin.pointer;
      this.index = -1;
    },
  };

  constructor(
    readonly collection: string,
    public data: JsonObject,
    private file: string,
    raw: RawRecord,
  ) {
    if (raw instanceof ListedRecord) {
      this.at = raw.list;
      this.index = raw.index;
    } else {
      this.at = raw.pointer;
      this.index = -1;
    }
    Object.defineProperty(this, 'origin', LoadedRecord.ORIGIN);
  }

  /** Serialised as a plain record is, origin included (library users may write records out). */
  toJSON(): SnapshotRecord {
    return { collection: this.collection, data: this.data, origin: this.origin, ...(this.whole === undefined ? {} : { whole: this.whole }) };
  }
}

export interface Collection {
  name: string;
  records: SnapshotRecord[];
  /** Files that contributed to this collection, sorted. */
  files: string[];
  /**
   * Indices of the records of each resource exported more than once (src/snapshot/repeats.ts), as
   * the loader found them; undefined when the collection was not built by the loader.
   */
  repeats?: number[][];
}

/** One piece of evidence for a snapshot fact, e.g. an MDE alert's `aadTenantId`. */
export interface FactEvidence {
  value: string;
  origin: Origin;
  /** Human description of the evidence source, e.g. `MDE alerts (aadTenantId)`. */
  source: string;
}

/**
 * A fact about the snapshot as a whole (e.g. the Defender XDR tenant id). Declared by the
 * manifest, or derived from evidence in the exports; evidence that disagrees leaves no value.
 */
export interface Fact {
  name: string;
  /** Set when declared or when all evidence agrees. */
  value?: string;
  declared: boolean;
  evidence: FactEvidence[];
  /** Distinct values seen when evidence disagrees (sorted). */
  conflicting?: string[];
}

/** What the loader recognised in one file. */
export interface LoadedFile {
  file: string;
  /** Export kind ids recognised in the file (a Resource Graph result can feed several collections). */
  kinds: string[];
  records: number;
  /** Records the file holds, valid or not (set when it could be read): what an exporter counted. */
  present?: number;
  /** Next-page link the file carries, if any. */
  nextLink?: string;
  /** Records of the whole result the file says it is a page of (`totalRecords`, `@odata.count`). */
  total?: { field: string; value: number };
}

/**
 * Why a collection may hold fewer records than the export did: a file that did not load whole
 * (unparsable, truncated, records dropped) or a promise the snapshot breaks (a page missing).
 */
export interface InputGap {
  /** The export file, or the manifest, the problem is in. */
  file: string;
  /** Code of the error diagnostic that reports it, e.g. `json-syntax`, `incomplete-paging`. */
  code: string;
}

export interface Snapshot {
  /** Absolute path of the snapshot folder. */
  root: string;
  /** When the snapshot was taken, from the manifest (ISO 8601). */
  takenAt?: string;
  /** Rules the manifest requires to check at least so many records (its `minChecked`). */
  minChecked?: ScopeRequirement[];
  collections: Map<string, Collection>;
  facts: Map<string, Fact>;
  files: LoadedFile[];
  diagnostics: Diagnostic[];
  /** Collections that may lack records, and why (sorted by file, then code). */
  incomplete: Map<string, InputGap[]>;
  /** Files that did not load and whose kind cannot be told: any collection may lack their records. */
  unattributed: InputGap[];
}
