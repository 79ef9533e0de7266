/**
 * Deterministic building blocks for the demo snapshot: every "random-looking" value is a hash
 * of a readable seed, and every timestamp is an offset from a fixed "now".
 */
import { createHash } from 'crypto';
import { cmp } from '../../src/diagnostics';

/** The instant the demo snapshot was taken. Nothing reads the clock. */
export const NOW_ISO = '2026-11-27T02:00:00Z';
const NOW_MS = Date.parse(NOW_ISO);

export function sha1Hex(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** A GUID shaped like a random (version 4) one, derived from `seed`. */
export function guid(seed: string): string {
  const h = sha1Hex(`guid:${seed}`);
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A small number in [0, modulo) derived from `seed`, for spreading values (IPs, minutes). */
export function spread(seed: string, modulo: number): number {
  return parseInt(sha1Hex(`n:${seed}`).slice(0, 8), 16) % modulo;
}

/**
 * How each source prints a timestamp:
 * - `ticks`   .NET 7-digit fraction, `Z` (ARM, MDE, Defender for Cloud): 2026-11-26T23:14:08.1234567Z
 * - `ticksOffset` the same with `+00:00` (ARM `timeCreated`): 2026-11-26T23:14:08.1234567+00:00
 * - `millis`  3-digit fraction (MDE scan times): 2026-11-26T23:14:08.123Z
 * - `seconds` no fraction (MDE deviceavinfo): 2026-11-26T23:14:08Z
 * - `python`  Python isoformat, as the `az` CLI prints: 2026-11-26T23:14:08.123456+00:00
 */
export type StampStyle = 'ticks' | 'ticksOffset' | 'millis' | 'seconds' | 'python';

/**
 * The instant `minutesAgo` (less up to 59 seconds, so stamps are not all on the minute) before NOW,
 * printed in `style`; the seconds and sub-second digits come from `seed`.
 */
export function stamp(minutesAgo: number, seed: string, style: StampStyle): string {
  const base = new Date(NOW_MS - Math.round(minutesAgo * 60_000) - spread(`s:${seed}`, 60) * 1000).toISOString().slice(0, 19);
  const digits = String(spread(seed, 10_000_000)).padStart(7, '0');
  switch (style) {
    case 'ticks':
      return `${base}.${digits}Z`;
    case 'ticksOffset':
      return `${base}.${digits}+00:00`;
    case 'millis':
      return `${base}.${digits.slice(0, 3)}Z`;
    case 'seconds':
      return `${base}Z`;
    case 'python':
      return `${base}.${digits.slice(0, 6)}+00:00`;
  }
}

/** Milliseconds since the epoch, `minutesAgo` before NOW, as mdatp prints them (a string). */
export function epochMillis(minutesAgo: number): string {
  return String(NOW_MS - Math.round(minutesAgo * 60_000));
}

/** One file of the snapshot: its path relative to the snapshot root and its JSON content. */
export type SnapshotFile = readonly [path: string, content: unknown];

/** Pretty-printed JSON exactly as the snapshot stores it: 2-space indent, trailing newline. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The `az` CLI prints JSON with keys sorted at every level; this reproduces that order. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => cmp(a, b));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
  }
  return value;
}
