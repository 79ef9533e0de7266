/**
 * Defender coverage per subscription, for reports that show a picture rather than a log: how many
 * servers there are (VMs, scale-set instances, Arc-enabled servers), how many have an onboarded
 * Defender for Endpoint device, and of those how many show real-time protection on and sit in a
 * device group. It reads the same evidence the built-in rules do: the server's devices as the loader
 * links them (serverId and deviceState, src/snapshot/servers.ts: merged records count through the
 * record that replaced them, excluded devices count as onboarded when their sensor was, discovered ones
 * do not), avMode
 * Active or an mdatp capture with real-time protection on, the default group's spellings as in
 * device-in-device-group, with their defaults.
 */
import { cmp } from '../diagnostics';
import type { CoverageRow } from '../report/model';
import type { JsonObject, Snapshot } from '../snapshot/types';
import type { FieldRead } from '../snapshot/projection';
import { getPath, lowerCase } from '../snapshot/json-util';
import { SERVER_COLLECTIONS, uniqueServers } from '../snapshot/servers';
import { armSubscriptionId } from './subscriptions';

/** Every field coverage reads, by collection: the loader keeps them whatever the rules read. */
const FIELDS = {
  'mde.machines': { server: 'serverId', matchedBy: 'serverMatchedBy', state: 'deviceState', onboarded: 'sensorOnboarded', id: 'id', groupName: 'rbacGroupName', groupId: 'rbacGroupId' },
  'mde.avHealth': { machineId: 'machineId', avMode: 'avMode' },
  'mde.health': { machineId: 'edrMachineId', realTimeProtection: 'realTimeProtectionEnabled.value' },
  'arm.subscriptions': { id: 'subscriptionId', name: 'displayName' },
} as const;
/** Read of every server collection. */
const SERVER_ID = 'id';

export const COVERAGE_READS: readonly FieldRead[] = [
  ...Object.entries(FIELDS).flatMap(([collection, fields]) => Object.values(fields).map((f: string) => ({ collection, path: f.split('.'), whole: true }))),
  ...SERVER_COLLECTIONS.map((collection) => ({ collection, path: [SERVER_ID], whole: true })),
];

/** Device states that count as an onboarded device of a server when its sensor was onboarded, as in vm-onboarded-to-mde. */
const ONBOARDED_STATES: unknown[] = ['Live', 'Excluded'];

const UNGROUPED_IDS: unknown[] = [null, undefined, 0, '0'];
const UNGROUPED_NAMES: unknown[] = [null, undefined, '', 'unassignedgroup', 'ungrouped devices (default)'];

const lower = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? lowerCase(v) : undefined);

function records(snapshot: Snapshot, collection: string): JsonObject[] {
  return snapshot.collections.get(collection)?.records.map((r) => r.data) ?? [];
}

/**
 * Records by the lower-cased value of a field, every record of a key kept: evidence counts only
 * when every record of it agrees, as the rules judge a join that matches several records.
 */
