/**
 * The live Defender for Endpoint device of each server, worked out once per snapshot so that every
 * rule and the coverage chart read the same answer. The machines API lists more than live devices:
 * the record a re-onboarded server left behind (`mergedIntoMachineId` names the record that replaced
 * it), devices an admin excluded (`isExcluded`, `exclusionReason`), and devices that device discovery
 * found but that were never onboarded (`onboardingStatus` CanBeOnboarded, Unsupported,
 * InsufficientInfo). Each `mde.machines` record gets:
 *
 * - `deviceState`: `Merged`, `Excluded`, `Discovered` or `Live`, in that order of precedence;
 * - `sensorOnboarded`: whether onboardingStatus says the sensor was onboarded (see isOnboarded), which
 *   an Excluded state hides: an excluded device that device discovery found runs no sensor;
 * - `liveDeviceId`: the id of the record that now stands for the device — its own, or the end of its
 *   merge chain; absent when the chain leads to a record the export does not hold, or loops;
 * - `serverId` / `serverMatchedBy`: the ARM id of the server (VM, scale-set instance, Arc-enabled
 *   server) it belongs to, and how that was told: `vmId` (vmMetadata.vmId = properties.vmId),
 *   `resourceId` (vmMetadata.resourceId = id, unless the device names another vmId: the earlier VM of
 *   a name that was deleted and created again), `hostName` (no device names the server by either id,
 *   the device has no vmMetadata at all, the first label of its computerDnsName is the computer name
 *   of this server only, its platform is not of another OS, its full name is not in another domain
 *   than the FQDN an Arc-enabled server reports, and no other live device of that name qualifies), or
 *   `deviceOnly` (vmMetadata.resourceId as the device reports it, for a server no ARM export holds, or
 *   holds under another vmId: it places the device in Azure scopes, but makes it no server's device).
 *   A device the host name would have linked but for a namesake (another server or another live
 *   device of that name) gets `serverMatchedBy` `hostNameAmbiguous` and no serverId: it may be a
 *   server's device whose Azure scope nobody can tell, which rules must not take for a device of no
 *   Azure resource.
 *   vmIds are matched for every server before resource ids. A merged record's server carries over to
 *   its live record.
 */
import { exportKind, type ExportKind } from './kinds';
import { findRepeats } from './repeats';
import type { Collection, JsonObject } from './types';
import { getPath, setOwn } from './json-util';

/** Collections whose records are servers Defender for Servers covers. */
export const SERVER_COLLECTIONS = ['arm.virtualMachines', 'arm.scaleSetVms', 'arm.arcMachines'] as const;

/**
 * Every field linkDevices reads (identities aside, which the loader keeps anyway), by collection:
 * the loader's projection keeps them whatever the rules read. Keep it in step with the code below.
 */
export const LINK_READS: Readonly<Record<string, readonly string[]>> = {
  'mde.machines': [
    'id', 'mergedIntoMachineId', 'isExcluded', 'onboardingStatus', 'vmMetadata.vmId', 'vmMetadata.resourceId', 'computerDnsName', 'platformFamily',
    'serverId', 'serverMatchedBy', 'liveDeviceId', 'deviceState', 'sensorOnboarded',
  ],
  ...Object.fromEntries(
    SERVER_COLLECTIONS.map((c) => [
      c,
      ['id', 'properties.vmId', 'properties.osProfile.computerName', 'name', 'properties.storageProfile.osDisk.osType', 'properties.osType', 'properties.osName', 'properties.dnsFqdn', 'properties.machineFqdn'],
    ]),
  ),
};

export type DeviceState = 'Live' | 'Merged' | 'Excluded' | 'Discovered';
export type ServerMatch = 'vmId' | 'resourceId' | 'hostName' | 'deviceOnly' | 'hostNameAmbiguous';

/** Merge chains longer than this are treated as loops (a real one is a handful of re-onboardings). */
const MAX_MERGE_HOPS = 64;

const key = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined);

/** A GUID compared without case or the braces some tools write around it. */
const guidKey = (v: unknown): string | undefined => key(v)?.replace(/^\{(.*)\}$/, '$1');

/** A host's first DNS label, lower-cased: `App01.corp.contoso.com` and `app01` are both `app01`. */
export function hostLabel(v: unknown): string | undefined {
  const name = key(v);
  const dot = name === undefined ? -1 : name.indexOf('.');
  return (dot < 0 ? name : name?.slice(0, dot)) || undefined;
}

