// Where the evidence documents are: the Atlas layout under an ops directory, or the drill
// config's own paths.
import { join } from "node:path";
import type { EvidenceFiles } from "./identity-chain.js";

const ATLAS_PATHS: EvidenceFiles = {
  manifest: "release/evidence/manifest.json",
  packet: "release/packet/packet.json",
  provenance: "release/provenance.json",
  rollbackPolicy: "datasets/rollback-policy.json",
};

export function atlasPaths(opsDir: string): EvidenceFiles {
  return {
    manifest: join(opsDir, ATLAS_PATHS.manifest),
    packet: join(opsDir, ATLAS_PATHS.packet),
    provenance: join(opsDir, ATLAS_PATHS.provenance),
    rollbackPolicy: join(opsDir, ATLAS_PATHS.rollbackPolicy),
  };
}
