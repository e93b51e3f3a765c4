// report verify's plan (pure): the flags, the trusted key and the envelope as loaded in; what
// the report is checked against, or every problem with them at once.
import { failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { isSHA256Hex } from "../identity/digest.js";
import type { ReportClaims } from "../report/check-claims.js";
import type { OpenedEnvelope, TrustedKey } from "../report/trusted-reports.js";
import { parseDuration } from "../util/duration.js";

export type ReportVerifyFlags = {
  /** The release identity (sha256 hex) the report must be about. */
  readonly release?: string;
  /** The oldest the report's finishedAt may be, as a duration like 7d. */
  readonly maxAge?: string;
};

export type ReportVerifyPlan = {
  readonly key: TrustedKey;
  readonly opened: OpenedEnvelope;
  readonly claims: ReportClaims;
};

function usage(subject: string, expected: string, actual: string): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject,
    expected,
    actual,
    message: `${subject} ${JSON.stringify(actual)} is not ${expected}`,
  });
}

/** The flags as claims to check, or their findings: --release and --max-age. */
export function claimsOf(flags: ReportVerifyFlags, now: Date): Checked<ReportClaims> {
  const findings: ClassifiedFinding[] = [];
  if (flags.release !== undefined && !isSHA256Hex(flags.release))
    findings.push(
      usage("--release", "a sha256 release identity (64 lowercase hex digits)", flags.release),
    );
  const maxAgeMs = flags.maxAge === undefined ? null : parseDuration(flags.maxAge);
  if (flags.maxAge !== undefined && maxAgeMs === null)
    findings.push(usage("--max-age", "a duration like 36h or 7d", flags.maxAge));
  if (findings.length > 0) return failedWith(findings);
  return ok({
    release: flags.release ?? null,
    maxAge:
      flags.maxAge === undefined || maxAgeMs === null ? null : { text: flags.maxAge, ms: maxAgeMs },
    now,
  });
}

export function planReportVerify(
  flags: ReportVerifyFlags,
  key: Checked<TrustedKey>,
  opened: Checked<OpenedEnvelope>,
  now: Date,
): Checked<ReportVerifyPlan> {
  const claims = claimsOf(flags, now);
  const findings = [...findingsOf(claims), ...findingsOf(key), ...findingsOf(opened)];
  if (findings.length > 0 || !claims.ok || !key.ok || !opened.ok) return failedWith(findings);
  return ok({ key: key.value, opened: opened.value, claims: claims.value });
}