/**
 * Whether the device's sensor was onboarded: onboardingStatus Onboarded in any letter case, or no
 * onboardingStatus key at all (the published machines list carries none). A key that is there with
 * null, blank or any other value says nothing of a sensor, so it is not onboarded.
 */
export function isOnboarded(device: JsonObject): boolean {
  return !Object.hasOwn(device, 'onboardingStatus') || key(getPath(device, 'onboardingStatus')) === 'onboarded';
}

export function deviceStateOf(device: JsonObject): DeviceState {
  if (key(getPath(device, 'mergedIntoMachineId')) !== undefined) return 'Merged';
  if (getPath(device, 'isExcluded') === true) return 'Excluded';
  return isOnboarded(device) ? 'Live' : 'Discovered';
}

/** The collection of Defender for Endpoint devices that servers are linked to. */
export const DEVICES = 'mde.machines';

/**
 * Annotates the snapshot's `mde.machines` records (see the module comment). `keyedById` is the
 * loader's index of those records by resource key (src/snapshot/repeats.ts), when it has one.
 */
export function linkDevices(collections: ReadonlyMap<string, Collection>, keyedById?: ReadonlyMap<string, number>): void {
  const collection = collections.get(DEVICES);
  const machines = collection?.records.map((r) => r.data) ?? [];
  if (machines.length === 0) return;
  const { byId, firstOfId } = indexDevices(machines, collection?.repeats, keyedById);
  for (const m of machines) {
    setOwn(m, 'deviceState', deviceStateOf(m));
    // An excluded device keeps whether it was ever onboarded: one that never was runs no sensor.
    setOwn(m, 'sensorOnboarded', isOnboarded(m));
    const live = liveRecord(m, byId);
    if (live !== undefined) setOwn(m, 'liveDeviceId', getPath(live, 'id'));
  }
  linkServers(collections, machines, byId, firstOfId);
}

/** The device record of an id (trimmed, lower-cased): the first that has it. */
type DeviceLookup = (id: string) => JsonObject | undefined;

/**
 * Devices by id, and for each record the first record of its id (what a record that was not merged
 * takes for its live record). The loader has keyed the devices already, by the id case-folded: when
 * every id is a string with no blanks around it, those keys are these, and its index and repeat
 * groups serve without keying every device again.
 */
function indexDevices(
  machines: readonly JsonObject[],
  repeats: readonly number[][] | undefined,
  keyed: ReadonlyMap<string, number> | undefined,
): { byId: DeviceLookup; firstOfId: (JsonObject | undefined)[] } {
  const firstOfId: (JsonObject | undefined)[] = new Array(machines.length);
  const sameKeys = machines.every((m) => {
    const id = getPath(m, 'id');
    return typeof id === 'string' && id !== '' && id.trim() === id;
  });
  if (keyed !== undefined && repeats !== undefined && sameKeys) {
    for (let i = 0; i < machines.length; i++) firstOfId[i] = machines[i];
    for (const group of repeats) for (const i of group) firstOfId[i] = machines[group[0]];
    const byIndex = (i: number | undefined): JsonObject | undefined => (i === undefined ? undefined : machines[i]);
    return { byId: (id) => byIndex(keyed.get(id)), firstOfId };
  }
  const byId = new Map<string, JsonObject>();
  machines.forEach((m, i) => {
    const id = key(getPath(m, 'id'));
    if (id === undefined) return;
    const first = byId.get(id);
    if (first === undefined) byId.set(id, m);
    firstOfId[i] = first ?? m;
  });
  return { byId: (id) => byId.get(id), firstOfId };
}

function liveRecord(device: JsonObject, byId: DeviceLookup): JsonObject | undefined {
  let current = device;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    const next = key(getPath(current, 'mergedIntoMachineId'));
    if (next === undefined) return current;
    const target = byId(next);
    if (target === undefined || target === device) return undefined;
    current = target;
  }
  return undefined;
}

