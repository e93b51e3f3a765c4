// The evidence for a verb that holds the release's artifacts for its whole run (restore, drill):
// the manifest streamed into compact columns when it is plainly valid, so memory does not grow
// with its artifacts as parsed objects; else loaded the ordinary way, which names every problem,
// and put into the same columns. Either way the parsed manifest is not kept.
import { ArtifactTable, ArtifactTableBuilder } from "./artifact-table.js";
import type { Evidence, EvidenceFiles } from "./identity-chain.js";
import { loadEvidence, loadEvidenceStreamed } from "./load-evidence.js";
import { digestOfJSON } from "../identity/canonical-json.js";
import type { DigestSet } from "../identity/digest.js";
import type { ClassifiedFinding } from "../findings/finding.js";

export type TabledEvidence =
  | {
      readonly ok: true;
      /** The packet, provenance and rollback policy, parsed; the manifest is not kept. */
      readonly evidence: Omit<Evidence, "manifest">;
      readonly files: EvidenceFiles;
      readonly artifacts: ArtifactTable;
      /** The manifest's digest, for the identity chain (verifyChainOf). */
      readonly manifestDigest: DigestSet;
    }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

export async function loadTabledEvidence(paths: EvidenceFiles): Promise<TabledEvidence> {
  // The first, strict pass over a manifest in the walk's order shows each artifact: they go
  // into the columns then, so the manifest is not read a second time to fill them.
  const builder = new ArtifactTableBuilder();
  const streamed = await loadEvidenceStreamed(paths, (_index, artifact) => {
    builder.push(artifact);
  });
  if (streamed !== null) {
    const { artifacts, manifestDigest, files, ...evidence } = streamed;
    const table = artifacts instanceof ArtifactTable ? artifacts : builder.build();
    return { ok: true, evidence, files, artifacts: table, manifestDigest };
  }
  const loaded = await loadEvidence(paths);
  if (!loaded.ok) return loaded;
  const { manifest, ...evidence } = loaded.evidence;
  return {
    ok: true,
    evidence,
    files: loaded.files,
    artifacts: ArtifactTable.from(manifest.artifacts),
    manifestDigest: digestOfJSON(manifest),
  };
}
