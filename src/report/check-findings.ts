// Which findings of a report explain which check (pure): a renderer shows a failed check with
// what was found about it, and the findings no check shows (a source that could not be read, a
// service that never became ready) with the stage that failed.
import type { Finding } from "../findings/finding.js";
import type { DrillReport, ReportCheck } from "../documents/drill-report.js";

const POLICY_SUBJECT = "rollback policy ";

/** The error findings about one check, in the report's order. */
export function findingsOfCheck(check: ReportCheck, findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === "error" && isAbout(check, f));
}

function isAbout(check: ReportCheck, finding: Finding): boolean {
  switch (check.kind) {
    case "store":
      return finding.subject === check.name;
    case "probe":
      return finding.subject === `probe:${check.name}`;
    case "objective":
      return finding.subject === check.name;
    case "policy":
      // The finding names the policy file and the field: "<file>#/releases/maxAge".
      return (
        check.subject.startsWith(POLICY_SUBJECT) &&
        finding.subject.endsWith(`#${check.subject.slice(POLICY_SUBJECT.length)}`)
      );
  }
}

/** The error findings no check shows: they explain a failed stage. */
export function stageFindings(report: DrillReport): Finding[] {
  return report.findings.filter(
    (f) => f.severity === "error" && !report.checks.some((check) => isAbout(check, f)),
  );
}

/** The first error finding of the report: the failure the drill stopped at. */
export function firstFailure(report: DrillReport): Finding | null {
  return report.findings.find((f) => f.severity === "error") ?? null;
}
