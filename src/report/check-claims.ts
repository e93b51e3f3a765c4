// What a verified drill report must say (pure): about the release asked for, fresh enough, and
// proven. Checked only after its signature verified: nothing in an unverified payload is believed.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual } from "../identity/digest.js";
import { formatDuration } from "../util/duration.js";
import type { Statement } from "./statement.js";
import type { ReportPredicate } from "./trusted-reports.js";

export type ReportClaims = {
  /** The release identity (sha256 hex) the report must be about; null: not checked (info). */
  readonly release: string | null;
  /** The oldest its finishedAt may be; null: not checked. */
  readonly maxAge: { readonly text: string; readonly ms: number } | null;
  readonly now: Date;
};

type ReportStatement = Statement<ReportPredicate>;

/** The subject: the release the report is about. */
function checkSubject(statement: ReportStatement, file: string, release: string | null) {
  const subject = statement.subject[0];
  if (release === null)
    return [
      createFinding("subject_not_checked", {
        subject: file,
        severity: "info",
        actual: subject.digest.sha256,
        message: `${file}: no --release given, so the report was not tied to a release (it is about ${subject.name}, sha256:${subject.digest.sha256})`,
      }),
    ];
  if (digestsEqual({ sha256: release }, subject.digest)) return [];
  return [
    createFinding("report_subject_mismatch", {
      subject: `${file}#/subject/0/digest`,
      expected: release,
      actual: subject.digest.sha256,
      message: `${file}: the report is about ${subject.name} sha256:${subject.digest.sha256.slice(0, 12)}…, not sha256:${release.slice(0, 12)}…`,
    }),
  ];
}

/** Freshness, from the predicate's finishedAt. */
function checkAge(statement: ReportStatement, file: string, claims: ReportClaims) {
  if (claims.maxAge === null) return [];
  const { finishedAt } = statement.predicate;
  const finished = typeof finishedAt === "string" ? Date.parse(finishedAt) : Number.NaN;
  if (Number.isNaN(finished))
    return [
      createFinding("document_invalid", {
        subject: `${file}#/payload`,
        message: `${file}: the report has no RFC 3339 finishedAt, so its age is unknown`,
      }),
    ];
  const age = claims.now.getTime() - finished;
  if (age <= claims.maxAge.ms) return [];
  return [
    createFinding("report_stale", {
      subject: file,
      expected: `at most ${claims.maxAge.text}`,
      actual: formatDuration(age),
      message: `${file}: the report finished ${formatDuration(age)} ago, older than --max-age ${claims.maxAge.text}`,
    }),
  ];
}

/** The verdict the report carries. */
function checkVerdict(statement: ReportStatement, file: string) {
  const { verdict } = statement.predicate;
  if (verdict === "proven") return [];
  return [
    createFinding("report_not_proven", {
      subject: file,
      expected: "proven",
      actual: String(verdict),
      message: `${file}: the report's verdict is ${JSON.stringify(verdict)}, not "proven"`,
    }),
  ];
}

export function checkReportClaims(
  statement: ReportStatement,
  file: string,
  claims: ReportClaims,
): ClassifiedFinding[] {
  return [
    ...checkSubject(statement, file, claims.release),
    ...checkAge(statement, file, claims),
    ...checkVerdict(statement, file),
  ];
}
