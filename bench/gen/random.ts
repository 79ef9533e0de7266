/**
 * Seeded, stateless randomness: every value is a hash of (seed, entity index, salt), so any file
 * can re-derive device i's facts without holding the others, and the same seed gives the same
 * snapshot byte for byte. Not cryptographic; fast enough for millions of records.
 */

/** A 32-bit avalanche mix (the murmur3 finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Salts are short strings; hashed once each (FNV-1a) and cached. */
const saltCache = new Map<string, number>();
function saltOf(salt: string): number {
  let h = saltCache.get(salt);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193) >>> 0;
    saltCache.set(salt, h);
  }
  return h;
}

export class Random {
  constructor(private readonly seed: number) {}

  /** Unsigned 32-bit hash of (seed, index, salt, word). */
  u32(index: number, salt: string, word = 0): number {
    return mix32(mix32(mix32(this.seed ^ saltOf(salt)) ^ index) + Math.imul(word, 0x9e3779b1));
  }

  /** Uniform in [0, 1). */
  unit(index: number, salt: string): number {
    return this.u32(index, salt) / 0x1_0000_0000;
  }

  /** Integer in [0, n). */
  int(index: number, salt: string, n: number): number {
    return Math.floor(this.unit(index, salt) * n);
  }

  /** `hexChars` hex digits (a multiple of 8). */
  hex(index: number, salt: string, hexChars: number): string {
    let out = '';
    for (let w = 0; w < hexChars / 8; w++) out += this.u32(index, salt, w).toString(16).padStart(8, '0');
    return out;
  }

  /** A GUID shaped like a random (version 4) one. */
  guid(index: number, salt: string): string {
    const h = this.hex(index, salt, 32);
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** One of `items`, chosen by cumulative `weights`. */
  pick<T>(index: number, salt: string, items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.unit(index, salt) * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
}
