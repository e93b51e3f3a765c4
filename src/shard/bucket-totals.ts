// The hashed artifacts of a manifest summed per hash bucket (pure), and which shard each bucket
// goes to (rule bytes-greedy-v2, docs/sharding.md). A bucket is the top 16 bits of a path's
// 32-bit hash; its totals (artifacts, bytes, path-set sum) live in flat typed arrays, about
// 3 MB whatever the size of the manifest.
import { addWords, type PathSetSum } from "./path-set.js";

/** How many hash buckets there are: the top 16 bits of the 32-bit hash. */
export const BUCKETS = 65_536;

/** The bucket of a path's 32-bit hash. */
export function bucketOf(hash: number): number {
  return hash >>> 16;
}

/** What a shard adds up to while its buckets and placed artifacts are being summed. */
export type RunningTotals = { artifacts: number; bytes: number; readonly set: PathSetSum };

/** Per bucket: how many artifacts, how many bytes, and the sum of their paths' digests. */
export class BucketTotals {
  readonly artifacts = new Float64Array(BUCKETS);
  readonly bytes = new Float64Array(BUCKETS);
  private readonly sums = new Uint32Array(BUCKETS * 8);

  /** Adds (`sign` 1) or takes back out (`sign` -1) one artifact. */
  add(bucket: number, size: number, digest: Buffer, sign: 1 | -1): void {
    this.artifacts[bucket] = (this.artifacts[bucket] ?? 0) + sign;
    this.bytes[bucket] = (this.bytes[bucket] ?? 0) + sign * size;
    addWords(this.sums, bucket * 8, (i) => digest.readUInt32BE(i * 4), sign);
  }

  /** Adds a bucket's totals to a shard's. */
  addTo(bucket: number, totals: RunningTotals): void {
    totals.artifacts += this.artifacts[bucket] ?? 0;
    totals.bytes += this.bytes[bucket] ?? 0;
    totals.set.addLimbs(this.sums, bucket * 8);
  }
}

/**
 * The shard (1-based) of each bucket, given the bytes already placed on each shard and the
 * manifest's total: each shard's capacity is max(0, total / n - placed), or 1 for every shard
 * when all are 0; the capacities, scaled to the buckets' bytes, are laid end to end in shard
 * order, and each bucket, in bucket order, goes to the shard whose stretch holds the midpoint
 * of its own stretch of bytes (the last shard when none does). When the buckets hold no bytes
 * at all (every hashed artifact is empty, or a directory), their artifacts are spread instead,
 * with equal capacities, so one shard is not given every one of them. Doubles throughout: the
 * same IEEE 754 operations in the same order, so the same answer on every machine; the counts
 * themselves are integers below 2^53 and add up exactly.
 */
export function bucketOwners(
  buckets: Pick<BucketTotals, "bytes" | "artifacts">,
  placed: readonly number[],
  total: number,
): Uint16Array {
  const bySize = buckets.bytes.some((bytes) => bytes > 0);
  const weights = bySize ? buckets.bytes : buckets.artifacts;
  const share = total / placed.length;
  let capacities = placed.map((bytes) => (bySize ? Math.max(0, share - bytes) : 1));
  if (capacities.every((capacity) => capacity === 0)) capacities = placed.map(() => 1);
  const room = capacities.reduce((sum, capacity) => sum + capacity, 0);
  const small = weights.reduce((sum, weight) => sum + weight, 0);
  const owners = new Uint16Array(BUCKETS);
  let [shard, filled, before] = [0, capacities[0] ?? 0, 0];
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const weight = weights[bucket] ?? 0;
    const middle = before + weight / 2;
    while (shard < placed.length - 1 && middle >= (filled * small) / room) {
      shard++;
      filled += capacities[shard] ?? 0;
    }
    owners[bucket] = shard + 1;
    before += weight;
  }
  return owners;
}
