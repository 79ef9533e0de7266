/**
 * When the data says it was observed. A snapshot cannot hold an observation made after it was
 * taken: a `takenAt` earlier than its newest record would make every age look younger than it is
 * (and keep expired waivers alive), so the newest observation is compared with the evaluation time.
 */
import type { Snapshot } from './types';
import { getPath } from './json-util';
import { toTime } from '../time';

/** Fields that record when something was seen or reported, per kind (normalised shape). */
export const OBSERVATION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'mde.machines': ['lastSeen', 'firstSeen'],
  'mde.avHealth': ['dataRefreshTimestamp', 'lastSeenTime'],
  'mde.health': ['definitionsUpdated'],
  'mde.alerts': ['alertCreationTime', 'lastUpdateTime'],
  'mde.machineActions': ['creationDateTimeUtc', 'lastUpdateTimeUtc'],
  'graph.alerts': ['createdDateTime', 'lastUpdateDateTime'],
  'graph.incidents': ['createdDateTime', 'lastUpdateDateTime'],
  'defender.alerts': ['properties.timeGeneratedUtc', 'properties.startTimeUtc'],
};

export interface Observation {
  time: number;
  collection: string;
  field: string;
  value: unknown;
  file: string;
  pointer: string;
}

/** The newest observation in the snapshot (first record wins a tie), or undefined when none is dated. */
export function newestObservation(snapshot: Snapshot): Observation | undefined {
  let newest: Observation | undefined;
  for (const [collection, fields] of Object.entries(OBSERVATION_FIELDS)) {
    const coll = snapshot.collections.get(collection);
    if (!coll) continue;
    for (const r of coll.records) {
      for (const field of fields) {
        const value = getPath(r.data, field);
        const time = toTime(value);
        if (time === undefined || (newest && time <= newest.time)) continue;
        newest = { time, collection, field, value, file: r.origin.file, pointer: `${r.origin.pointer}/${field.split('.').join('/')}` };
      }
    }
  }
  return newest;
}
