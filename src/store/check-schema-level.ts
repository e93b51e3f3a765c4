// The `schema` level of a database (docs/live-data.md): it passes its integrity check (SQLite)
// or restores (pg_dump), has the sealed shape, and its tables hold rows within their bounds.
// Its rows and bytes may differ from the release's: that is what live data does.
import type { Artifact, DatabaseShape, TableRows } from "../documents/types.js";
import type { CheckName } from "./check-counts.js";
import type { Report } from "./check-pgdump.js";
import { reportRowBounds, reportShape } from "./compare-shape.js";
import type { SQLiteInspection } from "./sqlite-inspect.js";

type Checks = { checks: CheckName[] };

/** Shape and row bounds of a database that restored or opened. */
export function checkDatabaseSchema(
  artifact: Artifact,
  found: { readonly shape: DatabaseShape; readonly rows: readonly TableRows[] },
  sealedRows: readonly TableRows[],
  { checks }: Checks,
  report: Report,
): void {
  checks.push("schema");
  reportShape(artifact, found.shape, report);
  if (artifact.rows === undefined && artifact.maxShrink === undefined) return;
  checks.push("row_bounds");
  const nameOf =
    artifact.kind === "pgdump"
      ? (table: string) => (table.includes(".") ? table : `public.${table}`)
      : undefined;
  reportRowBounds(artifact, sealedRows, found.rows, report, nameOf);
}

/** An SQLite database at the schema level: integrity first; a damaged database has no shape. */
export function checkSQLiteSchema(
  artifact: Artifact,
  integrity: SQLiteInspection,
  shape: SQLiteInspection,
  checks: Checks,
  report: Report,
): void {
  checks.checks.push("sqlite_integrity");
  for (const part of [integrity, shape]) {
    if (!part.ok) {
      report("sqlite_integrity_check_failed", {
        expected: "ok",
        actual: part.error,
        message: `${artifact.path}: SQLite integrity check failed: ${part.error}`,
      });
      return;
    }
  }
  if (!shape.ok || shape.shape === undefined) return;
  checkDatabaseSchema(
    artifact,
    { shape: shape.shape, rows: shape.tables },
    artifact.sqlite?.tables ?? [],
    checks,
    report,
  );
}
