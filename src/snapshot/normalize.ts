/**
 * Normalisation: rules read ONE canonical shape per kind, the REST shape. These helpers lift the
 * CLI's flattened forms into it and turn the exports' string booleans and codes into values.
 * The loader hands them records fresh from JSON.parse that nothing else references, so they change
 * values in place: copying each record once per converted field doubled the garbage of loading a
 * million-device export. Keys are only ever written where they already exist as own properties,
 * or through setOwn, so an export's `__proto__` key stays data. Unknown fields pass through untouched.
 */
import type { JsonObject } from './types';
import { getOwn, isObject, setOwn } from './json-util';

export type Normalizer = (data: JsonObject) => JsonObject;

export function compose(...steps: Normalizer[]): Normalizer {
  return (data) => steps.reduce((d, step) => step(d), data);
}

/** Top-level keys of an ARM resource envelope; `az` flattening leaves these where they are. */
const ARM_TOP_LEVEL = new Set([
  'id', 'name', 'type', 'kind', 'location', 'tags', 'etag', 'sku', 'plan', 'identity', 'zones',
  'managedBy', 'extendedLocation', 'systemData', 'resourceGroup', 'resources',
]);

/**
 * `az` prints ARM resources with `properties` flattened into the top level (and adds fields such as
 * `principalName`). When a record has no `properties` but carries one of the kind's `markers` at the
 * top level, move every non-envelope field under `properties`, renaming per `rename` (e.g. `az role
 * definition list` prints `properties.type` as `roleType`).
 */
/** Where `liftArmProperties` puts a top-level field of the az form: undefined for envelope fields, which stay. */
export function liftedPath(key: string, rename: Readonly<Record<string, string>> = {}): string | undefined {
  return ARM_TOP_LEVEL.has(key) ? undefined : `properties.${Object.hasOwn(rename, key) ? rename[key] : key}`;
}

export function liftArmProperties(markers: readonly string[], rename: Readonly<Record<string, string>> = {}): Normalizer {
  return (data) => {
    if (Object.hasOwn(data, 'properties') || !markers.some((m) => Object.hasOwn(data, m))) return data;
    const top: JsonObject = {};
    const properties: JsonObject = {};
    for (const key of Object.keys(data)) {
      if (ARM_TOP_LEVEL.has(key)) setOwn(top, key, data[key]);
      else setOwn(properties, Object.hasOwn(rename, key) ? rename[key] : key, data[key]);
    }
    setOwn(top, 'properties', properties);
    return top;
  };
}

/**
 * Turns `"True"`/`"False"` (any case) into booleans at the given paths; other strings (such as
 * deviceavinfo's `"Unknown"`) stay as they are. A path segment ending in `[]` walks every array item:
 * `properties.extensions[].isEnabled`.
 */
export function stringBooleans(paths: readonly string[]): Normalizer {
  const parsed = paths.map((p) => p.split('.'));
  return (data) => {
    for (const segs of parsed) convertAt(data, segs, 0);
    return data;
  };
}

function toBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const lower = v.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : v;
}

/** Replace the string boolean at `segs[from..]` below `value`, in place. */
function convertAt(value: unknown, segs: readonly string[], from: number): void {
  if (!isObject(value)) return;
  const head = segs[from];
  const each = head.endsWith('[]');
  const key = each ? head.slice(0, -2) : head;
  if (!Object.hasOwn(value, key)) return;
  const current = value[key];
  const last = from === segs.length - 1;
  if (each) {
    if (!Array.isArray(current)) return;
    for (let i = 0; i < current.length; i++) {
      if (last) current[i] = toBoolean(current[i]);
      else convertAt(current[i], segs, from + 1);
    }
  } else if (last) {
    if (typeof current === 'string') setOwn(value, key, toBoolean(current));
  } else {
    convertAt(current, segs, from + 1);
  }
}

/** deviceavinfo `avMode` codes, from MDE's device health API documentation. */
const AV_MODE_NAMES: Readonly<Record<string, string>> = {
  '': 'Other',
  '0': 'Active',
  '1': 'Passive',
  '2': 'Disabled',
  '3': 'Other',
  '4': 'EDRBlocked',
  '5': 'PassiveAudit',
};
const AV_MODE_VALUES = new Set(Object.values(AV_MODE_NAMES));

/**
 * deviceavinfo `avMode` is a coded string; rules read the name (`Passive`). The raw code is kept as
 * `avModeCode`. A code the documentation does not list becomes `Unknown`, never a guess.
 */
export const avModeName: Normalizer = (data) => {
  const raw = getOwn(data, 'avMode');
  if (raw === undefined || raw === null || (typeof raw === 'string' && AV_MODE_VALUES.has(raw))) return data;
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  setOwn(data, 'avMode', code !== undefined && Object.hasOwn(AV_MODE_NAMES, code) ? AV_MODE_NAMES[code] : 'Unknown');
  setOwn(data, 'avModeCode', raw);
  return data;
};

/**
 * `az account list` / `az account show` items carry the bare subscription GUID as `id` and the
 * display name as `name`; REST has `id: "/subscriptions/<guid>"`, `subscriptionId` and `displayName`.
 * Their `tenantId` is the tenant the login reached the subscription through (under Azure Lighthouse,
 * the managing tenant) and `homeTenantId` the subscription's own tenant, which is what REST calls
 * `tenantId` (azure-cli PR 11886). So `tenantId` becomes the home tenant, the other is kept as
 * `accessTenantId`, and an az record without `homeTenantId` (az before 2.1, or a login cached before
 * it) has no `tenantId` at all: its home tenant cannot be told, and rules that read it fail. A
 * record in REST's names that carries `homeTenantId` is az output reshaped, and is read the same way.
 */
export const subscriptionFromAz: Normalizer = (data) => {
  const id = getOwn(data, 'id');
  // A bare GUID id is az's; REST never prints homeTenantId, so a record that has it came from az too
  // (perhaps reshaped with --query or jq into REST's names): either way its tenantId is the login's tenant.
  const azShape = typeof id === 'string' && !id.includes('/');
  if (!azShape && !Object.hasOwn(data, 'homeTenantId')) return data;
  if (azShape) {
    setOwn(data, 'id', `/subscriptions/${id}`);
    if (!Object.hasOwn(data, 'subscriptionId')) setOwn(data, 'subscriptionId', id);
    if (!Object.hasOwn(data, 'displayName') && typeof getOwn(data, 'name') === 'string') setOwn(data, 'displayName', data.name);
  }
  const access = getOwn(data, 'tenantId');
  const home = getOwn(data, 'homeTenantId');
  if (access !== undefined) setOwn(data, 'accessTenantId', access);
  if (typeof home === 'string' && home !== '') setOwn(data, 'tenantId', home);
  else delete data.tenantId;
  return data;
};
