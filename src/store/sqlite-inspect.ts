// Opens an SQLite artifact without ever changing or creating a file in the store root, then
// runs the integrity check and computes the content digest and row counts, of the database as
// SQLite reads it: with the -wal or hot -journal beside it, when there is one.
//
// SQLite's `immutable=1` URI parameter would be the direct way for the main file alone, but
// better-sqlite3 is built with SQLITE_USE_URI=0 and passes no SQLITE_OPEN_URI flag, so URIs are
// not available; and no read-only mode reads a -wal without its -shm or rolls back a journal.
// A read-only connection on a rollback-journal database with nothing beside it creates and
// changes nothing, so it is opened in place. Any other database (WAL mode, or a -wal,
// -journal or -shm beside it) is opened from a private copy in a temporary directory (a
// reflink where the file system has them): the main file and its -wal and -journal, opened
// read-write when a sidecar came along, so SQLite reads the -wal's frames and rolls back a hot
// journal there exactly as the next program to open the store would, and never in the store.
import { copyFile, mkdtemp, rm, access } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  hashEachTable,
  hashSQLiteContent,
  type SQLiteContent,
  type TableDigest,
} from "./sqlite-content.js";
import { isWALMode } from "./sqlite-header.js";
import { findSidecars, type ContentSidecar } from "./sqlite-sidecars.js";
import { readSQLiteShape } from "./sqlite-shape.js";
import type { DatabaseShape } from "../documents/types.js";

export type SQLiteInspection =
  | ({
      readonly ok: true;
      readonly integrity: readonly string[];
      /** The sidecars SQLite read with the main file ("-wal", "-journal"); empty for none. */
      readonly sidecars: readonly ContentSidecar[];
      /** Only from the "shape" part: the tables, columns, indexes, views and triggers. */
      readonly shape?: DatabaseShape;
    } & SQLiteContent)
  | { readonly ok: false; readonly error: string };

/** A sidecar that cannot be read safely: the inspection says why instead of opening anything. */
class SidecarRefused extends Error {}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `inspect` on a connection that cannot touch the store root, and names the sidecars read. */
async function withReadOnlyDatabase<T>(
  absolutePath: string,
  head: Uint8Array,
  inspect: (db: Database.Database) => T,
): Promise<{ readonly result: T; readonly sidecars: readonly ContentSidecar[] }> {
  const found = await findSidecars(absolutePath);
  if ("refused" in found) throw new SidecarRefused(found.refused);
  const sidecars = found.read;
  let privateDir: string | null = null;
  let openPath = absolutePath;
  try {
    if (isWALMode(head) || sidecars.length > 0 || (await exists(`${absolutePath}-shm`))) {
      privateDir = await mkdtemp(join(tmpdir(), "recoverable-sqlite-"));
      openPath = join(privateDir, "db.sqlite");
      for (const suffix of ["", ...sidecars])
        await copyFile(absolutePath + suffix, openPath + suffix, constants.COPYFILE_FICLONE);
    }
    // Read-write only on a private copy with a sidecar: a hot journal needs it to roll back.
    const db = new Database(openPath, { readonly: sidecars.length === 0, fileMustExist: true });
    try {
      // SQLite's own default page cache (2 000 KiB) instead of better-sqlite3's 16 000: the
      // checks read each page about once, so the larger cache only held 14 MiB more for as long
      // as the check ran, beside the hashing (the integrity check of the 1.6 GiB bench
      // database took 1.47 s with it and 1.37 s without).
      db.pragma("cache_size = -2000");
      return { result: inspect(db), sidecars };
    } finally {
      db.close();
    }
  } finally {
    if (privateDir) await rm(privateDir, { recursive: true, force: true });
  }
}

export type InspectionParts = "both" | "integrity" | "content" | "shape";

/**
 * Integrity check plus content digest; a database SQLite cannot read is `ok: false`. `parts`
 * runs only one of them (the other's fields empty), so the two can run on two cores, each on
 * its own connection. "shape" reads the schema and each table's row count instead (`tables`).
 */
export async function inspectSQLite(
  absolutePath: string,
  head: Uint8Array,
  algorithm: "sha256" | "sha1" = "sha256",
  parts: InspectionParts = "both",
): Promise<SQLiteInspection> {
  try {
    const { result, sidecars } = await withReadOnlyDatabase(absolutePath, head, (db) => {
      if (parts === "shape") {
        const { shape, rows } = readSQLiteShape(db);
        return { ok: true as const, integrity: [], contentDigestHex: "", tables: rows, shape };
      }
      let integrity: string[] = [];
      if (parts !== "content") {
        integrity = db.prepare("PRAGMA integrity_check").pluck().all() as string[];
        if (integrity.length !== 1 || integrity[0] !== "ok")
          return { ok: false as const, error: integrity.slice(0, 5).join("; ") };
      }
      if (parts === "integrity")
        return { ok: true as const, integrity, contentDigestHex: "", tables: [] };
      return { ok: true as const, integrity, ...hashSQLiteContent(db, algorithm) };
    });
    return result.ok ? { ...result, sidecars } : result;
  } catch (error) {
    return { ok: false, error: readFailure(error) };
  }
}

/** Why SQLite could not read a database; anything else is not the database's fault. */
function readFailure(error: unknown): string {
  if (error instanceof Database.SqliteError) return `${error.code}: ${error.message}`;
  if (error instanceof SidecarRefused) return error.message;
  throw error;
}

/** Each table's row count and digest, read the same careful way; null when SQLite cannot read it. */
export async function digestTables(
  absolutePath: string,
  head: Uint8Array,
): Promise<TableDigest[] | { readonly error: string }> {
  try {
    return (await withReadOnlyDatabase(absolutePath, head, hashEachTable)).result;
  } catch (error) {
    return { error: readFailure(error) };
  }
}
