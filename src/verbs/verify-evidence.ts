// verify's evidence: the four documents, all validated before any other work, and the identity
// chain. A broken link does not stop the store check, so all is reported (every shard checks
// the whole chain: it is small, and a shard report must stand alone).
import { loadEvidence, loadEvidenceStreamed } from "../documents/load-evidence.js";
import { ArtifactTable } from "../documents/artifact-table.js";
import { ManifestWindows, windowsOf, type ArtifactWindows } from "../documents/artifact-windows.js";
import { releaseIdentityOf, verifyChain, verifyChainOf } from "../documents/identity-chain.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import type { Artifact, Packet } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { artifactsOf } from "../documents/artifact-table.js";
import { planShards, ShardPlanner, type ShardAssignment } from "../shard/plan-shards.js";

export type CheckedRelease = {
  readonly release: { readonly releaseId: string; readonly releaseIdentity: DigestSet };
  readonly chainFindings: readonly ClassifiedFinding[];
};

function releaseOf(packet: Packet): CheckedRelease["release"] {
  return { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) };
}

/**
 * For a whole verify: the artifacts read from the file a window at a time, or in compact
 * columns, so memory does not grow with their number (V8 grows its heap around what is live):
 * streamed from the file when the manifest is plainly valid, else loaded the ordinary way,
 * which names every problem. `observe` is shown every artifact of the pass that read a
 * manifest the answer holds as windows, and is worth nothing otherwise.
 */
export async function loadWholeEvidence(
  paths: EvidenceFiles,
  observe?: (index: number, artifact: Artifact) => void,
): Promise<
  Checked<
    CheckedRelease & {
      readonly artifacts: ArtifactTable | ManifestWindows;
      readonly manifestDigest: DigestSet;
    }
  >
> {
  const streamed = await loadEvidenceStreamed(paths, observe);
  if (streamed !== null) {
    return ok({
      release: releaseOf(streamed.packet),
      chainFindings: verifyChainOf(streamed, streamed.manifestDigest, streamed.files),
      artifacts: streamed.artifacts,
      manifestDigest: streamed.manifestDigest,
    });
  }
  const evidence = await loadEvidence(paths);
  if (!evidence.ok) return failedWith(evidence.findings);
  return ok({
    release: releaseOf(evidence.evidence.packet),
    chainFindings: verifyChain(evidence.evidence, evidence.files),
    artifacts: ArtifactTable.from(evidence.evidence.manifest.artifacts),
    manifestDigest: digestOfJSON(evidence.evidence.manifest),
  });
}

/**
 * For a shard: the evidence as a whole verify loads it, and the split of the manifest into
 * `count` shards, computed in the strict first pass over a streamed manifest (so memory does not
 * grow with its artifacts), else from the table (the same split: it depends on no order).
 */
export async function loadShardEvidence(
  paths: EvidenceFiles,
  count: number,
): Promise<
  Checked<
    CheckedRelease & {
      readonly artifacts: ArtifactWindows;
      readonly manifestDigest: DigestSet;
      readonly assignment: ShardAssignment;
    }
  >
> {
  const planner = new ShardPlanner(count);
  const evidence = await loadWholeEvidence(paths, (_index, artifact) => {
    planner.offer(artifact.path, artifact.size);
  });
  if (!evidence.ok) return evidence;
  const { artifacts } = evidence.value;
  return ok({
    ...evidence.value,
    artifacts: artifacts instanceof ManifestWindows ? artifacts : windowsOf(artifacts),
    assignment:
      artifacts instanceof ManifestWindows
        ? planner.finish()
        : planShards(artifactsOf(artifacts), count),
  });
}
