// The checks of a SQLite artifact beside its bytes: the integrity check always, the content
// digest when the bytes do not already prove it. A content mismatch names the tables whose
// row counts changed, and the -wal or -journal read with the main file when one was.
import type { Artifact } from "../documents/types.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import type { CheckName } from "./check-counts.js";
import type { Report } from "./check-pgdump.js";
import type { SQLiteInspection } from "./sqlite-inspect.js";
import { CONTENT_SIDECARS, nameSidecars } from "./sqlite-sidecars.js";
import { entryTypeAt } from "./walk-store.js";

/** A -wal or -journal beside the database: its content is not its main file alone. */
export async function hasJournal(file: string): Promise<boolean> {
  for (const suffix of CONTENT_SIDECARS)
    if ((await entryTypeAt(file + suffix)) !== null) return true;
  return false;
}

/**
 * The integrity check passed and the content digest is the release's; `content` null: implied
 * by bytes equal to the release's. `mainBytesMatch`: the main file's bytes are the release's,
 * so a content that differs can only come from a sidecar SQLite read with it.
 */
export function checkSQLite(
  artifact: Artifact,
  integrity: SQLiteInspection,
  content: SQLiteInspection | null,
  { checks, mainBytesMatch }: { checks: CheckName[]; mainBytesMatch: boolean },
  report: Report,
): void {
  const expected = artifact.sqlite;
  if (!expected) return;
  checks.push("sqlite_integrity", "sqlite_content");
  for (const part of [integrity, content]) {
    if (part !== null && !part.ok) {
      report("sqlite_integrity_check_failed", {
        expected: "ok",
        actual: part.error,
        message: `${artifact.path}: SQLite integrity check failed: ${part.error}`,
      });
      return;
    }
  }
  if (content === null || !content.ok) return;
  const actual = { sha256: content.contentDigestHex };
  if (digestsEqual(expected.contentDigest, actual)) return;
  const tableDiffs = describeTableDifferences(expected.tables, content.tables);
  const what = tableDiffs ? tableDiffs : "same row counts: rows or schema were changed in place";
  const digests = `content digest expected ${shortDigest(expected.contentDigest)}…, got ${shortDigest(actual)}…`;
  const sidecars = nameSidecars(content.sidecars);
  report("sqlite_content_mismatch", {
    expected: expected.contentDigest.sha256,
    actual: content.contentDigestHex,
    ...(sidecars === ""
      ? { message: `${artifact.path}: ${digests} (${what})` }
      : {
          message: mainBytesMatch
            ? `${artifact.path}: ${sidecars} beside it changes what SQLite reads: the main file is the release's, but read with ${sidecars}, ${digests} (${what})`
            : `${artifact.path}: read with ${sidecars} beside it, as SQLite reads it, ${digests} (${what})`,
          hint: SIDECAR_HINT,
        }),
  });
}

const SIDECAR_HINT =
  "SQLite reads a -wal's committed frames and rolls back a hot -journal, so they are part of the database. Let the writer finish and checkpoint (PRAGMA wal_checkpoint(TRUNCATE)) before sealing or backing up, or remove a leftover that does not belong to the release; verify itself never changes the store to find out.";

/**
 * "cities: 3000 rows expected, 2999 found; airports: missing" — what changed, by table, for
 * SQLite and pg_dump alike. With `sameContent`, a table with the same row count but other
 * content is named too.
 */
export function describeTableDifferences<
  T extends { readonly name: string; readonly rows: number },
>(
  expected: readonly T[],
  actual: readonly T[],
  sameContent?: (expected: T, actual: T) => boolean,
): string {
  const found = new Map(actual.map((t) => [t.name, t]));
  const parts: string[] = [];
  for (const table of expected) {
    const seen = found.get(table.name);
    found.delete(table.name);
    if (seen === undefined) parts.push(`table ${table.name} is missing`);
    else if (seen.rows !== table.rows)
      parts.push(`${table.name}: ${table.rows} rows expected, ${seen.rows} found`);
    else if (sameContent && !sameContent(table, seen))
      parts.push(
        `${table.name}: same ${table.rows} rows, other content (a row or a column changed)`,
      );
  }
  for (const name of found.keys()) parts.push(`table ${name} is not in the release`);
  return parts.join("; ");
}
