// identity: validate the four documents and the links between them, and name the release.
// It never reads the store.
import { loadEvidence } from "../documents/load-evidence.js";
import { releaseIdentityOf, verifyChain, type Evidence } from "../documents/identity-chain.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type IdentityOptions = Omit<CommonOptions, "root">;
export type DocumentDigests = Record<keyof Evidence, DigestSet>;
export type IdentityResult = VerbResult<{ documents: DocumentDigests | null }>;

export async function identity(options: IdentityOptions = {}): Promise<IdentityResult> {
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("identity", loaded.findings, NO_RELEASE, { documents: null });
  const evidence = await loadEvidence(loaded.value.evidence);
  if (!evidence.ok)
    return createResult("identity", evidence.findings, NO_RELEASE, { documents: null });
  const { manifest, packet, provenance, rollbackPolicy } = evidence.evidence;
  return createResult(
    "identity",
    verifyChain(evidence.evidence, evidence.files),
    { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) },
    {
      documents: {
        manifest: digestOfJSON(manifest),
        packet: digestOfJSON(packet),
        provenance: digestOfJSON(provenance),
        rollbackPolicy: digestOfJSON(rollbackPolicy),
      },
    },
  );
}
