/**
 * Reads started before they are needed: while this thread decodes, parses and validates one export
 * file, libuv's threads read the next ones, instead of this thread waiting for each read in turn.
 */

/** Files read ahead of the one being loaded, at most, and the bytes they may hold together. */
export const READ_AHEAD_FILES = 2;
export const READ_AHEAD_BYTES = 64 * 1024 * 1024;

/**
 * The reads of `items`, in order: `take(i)` gives item i's read (starting it if it is not yet) and
 * starts the next ones, up to `READ_AHEAD_FILES` ahead of i and `READ_AHEAD_BYTES` of what they
 * hold (`held`), so memory grows by at most that much. Each item is taken once, in order.
 */
export function readAhead<T, R>(items: readonly T[], held: (item: T) => number, read: (item: T) => Promise<R>): (i: number) => Promise<R> {
  const started = new Map<number, Promise<R>>();
  let next = 0;
  return (i) => {
    let bytes = 0;
    for (let j = i + 1; j < next; j++) bytes += held(items[j]);
    for (next = Math.max(next, i); next < items.length && next <= i + READ_AHEAD_FILES; next++) {
      if (next > i) {
        if (bytes + held(items[next]) > READ_AHEAD_BYTES) break;
        bytes += held(items[next]);
      }
      started.set(next, read(items[next]));
    }
    const taken = started.get(i) as Promise<R>;
    started.delete(i);
    return taken;
  };
}
