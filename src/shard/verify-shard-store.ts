// One shard's share of a store check: its artifacts, and the stray entries it owns. The walk
// for unlisted entries compares with the whole manifest, exactly as a whole verify does, so
// another shard's files are not strays here and each stray entry is reported by one shard.
import { ArtifactTable } from "../documents/artifact-table.js";
import type { Manifest } from "../documents/types.js";
import {
  verifyStore,
  type StoreVerification,
  type VerifyStoreOptions,
} from "../store/verify-store.js";
import { ownerOfUnlisted, type ShardSelection } from "./assign.js";

export async function verifyShardStore(
  root: string,
  manifest: Manifest | ArtifactTable,
  selection: ShardSelection,
  options: Pick<
    VerifyStoreOptions,
    "strict" | "written" | "progress" | "postgres" | "exclude"
  > = {},
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