function linkServers(
  collections: ReadonlyMap<string, Collection>,
  machines: readonly JsonObject[],
  byId: DeviceLookup,
  firstOfId: readonly (JsonObject | undefined)[],
): void {
  /** Each device's vmId and resource id as keys, worked out once. */
  const vmIds: (string | undefined)[] = new Array(machines.length);
  const resourceIds: (string | undefined)[] = new Array(machines.length);
  const byVmId = new Buckets(machines.length);
  const byResourceId = new Buckets(machines.length);
  const byHost = new Map<string, JsonObject[]>();
  machines.forEach((m, i) => {
    const vmId = (vmIds[i] = guidKey(getPath(m, 'vmMetadata.vmId')));
    const resourceId = (resourceIds[i] = key(getPath(m, 'vmMetadata.resourceId')));
    if (vmId !== undefined) byVmId.add(vmId, i);
    if (resourceId !== undefined) byResourceId.add(resourceId, i);
    const host = vmId === undefined && resourceId === undefined ? hostLabel(getPath(m, 'computerDnsName')) : undefined;
    if (host !== undefined) push(byHost, host, m);
  });

  const servers = uniqueServers(collections);
  const hosts = servers.map(serverHost);

  const link = (device: JsonObject, serverId: unknown, how: ServerMatch): void => {
    if (getPath(device, 'serverId') !== undefined) return;
    setOwn(device, 'serverId', serverId);
    setOwn(device, 'serverMatchedBy', how);
  };
  /** Servers a device names by vmId or resource id (by index): a host name is not asked about them. */
  const named = new Uint8Array(servers.length);
  // vmId first, for every server: a device whose vmId is one server's is not another's by resource id
  // (a VM moved to another resource group keeps its vmId; its device may still name the old id).
  const serverVmIds = servers.map((s) => guidKey(getPath(s, 'properties.vmId')));
  servers.forEach((s, j) => {
    for (let i = byVmId.first(serverVmIds[j] ?? ''); i >= 0; i = byVmId.next[i]) {
      link(machines[i], getPath(s, 'id'), 'vmId');
      named[j] = 1;
    }
  });
  servers.forEach((s, j) => {
    const id = getPath(s, 'id');
    const vmId = serverVmIds[j];
    for (let i = byResourceId.first(key(id) ?? ''); i >= 0; i = byResourceId.next[i]) {
      // The same resource id with another vmId is the earlier VM of that name, deleted and created again.
      const deviceVmId = vmIds[i];
      if (vmId !== undefined && deviceVmId !== undefined && deviceVmId !== vmId) continue;
      link(machines[i], id, 'resourceId');
      named[j] = 1;
    }
  });
  // A host name tells a server only when no other server has it; counted for the names asked about.
  const serversPerHost = new Map<string, number>();
  hosts.forEach((host, j) => {
    if (host !== undefined && named[j] === 0) serversPerHost.set(host, 0);
  });
  if (serversPerHost.size > 0) for (const host of hosts) if (host !== undefined && serversPerHost.has(host)) serversPerHost.set(host, (serversPerHost.get(host) as number) + 1);
  servers.forEach((s, j) => {
    const host = hosts[j];
    if (named[j] === 1 || host === undefined) return;
    const os = serverOs(s);
    const fqdn = serverFqdn(s);
    const candidates = (byHost.get(host) ?? []).filter(
      (d) => (os === undefined || deviceOs(d) === undefined || deviceOs(d) === os) && !otherDomain(fqdn, key(getPath(d, 'computerDnsName'))),
    );
    // Records of one device (a merge chain) are one candidate; two live devices of one name tell nothing.
    const devices = new Set(candidates.map((d) => key(getPath(d, 'liveDeviceId'))).filter((id) => id !== undefined));
    if (serversPerHost.get(host) === 1 && devices.size <= 1) {
      for (const d of candidates) link(d, getPath(s, 'id'), 'hostName');
    } else {
      // Refused, yet the device may be this server's: not one of no Azure resource (see the module comment).
      for (const d of candidates) if (getPath(d, 'serverId') === undefined) setOwn(d, 'serverMatchedBy', 'hostNameAmbiguous');
    }
  });
  machines.forEach((m, i) => {
    if (resourceIds[i] !== undefined) link(m, getPath(m, 'vmMetadata.resourceId'), 'deviceOnly');
  });
  // A merged record's server is its live record's server, when the live record names none itself.
  // A record that was not merged names its own id live, whose first record is known without a lookup.
  machines.forEach((m, i) => {
    const serverId = getPath(m, 'serverId');
    if (serverId === undefined) return;
    let live = firstOfId[i];
    if (getPath(m, 'deviceState') === 'Merged') {
      const liveId = key(getPath(m, 'liveDeviceId'));
      live = liveId === undefined ? undefined : byId(liveId);
    }
    if (live !== undefined && live !== m) link(live, serverId, getPath(m, 'serverMatchedBy') as ServerMatch);
  });
}

