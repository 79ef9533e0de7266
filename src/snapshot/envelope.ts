import { getOwn, isObject } from './json-util';
import type { JsonObject } from './types';

/** One record as found in a file, before kind detection. */
export interface RawRecord {
  /** The raw value; usually an object, anything else is reported by the loader. */
  value: unknown;
  /** JSON pointer of the record in its file. */
  readonly pointer: string;
}

/**
 * An element of the list an envelope holds: the list's pointer and the element's index, its
 * pointer made only when asked. Loaded records keep the two (src/snapshot/types.ts) rather than a
 * pointer string each: a million records would hold a million of them.
 */
export class ListedRecord implements RawRecord {
  constructor(
    public value: unknown,
    readonly list: string,
    readonly index: number,
  ) {}

  get pointer(): string {
    return `${this.list}/${this.index}`;
  }
}

export type EnvelopeShape = 'list' | 'resource-graph' | 'array' | 'object';

/** The records a file holds, with what its envelope says about them. */
export interface Unwrapped {
  shape: EnvelopeShape;
  records: RawRecord[];
  /** `@odata.context` of the envelope or of the single object. */
  odataContext?: string;
  /** Next-page link (URL) or Resource Graph skip token, only when it really is one. */
  nextLink?: string;
  /** Resource Graph said the result was cut short (`resultTruncated`). */
  truncated?: boolean;
  /** Records of the whole result, every page together: Resource Graph `totalRecords`, OData `@odata.count`. */
  total?: { field: string; value: number };
  /** Records of this page, as Resource Graph counts them (`count`). */
  count?: number;
}

/** Keys that show a root object is an Azure Resource Graph result (REST and `az graph query` forms). */
const RESOURCE_GRAPH_KEYS = ['totalRecords', 'total_records', 'resultTruncated', 'skip_token', '$skipToken', 'facets'];

/**
 * Unwraps the envelopes users feed in: `{value, nextLink}`, `{"@odata.context", value,
 * "@odata.nextLink"}`, Resource Graph `{data, totalRecords, ...}` / `{count, data, skip_token,
 * total_records}`, bare arrays (`az` output) and single objects (REST GET, `az ... show`).
 */
export function unwrap(root: unknown): Unwrapped {
  if (Array.isArray(root)) return { shape: 'array', records: listRecords(root, '') };
  if (!isObject(root)) return { shape: 'object', records: [{ value: root, pointer: '' }] };

  const odataContext = stringValue(getOwn(root, '@odata.context'));
  const data = getOwn(root, 'data');
  if (Array.isArray(data) && RESOURCE_GRAPH_KEYS.some((k) => Object.hasOwn(root, k))) {
    const truncated = getOwn(root, 'resultTruncated');
    const count = countValue(getOwn(root, 'count'));
    return {
      shape: 'resource-graph',
      records: listRecords(data, '/data'),
      nextLink: skipToken(getOwn(root, '$skipToken')) ?? skipToken(getOwn(root, 'skip_token')),
      truncated: truncated === true || (typeof truncated === 'string' && truncated.toLowerCase() === 'true'),
      ...totalOf(root, ['totalRecords', 'total_records']),
      ...(count === undefined ? {} : { count }),
    };
  }
  const value = getOwn(root, 'value');
  // A list envelope, unless the object is itself a record that happens to have a `value` array.
  if (Array.isArray(value) && !Object.hasOwn(root, 'id')) {
    return {
      shape: 'list',
      records: listRecords(value, '/value'),
      odataContext,
      nextLink: urlLink(getOwn(root, '@odata.nextLink')) ?? urlLink(getOwn(root, 'nextLink')),
      ...totalOf(root, ['@odata.count']),
    };
  }
  return { shape: 'object', records: [{ value: root, pointer: '' }], odataContext };
}

function listRecords(items: unknown[], base: string): RawRecord[] {
  return items.map((value, i) => new ListedRecord(value, base, i));
}

function stringValue(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A next link only counts when it is an http(s) URL: the REST spec example's `"..."` is not one. */
function urlLink(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^https?:\/\/\S+$/i.test(v)) return undefined;
  try {
    new URL(v);
    return v;
  } catch {
    return undefined;
  }
}

function skipToken(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A record count as APIs write it: a non-negative integer (OData may send it as a string). */
function countValue(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function totalOf(root: JsonObject, fields: readonly string[]): { total?: { field: string; value: number } } {
  for (const field of fields) {
    const value = countValue(getOwn(root, field));
    if (value !== undefined) return { total: { field, value } };
  }
  return {};
}
