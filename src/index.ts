// The library API: the same functions the CLI calls, with typed options and results
// (docs/library.md). Importing it has no side effects: nothing is printed, no signal handler is
// installed, no worker is started until a function runs.
//
// Every function resolves to the verb's result, whose verdict and exit code are what the CLI
// would print and exit with: a bad backup, bad evidence or bad options are findings, never
// exceptions. Only a run that could not complete for a reason no check anticipated (an I/O error
// mid-run, a bug) rejects, always with a RecoverableError.
import { toRecoverableError } from "./findings/errors.js";
import { audit as auditVerb, type AuditOptions, type AuditResult } from "./verbs/audit.js";
import { drill as drillVerb, type DrillOptions, type DrillResult } from "./verbs/drill.js";
import { gate as gateVerb, type GateOptions, type GateResult } from "./verbs/gate.js";
import {
  identity as identityVerb,
  type IdentityOptions,
  type IdentityResult,
} from "./verbs/identity.js";
import { keygen as keygenVerb, type KeygenOptions, type KeygenResult } from "./verbs/keygen.js";
import {
  reportVerify as reportVerifyVerb,
  type ReportVerifyOptions,
  type ReportVerifyResult,
} from "./verbs/report-verify.js";
import {
  restore as restoreVerb,
  type RestoreOptions,
  type RestoreResult,
} from "./verbs/restore.js";
import { seal as sealVerb, type SealOptions, type SealResult } from "./verbs/seal.js";
import {
  snapshot as snapshotVerb,
  type SnapshotOptions,
  type SnapshotResult,
} from "./verbs/snapshot.js";
import {
  sqliteContentDigest as sqliteContentDigestOf,
  type SQLiteFileContent,
} from "./store/sqlite-file-digest.js";
import { verify as verifyVerb, type VerifyOptions, type VerifyResult } from "./verbs/verify.js";

/** Runs a verb; anything it throws leaves as a RecoverableError with the original as `cause`. */
async function guarded<Result>(run: () => Promise<Result>): Promise<Result> {
  try {
    return await run();
  } catch (error) {
    throw toRecoverableError(error);
  }
}

/** `recoverable verify`: the evidence chain and a store root against it, read-only. */
export function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  return guarded(() => verifyVerb(options));
}

/** `recoverable drill`: restore into scratch, verify, start and probe the service, sign the report. */
export function drill(options: DrillOptions = {}): Promise<DrillResult> {
  return guarded(() => drillVerb(options));
}

/** `recoverable seal`: write the manifest, packet and provenance of a store root. */
export function seal(options: SealOptions): Promise<SealResult> {
  return guarded(() => sealVerb(options));
}

/** `recoverable restore`: restore into a target, verified before an atomic swap. */
export function restore(options: RestoreOptions): Promise<RestoreResult> {
  return guarded(() => restoreVerb(options));
}

/** `recoverable identity`: validate the four documents and their links; name the release. */
export function identity(options: IdentityOptions = {}): Promise<IdentityResult> {
  return guarded(() => identityVerb(options));
}

/** `recoverable keygen`: an Ed25519 key pair for signing drill reports. */
export function keygen(options: KeygenOptions): Promise<KeygenResult> {
  return guarded(() => keygenVerb(options));
}

/** `recoverable report verify`: signature, trusted key, subject, freshness and verdict. */
export function reportVerify(options: ReportVerifyOptions): Promise<ReportVerifyResult> {
  return guarded(() => reportVerifyVerb(options));
}

/** `recoverable gate`: may this release ship or be restored? */
export function gate(options: GateOptions = {}): Promise<GateResult> {
  return guarded(() => gateVerb(options));
}

/** `recoverable audit`: the pre-incident readiness audit, from evidence. */
export function audit(options: AuditOptions = {}): Promise<AuditResult> {
  return guarded(() => auditVerb(options));
}

/** `recoverable snapshot`: a consistent, validated snapshot of a live store root. */
export function snapshot(options: SnapshotOptions): Promise<SnapshotResult> {
  return guarded(() => snapshotVerb(options));
}

/**
 * The content digest of one SQLite file (the dbhash byte stream, SHA-256) and its tables' row
 * counts, as a manifest records them; the file is never changed. Rejects with a
 * RecoverableError when it cannot be read (`io_failed`) or SQLite cannot read it
 * (`sqlite_integrity_check_failed`).
 */
export function sqliteContentDigest(path: string): Promise<SQLiteFileContent> {
  return guarded(() => sqliteContentDigestOf(path));
}

export type {
  AuditOptions,
  AuditResult,
  DrillOptions,
  DrillResult,
  GateOptions,
  GateResult,
  IdentityOptions,
  IdentityResult,
  KeygenOptions,
  KeygenResult,
  ReportVerifyOptions,
  ReportVerifyResult,
  RestoreOptions,
  RestoreResult,
  SealOptions,
  SealResult,
  SnapshotOptions,
  SnapshotResult,
  VerifyOptions,
  VerifyResult,
};
export type { CommonOptions } from "./verbs/evidence-context.js";
export type { ShardSummary } from "./verbs/verify.js";
export type { DocumentDigests } from "./verbs/identity.js";
export type { AuditCounts, AuditedBackup, AuditedDrill } from "./verbs/audit.js";
export type { GateCandidate, GateReport, Requirement } from "./verbs/gate.js";
export type { ReportPredicate } from "./verbs/report-verify.js";
export type { ReportPaths } from "./drill/outputs.js";
export type {
  DrillReport,
  Objective,
  ReportCheck,
  RuleOutcome,
  StageRecord,
} from "./documents/drill-report.js";
export type { Statement } from "./report/statement.js";
export type { PublicAnswer as AuditAnswer } from "./audit/answer.js";
export type { RestorePlan } from "./restore/plan.js";
export type { StoreCheckCounts } from "./store/verify-store.js";
export type {
  ProgressReporter,
  ProgressTotals,
  StageOutcome,
  StageProgress,
} from "./util/progress.js";
export { keyIdOf } from "./identity/key-id.js";
export type { VerbName, VerbResult } from "./verbs/result.js";
export { RecoverableError } from "./findings/errors.js";
export type { Finding, Severity } from "./findings/finding.js";
export type { Verdict, ExitCode } from "./findings/verdict.js";
export { FINDING_CATALOGUE, type FindingCode } from "./findings/catalogue.js";
export { canonicalJSON, digestOfJSON, type DigestSet } from "./identity/digest.js";
export { releaseIdentityOf } from "./documents/identity-chain.js";
export type { SQLiteFileContent } from "./store/sqlite-file-digest.js";
export type * from "./documents/types.js";
