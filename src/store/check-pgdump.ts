// The checks of a pg_dump artifact once PostgreSQL has restored it: it restored at all, and
// its tables, row counts and content digest are the ones seal recorded. A mismatch names
// every table that differs, so the user knows where to look.
import type { Artifact, PGTableFacts } from "../documents/types.js";
import type { FindingCode } from "../findings/catalogue.js";
import { createFinding, type ClassifiedFinding, type FindingInput } from "../findings/finding.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import type { PGDumpInspection } from "../postgres/session.js";
import type { CheckName } from "./check-counts.js";
import { describeTableDifferences } from "./check-sqlite.js";
import { checkDatabaseSchema } from "./check-schema-level.js";
import { levelOf } from "./identity-levels.js";

export type Report = (code: FindingCode, fields: Omit<FindingInput, "subject">) => void;

/** Restored, and the content is the release's. Unavailable answers are reported apart, once. */
export function checkPGDump(
  artifact: Artifact,
  answer: PGDumpInspection,
  { checks }: { checks: CheckName[] },
  report: Report,
): void {
  const expected = artifact.pgdump;
  if (!expected || "unavailable" in answer) return;
  checks.push("pgdump_restore");
  if (!answer.ok) {
    const { code, message, expected: wanted, actual, hint } = answer.problem;
    report(code, { message, expected: wanted, actual, ...(hint ? { hint } : {}) });
    return;
  }
  // Live data (the schema level): the shape and the row bounds, never the rows themselves.
  if (levelOf(artifact) === "schema") {
    checkDatabaseSchema(
      artifact,
      { shape: answer.shape, rows: answer.facts.tables },
      expected.tables,
      { checks },
      report,
    );
    return;
  }
  checks.push("pgdump_content");
  if (digestsEqual(expected.contentDigest, answer.facts.contentDigest)) return;
  const differences = describePGTableDifferences(expected.tables, answer.facts.tables);
  report("pgdump_content_mismatch", {
    expected: expected.contentDigest.sha256,
    actual: answer.facts.contentDigest.sha256,
    message: `${artifact.path}: the restored database differs from the release (content digest expected ${shortDigest(expected.contentDigest)}…, got ${shortDigest(answer.facts.contentDigest)}…): ${differences || "the tables hold the same rows, but the digest differs"}`,
  });
}

/** "public.cities: 30 rows expected, 29 found; public.notes: same 4 rows, other content". */
export function describePGTableDifferences(
  expected: readonly PGTableFacts[],
  actual: readonly PGTableFacts[],
): string {
  return describeTableDifferences(expected, actual, (a, b) =>
    digestsEqual(a.contentDigest, b.contentDigest),
  );
}

/**
 * Dumps that could not be judged (no PostgreSQL, a server that would not start), one finding
 * per cause: an error if a durable dump went unchecked, a warning if only reconstructable ones.
 */
export function reportUnavailable(
  unavailable: readonly {
    readonly artifact: Artifact;
    readonly inspection: Extract<PGDumpInspection, { unavailable: unknown }>;
  }[],
): ClassifiedFinding[] {
  const byCause = new Map<string, { finding: ClassifiedFinding; durable: boolean }>();
  for (const { artifact, inspection } of unavailable) {
    const finding = inspection.unavailable;
    const key = `${finding.code}\n${finding.subject}\n${finding.message}`;
    const seen = byCause.get(key);
    const durable = artifact.role === "durable" || (seen?.durable ?? false);
    if (artifact.role !== "disposable") byCause.set(key, { finding, durable });
  }
  return [...byCause.values()].map(({ finding, durable }) =>
    durable ? finding : createFinding(finding.code, { ...finding, severity: "warning" }),
  );
}
