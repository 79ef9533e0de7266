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
import { exportKind } from './kinds';
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
  return key(v)?.split('.')[0] || undefined;
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

/** Annotates the snapshot's `mde.machines` records (see the module comment). */
export function linkDevices(collections: ReadonlyMap<string, Collection>): void {
  const machines = collections.get('mde.machines')?.records.map((r) => r.data) ?? [];
  if (machines.length === 0) return;
  const byId = new Map<string, JsonObject>();
  for (const m of machines) {
    const id = key(getPath(m, 'id'));
    if (id !== undefined && !byId.has(id)) byId.set(id, m);
  }
  for (const m of machines) {
    setOwn(m, 'deviceState', deviceStateOf(m));
    // An excluded device keeps whether it was ever onboarded: one that never was runs no sensor.
    setOwn(m, 'sensorOnboarded', isOnboarded(m));
    const live = liveRecord(m, byId);
    if (live !== undefined) setOwn(m, 'liveDeviceId', getPath(live, 'id'));
  }
  linkServers(collections, machines, byId);
}

function liveRecord(device: JsonObject, byId: ReadonlyMap<string, JsonObject>): JsonObject | undefined {
  let current = device;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    const next = key(getPath(current, 'mergedIntoMachineId'));
    if (next === undefined) return current;
    const target = byId.get(next);
    if (target === undefined || target === device) return undefined;
    current = target;
  }
  return undefined;
}

function linkServers(collections: ReadonlyMap<string, Collection>, machines: readonly JsonObject[], byId: ReadonlyMap<string, JsonObject>): void {
  const byVmId = new Map<string, JsonObject[]>();
  const byResourceId = new Map<string, JsonObject[]>();
  const byHost = new Map<string, JsonObject[]>();
  for (const m of machines) {
    const vmId = guidKey(getPath(m, 'vmMetadata.vmId'));
    const resourceId = key(getPath(m, 'vmMetadata.resourceId'));
    if (vmId !== undefined) push(byVmId, vmId, m);
    if (resourceId !== undefined) push(byResourceId, resourceId, m);
    const host = hostLabel(getPath(m, 'computerDnsName'));
    if (vmId === undefined && resourceId === undefined && host !== undefined) push(byHost, host, m);
  }

  const servers: JsonObject[] = [];
  const seen = new Set<string>();
  for (const name of SERVER_COLLECTIONS) {
    const kind = exportKind(name);
    for (const r of collections.get(name)?.records ?? []) {
      const id = kind?.identify(r.data).id.toLowerCase();
      if (id === undefined || id === '' || seen.has(id)) continue;
      seen.add(id);
      servers.push(r.data);
    }
  }
  // A host name tells a server only when no other server has it.
  const serversPerHost = new Map<string, number>();
  for (const s of servers) {
    const host = serverHost(s);
    if (host !== undefined) serversPerHost.set(host, (serversPerHost.get(host) ?? 0) + 1);
  }

  const link = (device: JsonObject, serverId: unknown, how: ServerMatch): void => {
    if (getPath(device, 'serverId') !== undefined) return;
    setOwn(device, 'serverId', serverId);
    setOwn(device, 'serverMatchedBy', how);
  };
  /** Servers a device names by vmId or resource id: a host name is not asked about them. */
  const named = new Set<JsonObject>();
  // vmId first, for every server: a device whose vmId is one server's is not another's by resource id
  // (a VM moved to another resource group keeps its vmId; its device may still name the old id).
  for (const s of servers) {
    for (const d of byVmId.get(guidKey(getPath(s, 'properties.vmId')) ?? '') ?? []) {
      link(d, getPath(s, 'id'), 'vmId');
      named.add(s);
    }
  }
  for (const s of servers) {
    const id = getPath(s, 'id');
    const vmId = guidKey(getPath(s, 'properties.vmId'));
    for (const d of byResourceId.get(key(id) ?? '') ?? []) {
      // The same resource id with another vmId is the earlier VM of that name, deleted and created again.
      const deviceVmId = guidKey(getPath(d, 'vmMetadata.vmId'));
      if (vmId !== undefined && deviceVmId !== undefined && deviceVmId !== vmId) continue;
      link(d, id, 'resourceId');
      named.add(s);
    }
  }
  for (const s of servers) {
    const host = serverHost(s);
    if (named.has(s) || host === undefined) continue;
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
  }
  for (const m of machines) {
    const resourceId = getPath(m, 'vmMetadata.resourceId');
    if (key(resourceId) !== undefined) link(m, resourceId, 'deviceOnly');
  }
  // A merged record's server is its live record's server, when the live record names none itself.
  for (const m of machines) {
    const serverId = getPath(m, 'serverId');
    const liveId = key(getPath(m, 'liveDeviceId'));
    const live = liveId === undefined ? undefined : byId.get(liveId);
    if (serverId !== undefined && live !== undefined && live !== m) link(live, serverId, getPath(m, 'serverMatchedBy') as ServerMatch);
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
