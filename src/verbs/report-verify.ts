// report verify: is this envelope a drill report, signed by a trusted key, about this release,
// fresh enough, and proven? Signature first: nothing in an unverified payload is believed.
import { resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual, isSHA256Hex } from "../identity/digest.js";
import { formatDuration, parseDuration } from "../util/duration.js";
import type { Statement } from "../report/statement.js";
import {
  loadTrustedKey,
  parseStatement,
  readEnvelope,
  verifyEnvelope,
  type ReportPredicate,
} from "../report/trusted-reports.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";

export type ReportVerifyOptions = {
  readonly envelope: string;
  readonly key: string;
  /** The release identity (sha256 hex) the report must be about. */
  readonly release?: string;
  /** The oldest the report's finishedAt may be, as a duration like 7d. */
  readonly maxAge?: string;
  readonly now?: () => Date;
  readonly cwd?: string;
};

export type { ReportPredicate };
export type ReportVerifyResult = VerbResult<{
  keyId: string | null;
  statement: Statement<ReportPredicate> | null;
}>;

function usage(subject: string, expected: string, actual: string): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject,
    expected,
    actual,
    message: `${subject} ${JSON.stringify(actual)} is not ${expected}`,
  });
}

export async function reportVerify(options: ReportVerifyOptions): Promise<ReportVerifyResult> {
  const cwd = options.cwd ?? process.cwd();
  const fail = (
    findings: ClassifiedFinding[],
    release: Release = NO_RELEASE,
    statement: Statement<ReportPredicate> | null = null,
    keyId: string | null = null,
  ): ReportVerifyResult => createResult("report verify", findings, release, { keyId, statement });

  // 1. Flags and inputs, all checked before any verdict.
  const inputFindings: ClassifiedFinding[] = [];
  if (options.release !== undefined && !isSHA256Hex(options.release)) {
    inputFindings.push(
      usage("--release", "a sha256 release identity (64 lowercase hex digits)", options.release),
    );
  }
  const maxAgeMs = options.maxAge === undefined ? null : parseDuration(options.maxAge);
  if (options.maxAge !== undefined && maxAgeMs === null) {
    inputFindings.push(usage("--max-age", "a duration like 36h or 7d", options.maxAge));
  }
  const key = await loadTrustedKey(resolve(cwd, options.key));
  if ("code" in key) inputFindings.push(key);
  const read = await readEnvelope(resolve(cwd, options.envelope));
  if (!read.ok) inputFindings.push(...read.findings);
  if (inputFindings.length > 0 || !read.ok || "code" in key) return fail(inputFindings);
  const file = read.file;

  // 2. The signature, over PAE of the payload bytes as they are, by the trusted key.
  const signature = verifyEnvelope(read.envelope, file, [key]);
  if ("code" in signature) return fail([signature]);

  // 3. The statement: now it can be believed.
  const statement = parseStatement(signature.payload, file);
  if ("code" in statement) return fail([statement], NO_RELEASE, null, signature.keyId);
  const subject = statement.subject[0];
  const release = {
    releaseId: subject.name.replace(/^release:/, ""),
    releaseIdentity: subject.digest,
  };
  const findings: ClassifiedFinding[] = [];

  // 4. The subject: the release the report is about.
  if (options.release === undefined) {
    findings.push(
      createFinding("subject_not_checked", {
        subject: file,
        severity: "info",
        actual: subject.digest.sha256,
        message: `${file}: no --release given, so the report was not tied to a release (it is about ${subject.name}, sha256:${subject.digest.sha256})`,
      }),
    );
  } else if (!digestsEqual({ sha256: options.release }, subject.digest)) {
    findings.push(
      createFinding("report_subject_mismatch", {
        subject: `${file}#/subject/0/digest`,
        expected: options.release,
        actual: subject.digest.sha256,
        message: `${file}: the report is about ${subject.name} sha256:${subject.digest.sha256.slice(0, 12)}…, not sha256:${options.release.slice(0, 12)}…`,
      }),
    );
  }

  // 5. Freshness, from the predicate's finishedAt.
  const finishedAt =
    typeof statement.predicate.finishedAt === "string"
      ? Date.parse(statement.predicate.finishedAt)
      : Number.NaN;
  if (maxAgeMs !== null) {
    if (Number.isNaN(finishedAt)) {
      findings.push(
        createFinding("document_invalid", {
          subject: `${file}#/payload`,
          message: `${file}: the report has no RFC 3339 finishedAt, so its age is unknown`,
        }),
      );
    } else {
      const age = (options.now ?? (() => new Date()))().getTime() - finishedAt;
      if (age > maxAgeMs) {
        findings.push(
          createFinding("report_stale", {
            subject: file,
            expected: `at most ${options.maxAge ?? ""}`,
            actual: formatDuration(age),
            message: `${file}: the report finished ${formatDuration(age)} ago, older than --max-age ${options.maxAge ?? ""}`,
          }),
        );
      }
    }
  }

  // 6. The verdict the report carries.
  if (statement.predicate.verdict !== "proven") {
    findings.push(
      createFinding("report_not_proven", {
        subject: file,
        expected: "proven",
        actual: String(statement.predicate.verdict),
        message: `${file}: the report's verdict is ${JSON.stringify(statement.predicate.verdict)}, not "proven"`,
      }),
    );
  }
  return fail(findings, release, statement, signature.keyId);
}
