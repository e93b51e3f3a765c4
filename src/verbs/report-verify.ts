// report verify: is this envelope a drill report, signed by a trusted key, about this release,
// fresh enough, and proven? Signature first: nothing in an unverified payload is believed.
import { resolve } from "node:path";
import type { ClassifiedFinding } from "../findings/finding.js";
import { checkReportClaims } from "../report/check-claims.js";
import type { Statement } from "../report/statement.js";
import {
  loadTrustedKey,
  parseStatement,
  readEnvelope,
  verifyEnvelope,
  type ReportPredicate,
} from "../report/trusted-reports.js";
import { planReportVerify, type ReportVerifyFlags } from "./report-verify-plan.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";

export type ReportVerifyOptions = ReportVerifyFlags & {
  readonly envelope: string;
  readonly key: string;
  readonly now?: () => Date;
  readonly cwd?: string;
};

export type { ReportPredicate };
export type ReportVerifyResult = VerbResult<{
  keyId: string | null;
  statement: Statement<ReportPredicate> | null;
}>;

function resultOf(
  findings: readonly ClassifiedFinding[],
  release: Release = NO_RELEASE,
  statement: Statement<ReportPredicate> | null = null,
  keyId: string | null = null,
): ReportVerifyResult {
  return createResult("report verify", findings, release, { keyId, statement });
}

export async function reportVerify(options: ReportVerifyOptions): Promise<ReportVerifyResult> {
  const cwd = options.cwd ?? process.cwd();
  const now = (options.now ?? (() => new Date()))();
  // 1. Flags and inputs, all checked before any verdict.
  const key = await loadTrustedKey(resolve(cwd, options.key));
  const opened = await readEnvelope(resolve(cwd, options.envelope));
  const plan = planReportVerify(options, key, opened, now);
  if (!plan.ok) return resultOf(plan.findings);
  const { file, envelope } = plan.value.opened;
  // 2. The signature, over PAE of the payload bytes as they are, by the trusted key.
  const signature = verifyEnvelope(envelope, file, [plan.value.key]);
  if (!signature.ok) return resultOf(signature.findings);
  const { keyId, payload } = signature.value;
  // 3. The statement: now it can be believed, and checked against the claims.
  const statement = parseStatement(payload, file);
  if (!statement.ok) return resultOf(statement.findings, NO_RELEASE, null, keyId);
  const subject = statement.value.subject[0];
  const release = {
    releaseId: subject.name.replace(/^release:/, ""),
    releaseIdentity: subject.digest,
  };
  const findings = checkReportClaims(statement.value, file, plan.value.claims);
  return resultOf(findings, release, statement.value, keyId);
}
