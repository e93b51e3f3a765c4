// verify: documents, then the chain, then the store root, read-only. Restores nothing.
import { loadEvidence } from "../documents/load-evidence.js";
import { releaseIdentityOf, verifyChain } from "../identity/chain.js";
import { verifyStore, type StoreCheckCounts } from "../store/verify-store.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type VerifyOptions = CommonOptions & { readonly strict?: boolean };
export type VerifyResult = VerbResult<{
  storeRoot: string | null;
  checked: StoreCheckCounts | null;
}>;

export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const none = { storeRoot: null, checked: null };
  // 1. The drill config and where things are.
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("verify", loaded.findings, NO_RELEASE, none);
  const root = storeRootOf(loaded.context, options.root);
  if (typeof root !== "string") return createResult("verify", [root], NO_RELEASE, none);
  // 2. The documents, all validated before any other work.
  const evidence = await loadEvidence(loaded.context.evidence);
  if (!evidence.ok)
    return createResult("verify", evidence.findings, NO_RELEASE, {
      ...none,
      storeRoot: displayPath(root),
    });
  const { packet, manifest } = evidence.evidence;
  const release = { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) };
  // 3. The identity chain; a broken link does not stop the store check, so all is reported.
  const chainFindings = verifyChain(evidence.evidence, evidence.files);
  // 4. The store root against the manifest.
  const store = await verifyStore(root, manifest, { strict: options.strict ?? false });
  return createResult("verify", [...chainFindings, ...store.findings], release, {
    storeRoot: displayPath(root),
    checked: store.checked,
  });
}
