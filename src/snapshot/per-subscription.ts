/**
 * Exports taken once per subscription (role assignments, the Defender for Cloud lists) must cover
 * every subscription the snapshot holds. `az role assignment list --all` without `--subscription`
 * lists the current subscription each time it runs: the copies merge without a word and the other
 * subscriptions look as if they had no assignments. A subscription is covered when a record's id
 * lies under it, or when a file of the export names it in its path (an export of a subscription
 * that holds no record is an empty file, as scripts/export-snapshot.sh writes it).
 */
import { diagnostic, type Diagnostic } from '../diagnostics';
import { EXPORT_KINDS, exportKind } from './kinds';
import type { Collection } from './types';
import { getOwn, str } from './json-util';

/** What the check reads, kept by the loader's projection whatever the rules read (src/snapshot/projection.ts). */
export const PER_SUBSCRIPTION_READS: Readonly<Record<string, readonly string[]>> = {
  'arm.subscriptions': ['subscriptionId', 'state', 'displayName'],
  ...Object.fromEntries(EXPORT_KINDS.filter((k) => k.perSubscription === true).map((k) => [k.id, ['id']])),
};

/** Subscriptions that run nothing are not exported per subscription (the export script skips them). */
const NOT_EXPORTED = new Set(['disabled', 'deleted']);

const SUBSCRIPTION_OF_ID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/|$)/i;
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** At most this many uncovered subscriptions are named; the count says the rest. */
const NAMED = 5;

export function checkPerSubscriptionCoverage(collections: ReadonlyMap<string, Collection>): Diagnostic[] {
  const subscriptions = collections.get('arm.subscriptions');
  if (subscriptions === undefined) return [];
  const expected = new Map<string, string>();
  for (const r of subscriptions.records) {
    const id = str(getOwn(r.data, 'subscriptionId'));
    const state = str(getOwn(r.data, 'state')) ?? '';
    if (id === undefined || NOT_EXPORTED.has(state.toLowerCase())) continue;
    expected.set(id.toLowerCase(), `${str(getOwn(r.data, 'displayName')) ?? id} (${id})`);
  }
  const out: Diagnostic[] = [];
  for (const collection of collections.values()) {
    const kind = exportKind(collection.name);
    if (kind?.perSubscription !== true || collection.files.length === 0) continue;
    const covered = new Set<string>();
    for (const f of collection.files) for (const m of f.matchAll(GUID)) covered.add(m[0].toLowerCase());
    for (const r of collection.records) {
      const sub = SUBSCRIPTION_OF_ID.exec(str(getOwn(r.data, 'id')) ?? '')?.[1];
      if (sub !== undefined) covered.add(sub.toLowerCase());
    }
    const missing = [...expected.keys()].filter((s) => !covered.has(s));
    if (missing.length === 0) continue;
    const named = missing.slice(0, NAMED).map((s) => expected.get(s)).join(', ');
    const more = missing.length > NAMED ? ` and ${missing.length - NAMED} more` : '';
    out.push(
      diagnostic(
        'warning',
        'export-subscriptions-missing',
        `${collection.name} covers ${expected.size - missing.length} of the ${expected.size} subscriptions arm.subscriptions holds; not ${named}${more}: export it once per subscription, with ${kind.howToExport}`,
        { file: collection.files[0] },
      ),
    );
  }
  return out;
}
