// A consistent copy of an SQLite database that may be written while it is copied.
//
// Rollback-journal databases (journal_mode delete, truncate, persist): a read transaction
// holds SQLite's SHARED lock, and while it is held no writer can change a byte of the file (a
// writer needs the EXCLUSIVE lock to write it). The bytes are copied under that lock: a point
// in time, byte for byte, so a store sealed with `sqlite.identity: bytes` restores exactly.
//
// WAL databases: committed pages may still be in the -wal file and a checkpoint may write the
// main file under a reader, so no copy of the files is safe. The online backup API copies the
// pages of one read snapshot, in one step, into a new database. Its header counters differ from
// the original's, so such a file matches a release only by content (`sqlite.identity: content`).
import Database from "better-sqlite3";
import { copyFileWithDigest, type CopiedFile } from "../util/copy-file.js";
import { digestFile } from "../store/file-digest.js";

export type SQLiteCopy = CopiedFile & { readonly method: "locked-copy" | "backup-api" };

/** The files SQLite keeps beside a database; their content is part of its consistent copy. */
export const SQLITE_SIDECARS = ["-wal", "-shm", "-journal"];

/** How long to wait for a writer holding the database before giving up (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 30_000;
/** Pages per backup step: all of them, so the copy is one read snapshot. */
const ALL_PAGES = 2 ** 31 - 1;

export async function copySQLiteConsistently(from: string, to: string): Promise<SQLiteCopy> {
  const db = new Database(from, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const journalMode = String(db.pragma("journal_mode", { simple: true })).toLowerCase();
    if (journalMode === "wal") {
      await db.backup(to, { progress: () => ALL_PAGES });
      const { size, digest } = await digestFile(to);
      return { size, digest, method: "backup-api" };
    }
    db.exec("BEGIN");
    try {
      // The first read takes the SHARED lock; it is held until COMMIT.
      db.prepare("SELECT count(*) FROM sqlite_schema").get();
      const copied = await copyFileWithDigest(from, to);
      return { ...copied, method: "locked-copy" };
    } finally {
      db.exec("COMMIT");
    }
  } finally {
    db.close();
  }
}
