// Opens an SQLite artifact without ever changing or creating a file in the store root, then
// runs the integrity check and computes the content digest and row counts.
//
// SQLite's `immutable=1` URI parameter would be the direct way, but better-sqlite3 is built
// with SQLITE_USE_URI=0 and passes no SQLITE_OPEN_URI flag, so URIs are not available. A
// read-only connection on a rollback-journal database with no journal beside it creates and
// changes nothing. A WAL-mode database (or one with a -wal or -journal file beside it) would
// make even a read-only connection create -wal and -shm files, so it is opened from a private
// copy in a temporary directory instead (a reflink where the file system has them). The copy
// holds exactly the main file's bytes, which is what `immutable=1` would read too.
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
import { readSQLiteShape } from "./sqlite-shape.js";
import type { DatabaseShape } from "../documents/types.js";

export type SQLiteInspection =
  | ({
      readonly ok: true;
      readonly integrity: readonly string[];
      /** Only from the "shape" part: the tables, columns, indexes, views and triggers. */
      readonly shape?: DatabaseShape;
    } & SQLiteContent)
  | { readonly ok: false; readonly error: string };

const SIDECARS = ["-wal", "-journal", "-shm"];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function needsPrivateCopy(absolutePath: string, head: Uint8Array): Promise<boolean> {
  if (isWALMode(head)) return true;
  for (const suffix of SIDECARS) if (await exists(absolutePath + suffix)) return true;
  return false;
}

/** Runs `inspect` on a read-only connection that cannot touch the store root. */
async function withReadOnlyDatabase<T>(
  absolutePath: string,
  head: Uint8Array,
  inspect: (db: Database.Database) => T,
): Promise<T> {
  let privateDir: string | null = null;
  let openPath = absolutePath;
  try {
    if (await needsPrivateCopy(absolutePath, head)) {
      privateDir = await mkdtemp(join(tmpdir(), "recoverable-sqlite-"));
      openPath = join(privateDir, "db.sqlite");
      await copyFile(absolutePath, openPath, constants.COPYFILE_FICLONE);
    }
    const db = new Database(openPath, { readonly: true, fileMustExist: true });
    try {
      // SQLite's own default page cache (2 000 KiB) instead of better-sqlite3's 16 000: the
      // checks read each page about once, so the larger cache only held 14 MiB more for as long
      // as the check ran, beside the hashing (the integrity check of the 1.6 GiB bench
      // database took 1.47 s with it and 1.37 s without).
      db.pragma("cache_size = -2000");
      return inspect(db);
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
    return await withReadOnlyDatabase(absolutePath, head, (db) => {
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
  } catch (error) {
    if (error instanceof Database.SqliteError)
      return { ok: false, error: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** Each table's row count and digest, read the same careful way; null when SQLite cannot read it. */
export async function digestTables(
  absolutePath: string,
  head: Uint8Array,
): Promise<TableDigest[] | { readonly error: string }> {
  try {
    return await withReadOnlyDatabase(absolutePath, head, hashEachTable);
  } catch (error) {
    if (error instanceof Database.SqliteError) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
}
