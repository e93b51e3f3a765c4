// The split of a manifest into shards (pure), computed in one pass over its artifacts in any
// order with memory bounded by GREEDY_LARGEST and the hash buckets, not by the artifacts
// (rule bytes-greedy-v2, docs/sharding.md): the GREEDY_LARGEST largest artifacts are placed
// greedily onto the lightest shard, from empty shards; every other artifact goes with its hash
// bucket, and the buckets, in order, fill each shard up to an equal share of the bytes.
import { BucketTotals, bucketOf, bucketOwners, type RunningTotals } from "./bucket-totals.js";
import { PathSetSum, pathDigest, type PathSetDigest } from "./path-set.js";

/** How many of the largest artifacts are placed greedily; the rest by their path's hash. */
export const GREEDY_LARGEST = 4096;

/** What a shard, or the whole manifest, adds up to. */
export type ShardTotals = {
  readonly artifacts: number;
  readonly bytes: number;
  readonly pathSet: PathSetDigest;
};

type Ranked = {
  readonly path: string;
  readonly size: number;
  readonly hash: number;
  readonly digest: Buffer;
};

/** The greedy order: size descending, then the path's 32-bit hash, then the path. */
function comesFirst(a: Ranked, b: Ranked): boolean {
  if (a.size !== b.size) return a.size > b.size;
  if (a.hash !== b.hash) return a.hash < b.hash;
  return a.path < b.path;
}

/** The path's 32-bit hash: the first four bytes of its sha256. */
export function hashOf(digest: Buffer): number {
  return digest.readUInt32BE(0);
}

/**
 * Places `items` (in the greedy order) one by one onto the shard with the fewest bytes so far,
 * then the fewest artifacts, then the lowest index, starting from `bytes` and `members` (which
 * it updates); the shard (1-based) of each.
 */
export function placeGreedily(
  items: readonly { readonly size: number }[],
  bytes: number[],
  members: number[],
): number[] {
  return items.map((item) => {
    let best = 0;
    for (let shard = 1; shard < bytes.length; shard++) {
      const lighter =
        (bytes[shard] ?? 0) < (bytes[best] ?? 0) ||
        ((bytes[shard] ?? 0) === (bytes[best] ?? 0) &&
          (members[shard] ?? 0) < (members[best] ?? 0));
      if (lighter) best = shard;
    }
    bytes[best] = (bytes[best] ?? 0) + item.size;
    members[best] = (members[best] ?? 0) + 1;
    return best + 1;
  });
}

/** Which shard each artifact is in, and what each shard and the manifest add up to. */
export class ShardAssignment {
  constructor(
    readonly count: number,
    private readonly placed: ReadonlyMap<string, number>,
    /** The shard (1-based) of every other artifact, by its hash bucket. */
    private readonly owners: Uint16Array,
    /** Index 0 is shard 1. */
    readonly shards: readonly ShardTotals[],
    readonly manifest: ShardTotals,
  ) {}

  /** The shard (1-based) of the manifest's artifact at `path`. */
  shardOf(path: string): number {
    return this.placed.get(path) ?? (this.owners[bucketOf(hashOf(pathDigest(path)))] as number);
  }

  totalsOf(index: number): ShardTotals {
    return this.shards[index - 1] as ShardTotals;
  }
}

/** A bounded heap of the `k` artifacts that come first; its root is the one that comes last. */
class FirstK {
  readonly heap: Ranked[] = [];

  constructor(private readonly k: number) {}

  offer(item: Ranked): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(item);
      this.up(heap.length - 1);
    } else if (this.k > 0 && comesFirst(item, heap[0] as Ranked)) {
      heap[0] = item;
      this.down(0);
    }
  }

  /** In the greedy order. */
  sorted(): Ranked[] {
    return [...this.heap].sort((a, b) => (comesFirst(a, b) ? -1 : 1));
  }

  private up(at: number): void {
    const heap = this.heap;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!comesFirst(heap[parent] as Ranked, heap[at] as Ranked)) return;
      [heap[parent], heap[at]] = [heap[at] as Ranked, heap[parent] as Ranked];
      at = parent;
    }
  }

  private down(at: number): void {
    const heap = this.heap;
    for (;;) {
      let last = at;
      for (const child of [2 * at + 1, 2 * at + 2])
        if (child < heap.length && comesFirst(heap[last] as Ranked, heap[child] as Ranked))
          last = child;
      if (last === at) return;
      [heap[last], heap[at]] = [heap[at] as Ranked, heap[last] as Ranked];
      at = last;
    }
  }
}

/** Offered every artifact of a manifest once, in any order; then the split. */
export class ShardPlanner {
  private readonly buckets = new BucketTotals();
  private readonly whole = { artifacts: 0, bytes: 0, pathSet: new PathSetSum() };
  private readonly first: FirstK;

  constructor(
    private readonly count: number,
    k: number = GREEDY_LARGEST,
  ) {
    this.first = new FirstK(k);
  }

  offer(path: string, size: number): void {
    const digest = pathDigest(path);
    const hash = hashOf(digest);
    this.buckets.add(bucketOf(hash), size, digest, 1);
    this.whole.artifacts++;
    this.whole.bytes += size;
    this.whole.pathSet.add(digest);
    this.first.offer({ path, size, hash, digest });
  }

  /**
   * The split: the largest taken out of their buckets and placed greedily from empty shards,
   * then the buckets given to the shards by what room that leaves them.
   */
  finish(): ShardAssignment {
    const largest = this.first.sorted();
    for (const item of largest) this.buckets.add(bucketOf(item.hash), item.size, item.digest, -1);
    const bytes = new Array<number>(this.count).fill(0);
    const shards = placeGreedily(largest, bytes, new Array<number>(this.count).fill(0));
    const totals: RunningTotals[] = Array.from({ length: this.count }, () => ({
      artifacts: 0,
      bytes: 0,
      set: new PathSetSum(),
    }));
    const placed = new Map<string, number>();
    largest.forEach((item, i) => {
      const shard = shards[i] as number;
      placed.set(item.path, shard);
      const mine = totals[shard - 1] as RunningTotals;
      mine.artifacts++;
      mine.bytes += item.size;
      mine.set.add(item.digest);
    });
    const owners = bucketOwners(this.buckets, bytes, this.whole.bytes);
    owners.forEach((shard, bucket) => {
      this.buckets.addTo(bucket, totals[shard - 1] as RunningTotals);
    });
    const { artifacts, bytes: wholeBytes, pathSet } = this.whole;
    return new ShardAssignment(
      this.count,
      placed,
      owners,
      totals.map((t) => ({ artifacts: t.artifacts, bytes: t.bytes, pathSet: t.set.digest() })),
      { artifacts, bytes: wholeBytes, pathSet: pathSet.digest() },
    );
  }
}

/** The split of artifacts already at hand (a table, an array): the same as a streamed one. */
export function planShards(
  artifacts: Iterable<{ readonly path: string; readonly size: number }>,
  count: number,
  k: number = GREEDY_LARGEST,
): ShardAssignment {
  const planner = new ShardPlanner(count, k);
  for (const artifact of artifacts) planner.offer(artifact.path, artifact.size);
  return planner.finish();
}