/**
 * Each server once, in the order of the exports: the first record of a resource the loader found
 * repeated (collection.repeats). Ids are compared across collections only when more than one holds
 * records, so a million VMs are not keyed again. The linking above and the coverage chart count
 * the same servers.
 */
export function uniqueServers(collections: ReadonlyMap<string, Collection>): JsonObject[] {
  const held = SERVER_COLLECTIONS.map((name) => collections.get(name)).filter((c): c is Collection => c !== undefined && c.records.length > 0);
  const seen = held.length > 1 ? new Set<string>() : undefined;
  const servers: JsonObject[] = [];
  for (const collection of held) {
    const idOf = (exportKind(collection.name) as ExportKind).identify.idOf;
    const later = new Set<number>();
    for (const group of collection.repeats ?? findRepeats(collection.name, collection.records)) for (let k = 1; k < group.length; k++) later.add(group[k]);
    collection.records.forEach((r, i) => {
      const id = idOf(r.data);
      if (id === '' || later.has(i)) return;
      if (seen !== undefined) {
        const lower = id.toLowerCase();
        if (seen.has(lower)) return;
        seen.add(lower);
      }
      servers.push(r.data);
    });
  }
  return servers;
}

/** Device indices under each key, in the order added, with no list per key (nearly every key has one device). */
class Buckets {
  private readonly heads = new Map<string, number>();
  /** The next index under the same key, or -1. */
  readonly next: Int32Array;
  /** The last index under each key, by the key's first index. */
  private readonly last: Int32Array;

  constructor(size: number) {
    this.next = new Int32Array(size).fill(-1);
    this.last = new Int32Array(size);
  }

  add(k: string, i: number): void {
    const head = this.heads.get(k);
    if (head === undefined) {
      this.heads.set(k, i);
      this.last[i] = i;
    } else {
      this.next[this.last[head]] = i;
      this.last[head] = i;
    }
  }

  /** The first index under the key, or -1. */
  first(k: string): number {
    return this.heads.get(k) ?? -1;
  }
}

/** The server's computer name (its ARM name when the export carries no osProfile). */
function serverHost(server: JsonObject): string | undefined {
  return hostLabel(getPath(server, 'properties.osProfile.computerName')) ?? hostLabel(getPath(server, 'name'));
}

/** The fully qualified name an Arc-enabled server reports (dnsFqdn, else machineFqdn); Azure VMs have none in ARM. */
function serverFqdn(server: JsonObject): string | undefined {
  return [getPath(server, 'properties.dnsFqdn'), getPath(server, 'properties.machineFqdn')].map(key).find((n) => n?.includes('.'));
}

/** Two fully qualified names of one first label in different domains are two hosts; a bare name tells no domain. */
function otherDomain(serverFqdn: string | undefined, deviceName: string | undefined): boolean {
  return serverFqdn !== undefined && deviceName !== undefined && deviceName.includes('.') && deviceName.replace(/\.$/, '') !== serverFqdn.replace(/\.$/, '');
}

/** The server's OS, windows or linux: osDisk.osType of VMs and scale-set instances, osType or osName of Arc servers. */
function serverOs(server: JsonObject): string | undefined {
  return key(getPath(server, 'properties.storageProfile.osDisk.osType')) ?? key(getPath(server, 'properties.osType')) ?? key(getPath(server, 'properties.osName'));
}

/** The device's OS in the same words, from the platform family the normaliser found (none when it found none). */
function deviceOs(device: JsonObject): string | undefined {
  const family = getPath(device, 'platformFamily');
  if (family === undefined) return undefined;
  return family === 'Windows' || family === 'WindowsServer' ? 'windows' : family === 'Linux' ? 'linux' : String(family).toLowerCase();
}

function push(map: Map<string, JsonObject[]>, k: string, v: JsonObject): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [v]);
  else list.push(v);
}
