// report merge: verify every shard report with the trusted key, refuse a set that is not one
// whole split of one release, and sign one merged report. Signature first: nothing in an
// unverified payload is believed, and nothing is written unless the set is whole.
import { join, resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { isSHA256Hex } from "../identity/digest.js";
import { loadSignerFrom } from "../report/load-signer.js";
import {
  loadTrustedKey,
  parseStatement,
  readEnvelope,
  verifyEnvelope,
} from "../report/trusted-reports.js";
import { writeSignedReport, type SignedReportPaths } from "../report/write-signed.js";
import { MERGED_REPORT_PREDICATE_TYPE, mergeShardReports } from "../shard/merge.js";
import { readShardReport, type ShardReportView } from "../shard/read-shard-report.js";
import { SHARD_REPORT_PREDICATE_TYPE } from "../shard/shard-report.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { compactUTC } from "../util/compact-time.js";
import { secretLocation } from "../util/secret-location.js";
import { VERSION } from "../util/version.js";
import { loadContext } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type ReportMergeOptions = {
  readonly envelopes: readonly string[];
  /** The trusted public key every shard report must be signed by. */
  readonly key: string;
  /** The private key that signs the merged report (default: signing.key of the drill config). */
  readonly signingKey?: string;
  readonly out?: string;
  /** The release identity (sha256 hex) every shard must be about. */
  readonly release?: string;
  readonly config?: string;
  readonly now?: () => Date;
  readonly cwd?: string;
};

export type MergedSummary = {
  readonly shards: readonly {
    readonly index: number;
    readonly file: string;
    readonly verdict: string;
    readonly artifacts: number;
    readonly bytes: number;
  }[];
  readonly report: SignedReportPaths;
};

export type ReportMergeResult = VerbResult<{
  checked: StoreCheckCounts | null;
  merged: MergedSummary | null;
}>;

export async function reportMerge(options: ReportMergeOptions): Promise<ReportMergeResult> {
  const now = (options.now ?? (() => new Date()))();
  const fail = (findings: readonly ClassifiedFinding[]): ReportMergeResult =>
    createResult("report merge", findings, NO_RELEASE, { checked: null, merged: null });

  // 1. Inputs, all checked before any verdict: config, --release, both keys, every envelope.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail(loaded.findings);
  const { cwd, config } = loaded.value;
  const inputFindings: ClassifiedFinding[] = [];
  if (options.release !== undefined && !isSHA256Hex(options.release))
    inputFindings.push(
      createFinding("usage_invalid", {
        subject: "--release",
        expected: "a sha256 release identity (64 lowercase hex digits)",
        actual: options.release,
        message: `--release ${JSON.stringify(options.release)} is not a sha256 release identity`,
      }),
    );
  const key = await loadTrustedKey(resolve(cwd, options.key));
  if ("code" in key) inputFindings.push(key);
  const signer = await loadSignerFrom(
    "--signing-key",
    options.signingKey === undefined ? null : secretLocation(cwd, options.signingKey),
    config.signingKey,
  );
  if (!signer.ok) inputFindings.push(...signer.findings);
  const read = await Promise.all(options.envelopes.map((path) => readEnvelope(resolve(cwd, path))));
  for (const one of read) if (!one.ok) inputFindings.push(...one.findings);
  if (inputFindings.length > 0 || "code" in key || !signer.ok) return fail(inputFindings);

  // 2. Every signature, then every payload: a shard report by the trusted key, or refused.
  const views: ShardReportView[] = [];
  const refused: ClassifiedFinding[] = [];
  for (const one of read) {
    if (!one.ok) continue;
    const verified = verifyEnvelope(one.envelope, one.file, [key]);
    if ("code" in verified) {
      refused.push(verified);
      continue;
    }
    const statement = parseStatement(verified.payload, one.file, SHARD_REPORT_PREDICATE_TYPE);
    if ("code" in statement) {
      refused.push({
        ...statement,
        message: `${statement.message} (report merge takes the shard-<i>-of-<n>.dsse.json envelopes of verify --shard or drill --shard)`,
      });
      continue;
    }
    const subject = statement.subject[0];
    const view = readShardReport({
      file: one.file,
      keyId: verified.keyId,
      releaseId: subject.name.replace(/^release:/, ""),
      releaseIdentity: subject.digest.sha256,
      predicate: statement.predicate,
    });
    if ("code" in view) refused.push(view);
    else views.push(view);
  }
  if (refused.length > 0) return fail(refused);

  // 3. One release, one split, every artifact once; then the union and the worst verdict.
  const outcome = mergeShardReports(views, {
    ...(options.release === undefined ? {} : { release: options.release }),
    now,
    version: VERSION,
  });
  const merged = outcome.report;
  if (merged === null) return fail(outcome.findings);

  // 4. The merged report, signed, whatever its verdict: a signed "not proven" is evidence too.
  const outDir =
    options.out === undefined
      ? join(config.reportsDir, `${merged.releaseId}-merged-${compactUTC(now)}`)
      : resolve(cwd, options.out);
  const paths = await writeSignedReport({
    outDir,
    baseName: "merged-report",
    predicateType: MERGED_REPORT_PREDICATE_TYPE,
    releaseId: merged.releaseId,
    releaseIdentity: merged.releaseIdentity,
    report: merged,
    signer: signer.value,
  });
  return createResult(
    "report merge",
    outcome.findings,
    { releaseId: merged.releaseId, releaseIdentity: merged.releaseIdentity },
    {
      checked: merged.checked,
      merged: {
        shards: merged.shards.map(({ index, file, verdict, artifacts, bytes }) => ({
          index,
          file,
          verdict,
          artifacts,
          bytes,
        })),
        report: paths,
      },
    },
  );
}
