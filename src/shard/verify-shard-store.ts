// One shard's share of a store check: its artifacts, and the stray entries it owns. The store
// check is run twice: once on the shard's artifacts (the costly part: hashes, SQLite), once on
// the release's directories only, so that the walk for unlisted entries sees the release's
// whole layout exactly as a whole verify does and each stray entry is reported by one shard.
import type { Manifest } from "../documents/types.js";
import { verifyStore, type StoreVerification } from "../store/verify-store.js";
import { ownerOfUnlisted, type ShardSelection } from "./assign.js";

export async function verifyShardStore(
  root: string,
  manifest: Manifest,
  selection: ShardSelection,
  options: { readonly strict?: boolean } = {},
): Promise<StoreVerification> {
  const strict = options.strict ?? false;
  const listed = new Set(manifest.artifacts.map((artifact) => artifact.path));
  const { index, count } = selection.spec;
  const checks = await verifyStore(
    root,
    { ...manifest, artifacts: selection.artifacts },
    { strict, ownsUnlisted: () => false },
  );
  const layout = await verifyStore(
    root,
    { ...manifest, artifacts: manifest.artifacts.filter((artifact) => artifact.kind === "dir") },
    {
      strict,
      ownsUnlisted: (path) => !listed.has(path) && ownerOfUnlisted(path, count) === index,
    },
  );
  const strays = layout.findings.filter((finding) => finding.code === "unexpected_artifact");
  return { findings: [...checks.findings, ...strays], checked: checks.checked };
}
