// verify: documents, then the chain, then the store root, read-only. Restores nothing.
// With --shard i/n it checks one shard of the manifest and writes a signed shard report.
import { resolve, join } from "node:path";
import { loadEvidence, loadEvidenceStreamed } from "../documents/load-evidence.js";
import { createFinding, toPublicFinding, type ClassifiedFinding } from "../findings/finding.js";
import { verdictOf } from "../findings/verdict.js";
import { releaseIdentityOf, verifyChain, verifyChainOf } from "../documents/identity-chain.js";
import { digestOfJSON } from "../identity/digest.js";
import { storeChecks } from "../report/drill-report.js";
import { loadSignerFrom } from "../report/load-signer.js";
import { writeSignedReport, type SignedReportPaths } from "../report/write-signed.js";
import { selectShard } from "../shard/assign.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type VerifyShardReport,
} from "../shard/shard-report.js";
import { parseShardSpec } from "../shard/shard-spec.js";
import { verifyShardStore } from "../shard/verify-shard-store.js";
import {
  verifyStore,
  type StoreCheckCounts,
  type StoreVerification,
} from "../store/verify-store.js";
import { PostgresSession } from "../postgres/session.js";
import { ArtifactTable } from "../documents/artifact-table.js";
import type { Manifest } from "../documents/types.js";
import type { DigestSet } from "../identity/digest.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import { compactUTC } from "../util/compact-time.js";
import { displayPath } from "../util/display-path.js";
import { secretLocation } from "../util/secret-location.js";
import { VERSION } from "../util/version.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type VerifyOptions = CommonOptions & {
  readonly strict?: boolean;
  /** `i/n`: check only shard i of n and write a signed shard report. */
  readonly shard?: string;
  /** With --shard: the private key that signs the shard report. */
  readonly key?: string;
  /** With --shard: where the shard report goes. */
  readonly out?: string;
  readonly now?: () => Date;
};

export type ShardSummary = {
  readonly index: number;
  readonly count: number;
  readonly artifacts: number;
  readonly bytes: number;
};

export type VerifyResult = VerbResult<{
  storeRoot: string | null;
  checked: StoreCheckCounts | null;
  /** Only with --shard. */
  shard?: ShardSummary | null;
  report?: SignedReportPaths | null;
}>;

