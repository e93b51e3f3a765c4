// The library's content digest of one SQLite file. Its own module, so that the declarations a
// library user loads never name better-sqlite3's types (a devDependency).
import { resolve } from "node:path";
import type { TableRows } from "../documents/types.js";
import { RecoverableError } from "../findings/errors.js";
import { createFinding } from "../findings/finding.js";
import type { DigestSet } from "../identity/digest.js";
import { readHead } from "../util/read-head.js";
import { inspectSQLite } from "./sqlite-inspect.js";

/** An SQLite file's content digest (DESIGN.md, like `dbhash`) and its tables' row counts. */
export type SQLiteFileContent = {
  readonly contentDigest: DigestSet;
  readonly tables: readonly TableRows[];
};

/**
 * The library's way to the content digest of one SQLite file, read the careful way of inspectSQLite (the
 * file and its directory are never changed), as SQLite reads it: with a -wal or hot -journal
 * beside it, when there is one. A file SQLite cannot read is a RecoverableError
 * with `sqlite_integrity_check_failed`, naming the file.
 */
export async function sqliteContentDigest(path: string): Promise<SQLiteFileContent> {
  const absolutePath = resolve(path);
  const inspection = await inspectSQLite(
    absolutePath,
    await readHead(absolutePath, 100),
    "sha256",
    "content",
  );
  if (!inspection.ok)
    throw new RecoverableError(
      createFinding("sqlite_integrity_check_failed", {
        subject: path,
        message: `${path}: SQLite cannot read it (${inspection.error})`,
      }),
    );
  return { contentDigest: { sha256: inspection.contentDigestHex }, tables: inspection.tables };
}
