// The digest of a set of paths that does not depend on their order (pure): the sum, modulo
// 2^256, of the sha256 of each path's UTF-8 bytes. Sums add up, so the digests of the shards of
// a split add up to the digest of the whole manifest without any list of paths being held.
// It catches mistakes (a shard of another split, a path counted twice or left out); it is no
// defence against whoever holds the signing key, who could sign any report (docs/sharding.md).
import { createHash } from "node:crypto";

/** The algorithm's name, written beside every path-set digest. */
export const PATH_SET_ALGORITHM = "sum-mod-2^256-of-sha256-utf8";

/** A path set's digest as reports carry it. */
export type PathSetDigest = { readonly algorithm: string; readonly sum: string };

/** The sha256 of a path's UTF-8 bytes: its share of the sum (and, in ./assign.ts, its hash). */
export function pathDigest(path: string): Buffer {
  return createHash("sha256").update(path, "utf8").digest();
}

/**
 * Adds (`sign` 1) or takes out (`sign` -1) eight 32-bit words, `word(0)` the most significant,
 * to the eight limbs at `limbs[at]`, modulo 2^256.
 */
export function addWords(
  limbs: Uint32Array,
  at: number,
  word: (i: number) => number,
  sign: 1 | -1,
): void {
  let carry = 0;
  for (let i = 7; i >= 0; i--) {
    const sum = (limbs[at + i] ?? 0) + sign * word(i) + carry;
    limbs[at + i] = sum; // stored modulo 2^32
    carry = sum >= 0x1_0000_0000 ? 1 : sum < 0 ? -1 : 0;
  }
}

/** A running sum modulo 2^256, as eight 32-bit limbs, most significant first. */
export class PathSetSum {
  private readonly limbs = new Uint32Array(8);

  /** Adds one path's digest (32 bytes). */
  add(digest: Buffer): this {
    addWords(this.limbs, 0, (i) => digest.readUInt32BE(i * 4), 1);
    return this;
  }

  /** Takes one path's digest back out (it had been added). */
  subtract(digest: Buffer): this {
    addWords(this.limbs, 0, (i) => digest.readUInt32BE(i * 4), -1);
    return this;
  }

  /** Adds a sum held as eight limbs at `limbs[at]` (see addWords). */
  addLimbs(limbs: Uint32Array, at: number): this {
    addWords(this.limbs, 0, (i) => limbs[at + i] ?? 0, 1);
    return this;
  }

  /** Adds another sum, given as 64 hex digits. */
  addHex(hex: string): this {
    return this.add(Buffer.from(hex, "hex"));
  }

  hex(): string {
    return Array.from(this.limbs, (limb) => limb.toString(16).padStart(8, "0")).join("");
  }

  digest(): PathSetDigest {
    return { algorithm: PATH_SET_ALGORITHM, sum: this.hex() };
  }
}
