/**
 * How far a lint has got, for a progress display on a terminal: the loader and the engine report
 * each step as a delta (bytes read, a file done with its records, the rules to run, a rule done) to
 * a sink the caller passes in. Nothing here reaches a report, so the report stays byte-identical
 * whether or not anyone watches.
 */
export interface ProgressCounts {
  /** Export files read whole. */
  files: number;
  /** Bytes of export files read so far (a streamed file counts as it is read). */
  bytes: number;
  /** Records loaded from the files read. */
  records: number;
  /** Rules to evaluate, once they are loaded. */
  rules: number;
  /** Rules evaluated. */
  rulesEvaluated: number;
}

export type ProgressSink = (delta: Partial<ProgressCounts>) => void;

export function noProgress(): ProgressCounts {
  return { files: 0, bytes: 0, records: 0, rules: 0, rulesEvaluated: 0 };
}

/** Adds `delta` to `counts` in place. */
export function addProgress(counts: ProgressCounts, delta: Partial<ProgressCounts>): ProgressCounts {
  for (const key of Object.keys(counts) as (keyof ProgressCounts)[]) counts[key] += delta[key] ?? 0;
  return counts;
}
