// Everything a restore reads before it plans, read once: the source, the target's safety, the
// evidence and its chain, the rollback policy, and whether the backup opens. A value, or the
// findings that say why there is none; the release and the policy's outcomes are kept either
// way, for the result.
import { resolve } from "node:path";
import {
  releaseIdentityOf,
  verifyChainOf,
  type EvidenceFiles,
} from "../documents/identity-chain.js";
import { loadReleaseEvidence, type ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import { needsSealedSizes } from "../archive/sealed-sizes.js";
import type { RuleOutcome } from "../documents/drill-report.js";
import type { DigestSet } from "../identity/digest.js";
import { failed, failedWith, ok, type Checked } from "../findings/checked.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef, type RestoreSource, type SourceRef } from "../archive/source.js";
import { secretLocation } from "../util/secret-location.js";
import { checkTarget, localBackupOf } from "./guards.js";

export type RestoreRelease = {
  readonly releaseId: string | null;
  readonly releaseIdentity: DigestSet | null;
};

export type LoadInput = {
  readonly cwd: string;
  readonly evidence: EvidenceFiles;
  readonly stateDir: string;
  readonly source: string;
  readonly target: string;
  readonly scratchDir: string | null;
  readonly identity?: string;
  readonly now: Date;
  readonly allowDowngrade: boolean;
  /** The artifacts are looked up by path (restore --only): held in compact columns. */
  readonly byPath?: boolean;
};

export type LoadedRestore = {
  readonly ref: SourceRef;
  readonly source: RestoreSource;
  /** Absolute. */
  readonly target: string;
  /**
   * The release's artifacts, never the parsed manifest: the manifest file read a window at a
   * time when it is in the walk's order and nothing looks an artifact up by path, else in
   * compact columns (docs/decisions.md "What restore and drill hold").
   */
  readonly artifacts: ReleaseArtifacts;
};

export type Loading = {
  readonly release: RestoreRelease | null;
  readonly policy: readonly RuleOutcome[];
  readonly loaded: Checked<LoadedRestore>;
};

const none = (loaded: Checked<LoadedRestore>, release: RestoreRelease | null = null) => ({
  release,
  policy: [],
  loaded,
});

/** The source, opened, and the target judged safe to restore into. */
async function openAndGuard(
  input: LoadInput,
): Promise<Checked<{ ref: SourceRef; source: RestoreSource }>> {
  const parsed = parseSourceRef(input.source, input.cwd);
  if (!parsed.ok) return parsed;
  const ref = parsed.value;
  const identity =
    input.identity === undefined ? {} : { identity: secretLocation(input.cwd, input.identity) };
  const opened = openSource(ref, identity);
  if (!opened.ok) return opened;
  const source = opened.value;
  const refused = await checkTarget(
    input.target,
    input.cwd,
    localBackupOf(ref, input.cwd),
    Object.values(input.evidence),
    input.scratchDir,
  );
  return refused ? failed(refused) : ok({ ref, source });
}

export async function loadRestore(input: LoadInput): Promise<Loading> {
  const opened = await openAndGuard(input);
  if (!opened.ok) return none(opened);
  // Never the parsed manifest, which takes more per artifact; a source that bounds each file by
  // its sealed size (tar, restic) looks them up by path, and so does --only.
  const table = input.byPath === true || needsSealedSizes(opened.value.ref);
  const loadedEvidence = await loadReleaseEvidence(input.evidence, { table });
  if (!loadedEvidence.ok) return none(failedWith(loadedEvidence.findings));
  const { evidence, files, artifacts, manifestDigest } = loadedEvidence;
  const { packet } = evidence;
  const release = { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) };
  const chain = verifyChainOf(evidence, manifestDigest, files);
  if (chain.length > 0) return none(failedWith(chain), release);
  // The rollback policy and the high-water mark: a release it forbids is never restored.
  const policy = await checkReleasePolicy(evidence, files, input.stateDir, {
    now: input.now,
    allowDowngrade: input.allowDowngrade,
  });
  const outcomes = policy.outcomes;
  if (policy.findings.length > 0)
    return { release, policy: outcomes, loaded: failedWith(policy.findings) };
  // The backup must open (a dry run says so too): a missing one is source_unreadable.
  const unopened = await opened.value.source.opens();
  if (unopened) return { release, policy: outcomes, loaded: failed(unopened) };
  const target = resolve(input.cwd, input.target);
  const value = { ...opened.value, target, artifacts };
  return { release, policy: outcomes, loaded: ok(value) };
}
