/**
 * Which subscription a finding's resource lies in, so compliance can count failing resources per
 * subscription: the subscription in an ARM id, or for a Defender for Endpoint device its VM's
 * (vmMetadata.subscriptionId, else the subscription in vmMetadata.resourceId). Tenant-wide
 * resources (principals, directory roles, the export set) and devices that are not Azure VMs have
 * none.
 */
import type { ResourceRef } from '../report/model';
import type { Snapshot } from '../snapshot/types';
import { getPath } from '../snapshot/json-util';

const ARM_SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;

/** The subscription id (lower case) at the start of an ARM id, if it has one. */
export function armSubscriptionId(id: unknown): string | undefined {
  const m = typeof id === 'string' ? ARM_SUBSCRIPTION.exec(id) : null;
  return m ? m[1].toLowerCase() : undefined;
}

/** A lookup for one snapshot; the device index is built on first use. */
export function subscriptionLocator(snapshot: Snapshot): (resource: ResourceRef) => string | undefined {
  let devices: Map<string, string> | undefined;
  const deviceSubscriptions = (): Map<string, string> => {
    if (devices) return devices;
    devices = new Map();
    for (const r of snapshot.collections.get('mde.machines')?.records ?? []) {
      const id = getPath(r.data, 'id');
      const meta = getPath(r.data, 'vmMetadata.subscriptionId');
      const sub = typeof meta === 'string' && meta !== '' ? meta.toLowerCase() : armSubscriptionId(getPath(r.data, 'vmMetadata.resourceId'));
      if (typeof id === 'string' && sub && !devices.has(id.toLowerCase())) devices.set(id.toLowerCase(), sub);
    }
    return devices;
  };
  return (resource) => armSubscriptionId(resource.id) ?? (resource.kind === 'mde.machines' ? deviceSubscriptions().get(resource.id.toLowerCase()) : undefined);
}
