/**
 * Which subscription a finding's resource lies in, so compliance can count failing resources per
 * subscription: the subscription in an ARM id, or for a Defender for Endpoint device its server's
 * as the loader links them (serverId, src/snapshot/servers.ts: an Arc-enabled server's device has no
 * vmMetadata), else vmMetadata.subscriptionId, else the subscription in vmMetadata.resourceId.
 * Tenant-wide resources (principals, directory roles, the export set) and devices of no Azure
 * resource have none.
 */
import type { ResourceRef } from '../report/model';
import type { Snapshot } from '../snapshot/types';
import type { FieldRead } from '../snapshot/projection';
import { getPath } from '../snapshot/json-util';

const ARM_SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;

/** The subscription id (lower case) at the start of an ARM id, if it has one. */
export function armSubscriptionId(id: unknown): string | undefined {
  const m = typeof id === 'string' ? ARM_SUBSCRIPTION.exec(id) : null;
  return m ? m[1].toLowerCase() : undefined;
}

/** The device fields the lookup reads: the loader keeps them whatever the rules read. */
const DEVICE_FIELDS = { id: 'id', server: 'serverId', subscription: 'vmMetadata.subscriptionId', resource: 'vmMetadata.resourceId' } as const;

export const SUBSCRIPTION_READS: readonly FieldRead[] = Object.values(DEVICE_FIELDS).map((f) => ({ collection: 'mde.machines', path: f.split('.'), whole: true }));

/** A lookup for one snapshot; the device index is built on first use. */
export function subscriptionLocator(snapshot: Snapshot): (resource: ResourceRef) => string | undefined {
  let devices: Map<string, string> | undefined;
  const deviceSubscriptions = (): Map<string, string> => {
    if (devices) return devices;
    devices = new Map();
    for (const r of snapshot.collections.get('mde.machines')?.records ?? []) {
      const id = getPath(r.data, DEVICE_FIELDS.id);
      const meta = getPath(r.data, DEVICE_FIELDS.subscription);
      const sub =
        armSubscriptionId(getPath(r.data, DEVICE_FIELDS.server)) ??
        (typeof meta === 'string' && meta !== '' ? meta.toLowerCase() : armSubscriptionId(getPath(r.data, DEVICE_FIELDS.resource)));
      if (typeof id === 'string' && sub && !devices.has(id.toLowerCase())) devices.set(id.toLowerCase(), sub);
    }
    return devices;
  };
  return (resource) => armSubscriptionId(resource.id) ?? (resource.kind === 'mde.machines' ? deviceSubscriptions().get(resource.id.toLowerCase()) : undefined);
}
