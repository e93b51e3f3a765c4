// One shard's share of a store check: its artifacts, and the stray entries it owns. The walk
// for unlisted entries compares with the whole manifest, exactly as a whole verify does, so
// another shard's files are not strays here and each stray entry is reported by one shard.
import { ArtifactTable } from "../documents/artifact-table.js";
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import type { Artifact, Manifest } from "../documents/types.js";
import {
  verifyStore,
  type StoreVerification,
  type VerifyStoreOptions,
} from "../store/verify-store.js";
import { ownerOfUnlisted, type ShardSelection, type ShardSpec } from "./assign.js";
import type { ShardAssignment } from "./plan-shards.js";

type ShardStoreOptions = Pick<
  VerifyStoreOptions,
  "strict" | "written" | "progress" | "postgres" | "exclude"
>;

/** The shard's artifacts already selected (drill --shard). */
export async function verifyShardStore(
  root: string,
  manifest: Manifest | ArtifactTable,
  selection: ShardSelection,
  options: ShardStoreOptions = {},
): Promise<StoreVerification> {
  const { index, count } = selection.spec;
  return verifyStore(
    root,
    { schemaVersion: 1, artifacts: selection.artifacts },
    {
      ...options,
      listed: manifest instanceof ArtifactTable ? manifest : manifest.artifacts,
      ownsUnlisted: (path) => ownerOfUnlisted(path, count) === index,
    },
  );
}

/**
 * The shard's artifacts among `all`, in manifest order, read as `all` is read: a window at a
 * time, so no list of the shard's artifacts is held.
 */
export function shardWindows(
  all: ArtifactWindows,
  assignment: ShardAssignment,
  index: number,
): ArtifactWindows {
  return {
    length: assignment.totalsOf(index).artifacts,
    inWalkOrder: all.inWalkOrder,
    async forEachWindow(size, each) {
      const window: Artifact[] = [];
      let start = 0;
      await all.forEachWindow(size, async (_start, list) => {
        for (const artifact of list)
          if (assignment.shardOf(artifact.path) === index) window.push(artifact);
        while (window.length >= size) {
          const full = window.splice(0, size);
          start += full.length;
          await each(start - full.length, full);
        }
      });
      if (window.length > 0) await each(start, window);
    },
  };
}

/** verify --shard: the shard's artifacts picked from the manifest's windows as they are read. */
export async function verifyShardWindows(
  root: string,
  all: ArtifactWindows,
  shard: { readonly spec: ShardSpec; readonly assignment: ShardAssignment },
  options: ShardStoreOptions = {},
): Promise<StoreVerification> {
  const { index, count } = shard.spec;
  return verifyStore(root, shardWindows(all, shard.assignment, index), {
    ...options,
    listed: all,
    ownsUnlisted: (path) => ownerOfUnlisted(path, count) === index,
  });
}
