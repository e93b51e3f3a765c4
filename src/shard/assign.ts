// Which shard checks which artifact, from the manifest alone (pure). Every artifact is in
// exactly one shard, shards are balanced by bytes, and the answer never depends on the order
// of the manifest, the machine or the run: a CI matrix and a Kubernetes Indexed Job compute
// the same split on every node. The split itself is ./plan-shards.ts; docs/sharding.md
// explains the rule.
import { artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import type { Artifact } from "../documents/types.js";
import { pathDigest } from "./path-set.js";
import { hashOf, planShards, type ShardAssignment } from "./plan-shards.js";

/** A shard as the flag names it: `--shard 2/4` is index 2 (1-based) of count 4. */
export type ShardSpec = { readonly index: number; readonly count: number };

/**
 * The name of the rule, recorded in every shard report so that a merge refuses shards split
 * by different rules.
 */
export const ASSIGNMENT_RULE = "bytes-greedy-v2";

/** The rule of earlier versions (every artifact placed greedily); merge still takes its sets. */
export const ASSIGNMENT_RULE_V1 = "bytes-greedy-v1";

/** The shard (1-based) that reports an entry the manifest does not list: hash mod n, plus 1. */
export function ownerOfUnlisted(path: string, count: number): number {
  return (hashOf(pathDigest(path)) % count) + 1;
}

/** What one shard checks: its artifacts in manifest order, and the split they come from. */
export type ShardSelection = {
  readonly spec: ShardSpec;
  readonly artifacts: readonly Artifact[];
  readonly bytes: number;
  readonly assignment: ShardAssignment;
};

/** The shard's artifacts of a manifest at hand (an array, a table). */
export function selectShard(artifacts: ArtifactSource, spec: ShardSpec): ShardSelection {
  const assignment = planShards(artifactsOf(artifacts), spec.count);
  const mine: Artifact[] = [];
  for (const artifact of artifactsOf(artifacts))
    if (assignment.shardOf(artifact.path) === spec.index) mine.push(artifact);
  return { spec, artifacts: mine, bytes: assignment.totalsOf(spec.index).bytes, assignment };
}