function index(rows: JsonObject[], path: string): Map<string, JsonObject[]> {
  const out = new Map<string, JsonObject[]>();
  for (const r of rows) {
    const k = lower(getPath(r, path));
    if (k === undefined) continue;
    const known = out.get(k);
    if (known) known.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Whether there are records and every one shows `on`. */
const allShow = (rows: JsonObject[] | undefined, on: (r: JsonObject) => boolean): boolean => rows !== undefined && rows.every(on);

function inDeviceGroup(device: JsonObject): boolean {
  const name = getPath(device, FIELDS['mde.machines'].groupName);
  return !UNGROUPED_IDS.includes(getPath(device, FIELDS['mde.machines'].groupId)) && !UNGROUPED_NAMES.includes(typeof name === 'string' ? name.toLowerCase() : name);
}

/**
 * Each server's onboarded device (a live one before an excluded one), by the server's position.
 * The loader links a device with its server's own id (servers.ts), so ids are compared as they
 * are; only when some device names a server in other letters, or one not among these, are they
 * compared case-folded, as rules compare ARM ids.
 */
function devicesOf(machines: readonly JsonObject[], servers: readonly JsonObject[]): (JsonObject | undefined)[] {
  return devicesKeyedBy(machines, servers, (id) => id, true) ?? (devicesKeyedBy(machines, servers, lowerCase, false) as (JsonObject | undefined)[]);
}

/** devicesOf with ids keyed by `keyOf`; undefined when `exact` and a device's server id is not one of the servers' ids. */
function devicesKeyedBy(machines: readonly JsonObject[], servers: readonly JsonObject[], keyOf: (id: string) => string, exact: boolean): (JsonObject | undefined)[] | undefined {
  const fields = FIELDS['mde.machines'];
  const byServer = new Map<string, JsonObject>();
  for (const d of machines) {
    const onboarded = ONBOARDED_STATES.includes(getPath(d, fields.state)) && getPath(d, fields.onboarded) === true;
    // deviceOnly is where the device says it runs, not a server's device (see servers.ts).
    const server = onboarded && getPath(d, fields.matchedBy) !== 'deviceOnly' ? getPath(d, fields.server) : undefined;
    if (typeof server !== 'string' || server === '') continue;
    const k = keyOf(server);
    // A live device is preferred over an excluded one of the same server.
    const known = byServer.get(k);
    if (known === undefined || getPath(known, fields.state) !== 'Live') byServer.set(k, d);
  }
  let found = 0;
  const out = servers.map((s) => {
    const id = getPath(s, SERVER_ID);
    const device = typeof id === 'string' ? byServer.get(keyOf(id)) : undefined;
    if (device !== undefined) found++;
    return device;
  });
  // The servers' ids differ case-folded (uniqueServers), so when each key is one of them, keys in other letters name no other server.
  return exact && found < byServer.size ? undefined : out;
}

export function coverage(snapshot: Snapshot): CoverageRow[] {
  const machines = FIELDS['mde.machines'];
  // Each server once, as the loader linked them: its repeated records are already grouped.
  const servers = uniqueServers(snapshot.collections);
  const devices = devicesOf(records(snapshot, 'mde.machines'), servers);
  const avHealth = index(records(snapshot, 'mde.avHealth'), FIELDS['mde.avHealth'].machineId);
  const captures = index(records(snapshot, 'mde.health'), FIELDS['mde.health'].machineId);
  const rows = new Map<string, CoverageRow>();
  for (const s of records(snapshot, 'arm.subscriptions')) {
    const id = lower(getPath(s, FIELDS['arm.subscriptions'].id));
    if (id && !rows.has(id)) {
      const name = getPath(s, FIELDS['arm.subscriptions'].name);
      rows.set(id, { subscriptionId: id, ...(typeof name === 'string' ? { name } : {}), vms: 0, onboarded: 0, realTimeProtection: 0, inDeviceGroup: 0 });
    }
  }
  servers.forEach((vm, j) => {
    const id = getPath(vm, SERVER_ID);
    const sub = armSubscriptionId(id);
    if (sub === undefined) return;
    let row = rows.get(sub);
    if (!row) {
      row = { subscriptionId: sub, vms: 0, onboarded: 0, realTimeProtection: 0, inDeviceGroup: 0 };
      rows.set(sub, row);
    }
    row.vms++;
    const device = devices[j];
    if (!device) return;
    row.onboarded++;
    const machineId = lower(getPath(device, machines.id)) ?? '';
    const active = allShow(avHealth.get(machineId), (av) => lower(getPath(av, FIELDS['mde.avHealth'].avMode)) === 'active');
    const realTime = allShow(captures.get(machineId), (capture) => getPath(capture, FIELDS['mde.health'].realTimeProtection) === true);
    if (active || realTime) row.realTimeProtection++;
    if (inDeviceGroup(device)) row.inDeviceGroup++;
  });
  return [...rows.values()].sort((a, b) => cmp(a.name ?? a.subscriptionId, b.name ?? b.subscriptionId) || cmp(a.subscriptionId, b.subscriptionId));
}