export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const sharded = options.shard !== undefined;
  const none = sharded
    ? { storeRoot: null, checked: null, shard: null, report: null }
    : { storeRoot: null, checked: null };
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  // 1. The drill config and where things are; with --shard, the shard and the signing key.
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("verify", loaded.findings, NO_RELEASE, none);
  const { cwd, config } = loaded.value;
  const inputFindings: ClassifiedFinding[] = [];
  const rootOf = storeRootOf(loaded.value, options.root);
  if (!rootOf.ok) inputFindings.push(...rootOf.findings);
  const root = rootOf.ok ? rootOf.value : null;
  const spec = options.shard === undefined ? null : parseShardSpec(options.shard);
  if (spec !== null && "code" in spec) inputFindings.push(spec);
  const signer = sharded
    ? await loadSignerFrom(
        "--key",
        options.key === undefined ? null : secretLocation(cwd, options.key),
        config.signingKey,
      )
    : null;
  if (signer !== null && "code" in signer) inputFindings.push(signer);
  for (const [flag, value] of [
    ["--key", options.key],
    ["--out", options.out],
  ] as const)
    if (!sharded && value !== undefined)
      inputFindings.push(
        createFinding("usage_invalid", {
          subject: flag,
          message: `${flag} is for a shard report: add --shard i/n, or drop ${flag} (a whole verify writes nothing)`,
        }),
      );
  if (inputFindings.length > 0 || root === null)
    return createResult("verify", inputFindings, NO_RELEASE, none);
  // 2-3. The documents and the identity chain.
  const evidence = await checkEvidence(loaded.value.evidence, !sharded);
  if (!evidence.ok)
    return createResult("verify", evidence.findings, NO_RELEASE, {
      ...none,
      storeRoot: displayPath(root),
    });
  const { release, chainFindings } = evidence;
  // 4. The store root against the manifest, or against this shard's part of it. A pg_dump is
  //    restored into a throwaway PostgreSQL server (or postgres.url), stopped when verify ends.
  const postgres = new PostgresSession(config.postgres, false);
  const storeOptions = {
    strict: options.strict ?? false,
    postgres,
    exclude: config.exclude,
    ...(options.progress ? { progress: options.progress } : {}),
  };
  if (spec === null || "code" in spec || signer === null || "code" in signer) {
    let store: StoreVerification;
    try {
      store = await verifyStore(root, evidence.artifacts ?? evidence.manifest, storeOptions);
    } finally {
      await postgres.close();
    }
    return createResult("verify", [...chainFindings, ...store.findings], release, {
      storeRoot: displayPath(root),
      checked: store.checked,
    });
  }
  const manifest = evidence.manifest;
  const selection = selectShard(manifest.artifacts, spec);
  let store: StoreVerification;
  try {
    store = await verifyShardStore(root, manifest, selection, storeOptions);
  } finally {
    await postgres.close();
  }
  const findings = [...chainFindings, ...store.findings];
  // 5. The signed shard report, whatever the verdict: a signed "not proven" is evidence too.
  const report: VerifyShardReport = {
    schemaVersion: 1,
    tool: { name: "recoverable", version: VERSION },
    kind: "verify",
    releaseId: release.releaseId,
    releaseIdentity: release.releaseIdentity,
    manifest: summarizeManifest(manifest, digestOfJSON(manifest)),
    shard: coverageOf(selection),
    storeRoot: displayPath(root),
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    checked: store.checked,
    checks: storeChecks(selection.artifacts, store.findings, true),
    findings: findings.map(toPublicFinding),
    verdict: verdictOf(findings),
  };
  const outDir =
    options.out === undefined
      ? join(config.reportsDir, `${release.releaseId}-${compactUTC(startedAt)}`)
      : resolve(cwd, options.out);
  const paths = await writeSignedReport({
    outDir,
    baseName: shardFileName(spec, ""),
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId: release.releaseId,
    releaseIdentity: release.releaseIdentity,
    report,
    signer,
  });
  return createResult("verify", findings, release, {
    storeRoot: displayPath(root),
    checked: store.checked,
    shard: {
      index: spec.index,
      count: spec.count,
      artifacts: selection.artifacts.length,
      bytes: selection.bytes,
    },
    report: paths,
  });
}

type CheckedEvidence =
  | { readonly ok: false; readonly findings: ClassifiedFinding[] }
  | {
      readonly ok: true;
      readonly release: { releaseId: string; releaseIdentity: DigestSet };
      readonly chainFindings: ClassifiedFinding[];
      /** The parsed manifest (a shard needs it whole); an empty one when `artifacts` is set. */
      readonly manifest: Manifest;
      /** For a whole verify: the artifacts in compact columns, the parsed ones let go. */
      readonly artifacts: ArtifactTable | null;
    };

const EMPTY_MANIFEST: Manifest = { schemaVersion: 1, artifacts: [] };

/**
 * 2. The documents, all validated before any other work. 3. The identity chain; a broken link
 * does not stop the store check, so all is reported (every shard checks the whole chain: it is
 * small, and a shard report must stand alone).
 *
 * With `compact`, the artifacts come as compact columns for the store check, so memory does
 * not grow with their number (V8 grows its heap around what is live): streamed from the file
 * when the manifest is plainly valid, else loaded the ordinary way, which names every problem.
 */
async function checkEvidence(paths: EvidenceFiles, compact: boolean): Promise<CheckedEvidence> {
  const streamed = compact ? await loadEvidenceStreamed(paths) : null;
  if (streamed !== null) {
    const { packet } = streamed;
    return {
      ok: true,
      release: { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) },
      chainFindings: verifyChainOf(streamed, streamed.manifestDigest, streamed.files),
      manifest: EMPTY_MANIFEST,
      artifacts: streamed.artifacts,
    };
  }
  const evidence = await loadEvidence(paths);
  if (!evidence.ok) return evidence;
  const { packet, manifest } = evidence.evidence;
  return {
    ok: true,
    release: { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) },
    chainFindings: verifyChain(evidence.evidence, evidence.files),
    manifest: compact ? EMPTY_MANIFEST : manifest,
    artifacts: compact ? ArtifactTable.from(manifest.artifacts) : null,
  };
}
