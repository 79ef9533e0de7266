import type { JsonObject } from './types';

/** Exports are untrusted: read own properties only, so `__proto__` or `constructor` keys mean nothing. */
export function getOwn(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sets an own property; plain assignment of a `__proto__` key would change the prototype instead.
 * Every other key is assigned (several times faster than defining it): the prototype of parsed
 * and loader-made objects has no other setter.
 */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Split dotted paths; the paths are constants of the code, read for every record of a snapshot. */
const SPLIT_PATHS = new Map<string, readonly string[]>();

/** Own property at a dotted path (`properties.vmId`), or undefined. */
export function getPath(obj: JsonObject, path: string): unknown {
  let keys = SPLIT_PATHS.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    SPLIT_PATHS.set(path, keys);
  }
  let cur: unknown = obj;
  for (const key of keys) {
    if (!isObject(cur)) return undefined;
    cur = getOwn(cur, key);
  }
  return cur;
}

/** The value as a non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A key as a JSON pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Characters toLowerCase may change: A-Z and anything beyond ASCII. */
const MAY_CHANGE_CASE = /[A-Z\u0080-\uffff]/;

/**
 * `s.toLowerCase()`, without a copy when nothing would change: most keys (MDE ids, GUIDs) are
 * lower-case already, and case-folding them for a million records would copy each.
 */
export function lowerCase(s: string): string {
  return MAY_CHANGE_CASE.test(s) ? s.toLowerCase() : s;
}
