/** Reading timestamps as the exports write them; shared by the snapshot loader and the operators. */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Milliseconds since the epoch from an ISO 8601 timestamp, or from epoch milliseconds as a number
 * or digit string (mdatp writes `"definitionsUpdated": "1691587153787"`).
 */
export function toTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  // Records of one export often share a time (deviceavinfo's report refresh), and rules that
  // check one device in turn read the same record's times one after another: the last few times
  // read are kept, so each is parsed once.
  for (let k = 0; k < RECENT; k++) if (recentTexts[k] === v) return recentTimes[k];
  const time = parseTime(v);
  recentTexts[nextRecent] = v;
  recentTimes[nextRecent] = time;
  nextRecent = (nextRecent + 1) % RECENT;
  return time;
}

/** Times kept: a record's two or three timestamps, and one many records share. */
const RECENT = 4;
const recentTexts: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
const recentTimes: (number | undefined)[] = new Array<number | undefined>(RECENT).fill(undefined);
let nextRecent = 0;

function parseTime(v: string): number | undefined {
  const s = v.trim();
  if (/^\d{12,14}$/.test(s)) return Number(s);
  if (!ISO_DATE.test(s)) return undefined;
  // Timestamps without a zone are UTC in every export posture-lint reads.
  const withZone = /[Zz]|[+-]\d{2}:?\d{2}$/.test(s.slice(10)) || s.length === 10 ? s : `${s}Z`;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * How far a timestamp may lie after the evaluation time and still count: clocks of the APIs, the
 * devices and the machine that ran the export disagree by seconds to minutes. Beyond this a
 * timestamp is in the future, which no honest export holds: age checks fail on it, and a snapshot
 * whose data is newer than its takenAt is an error.
 */
export const CLOCK_SKEW_MS = 3_600_000;
