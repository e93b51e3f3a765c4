// Which shard checks which artifact, from the manifest alone (pure). Every artifact is in
// exactly one shard, shards are balanced by bytes, and the answer never depends on the order
// of the manifest, the machine or the run: a CI matrix and a Kubernetes Indexed Job compute
// the same split on every node. docs/sharding.md explains the rule.
import { createHash } from "node:crypto";
import type { Artifact } from "../documents/types.js";

/** A shard as the flag names it: `--shard 2/4` is index 2 (1-based) of count 4. */
export type ShardSpec = { readonly index: number; readonly count: number };

/**
 * The name of the rule below, recorded in every shard report so that a merge refuses shards
 * split by different rules (a future version may balance otherwise).
 */
export const ASSIGNMENT_RULE = "bytes-greedy-v1";

/** A stable 32-bit hash of a manifest path: the first four bytes of its sha256. */
function pathHash(path: string): number {
  return createHash("sha256").update(path, "utf8").digest().readUInt32BE(0);
}

/** The shard (1-based) that reports an entry the manifest does not list: hash mod n, plus 1. */
export function ownerOfUnlisted(path: string, count: number): number {
  return (pathHash(path) % count) + 1;
}

/**
 * For each artifact, in manifest order, its shard (1..count). Largest first (ties by path
 * hash, then path), each onto the shard with the fewest bytes so far, then the fewest
 * artifacts, then the lowest index. Greedy keeps the heaviest and lightest shards within one
 * artifact's size of each other.
 */
export function assignShards(artifacts: readonly Artifact[], count: number): number[] {
  const order = artifacts
    .map((artifact, position) => ({ position, size: artifact.size, path: artifact.path }))
    .map((item) => ({ ...item, hash: pathHash(item.path) }))
    .sort(
      (a, b) =>
        b.size - a.size || a.hash - b.hash || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
  const bytes = new Array<number>(count).fill(0);
  const members = new Array<number>(count).fill(0);
  const shardOf = new Array<number>(artifacts.length).fill(0);
  for (const item of order) {
    let best = 0;
    for (let shard = 1; shard < count; shard++) {
      const lighter =
        (bytes[shard] ?? 0) < (bytes[best] ?? 0) ||
        ((bytes[shard] ?? 0) === (bytes[best] ?? 0) &&
          (members[shard] ?? 0) < (members[best] ?? 0));
      if (lighter) best = shard;
    }
    bytes[best] = (bytes[best] ?? 0) + item.size;
    members[best] = (members[best] ?? 0) + 1;
    shardOf[item.position] = best + 1;
  }
  return shardOf;
}

/** What one shard checks: its artifacts in manifest order, and what they add up to. */
export type ShardSelection = {
  readonly spec: ShardSpec;
  readonly artifacts: readonly Artifact[];
  readonly bytes: number;
  /** The shard's artifact paths, sorted by UTF-16 code units (as JavaScript sorts). */
  readonly paths: readonly string[];
};

export function selectShard(artifacts: readonly Artifact[], spec: ShardSpec): ShardSelection {
  const shardOf = assignShards(artifacts, spec.count);
  const mine = artifacts.filter((_, position) => shardOf[position] === spec.index);
  return {
    spec,
    artifacts: mine,
    bytes: mine.reduce((sum, artifact) => sum + artifact.size, 0),
    paths: mine.map((artifact) => artifact.path).sort(),
  };
}
