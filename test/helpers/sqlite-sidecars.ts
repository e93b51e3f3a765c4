// Puts a -wal or a hot -journal beside an SQLite database without changing a byte of the
// database itself, as a writer that crashed (or is still running) leaves them: the -wal comes
// from real SQLite writing to a private copy, the journal is written by hand from the format
// (https://www.sqlite.org/fileformat.html#the_rollback_journal), so the main file stays exactly
// the bytes a release sealed.
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { makeTempDir } from "./temp-dir.js";

/**
 * Runs `sql` on a private copy of `db` in WAL mode with checkpoints off, then copies the
 * copy's -wal (and its -shm when `withShm`) beside `db`: SQLite then reads the change, the
 * main file is unchanged.
 */
export function writeUncheckpointedWAL(db: string, sql: string, withShm = false): void {
  const copy = join(makeTempDir("recoverable-wal-"), "db.sqlite");
  copyFileSync(db, copy);
  const writer = new Database(copy);
  writer.pragma("wal_autocheckpoint = 0");
  writer.pragma("journal_mode = WAL");
  writer.exec(sql);
  copyFileSync(`${copy}-wal`, `${db}-wal`);
  if (withShm) copyFileSync(`${copy}-shm`, `${db}-shm`);
  writer.close(); // checkpoints the private copy only
}

const JOURNAL_MAGIC = Buffer.from("d9d505f920a163d7", "hex");
const SECTOR = 512;

/**
 * A hot rollback journal that holds every page of `before` (a database with the same page
 * size): opening `db` with it beside rolls `db` back to exactly `before`.
 */
export function writeHotJournal(db: string, before: Buffer): void {
  const pageSize = before.readUInt16BE(16) === 1 ? 65536 : before.readUInt16BE(16);
  const pages = before.length / pageSize;
  const header = Buffer.alloc(SECTOR);
  JOURNAL_MAGIC.copy(header, 0);
  header.writeUInt32BE(pages, 8); // records
  header.writeUInt32BE(0, 12); // checksum nonce
  header.writeUInt32BE(pages, 16); // database size before the transaction, in pages
  header.writeUInt32BE(SECTOR, 20);
  header.writeUInt32BE(pageSize, 24);
  const records = Array.from({ length: pages }, (_, index) => {
    const page = before.subarray(index * pageSize, (index + 1) * pageSize);
    const record = Buffer.alloc(4 + pageSize + 4);
    record.writeUInt32BE(index + 1, 0);
    page.copy(record, 4);
    let checksum = 0; // the nonce plus every 200th byte, counted from the end
    for (let at = pageSize - 200; at > 0; at -= 200) checksum = (checksum + (page[at] ?? 0)) >>> 0;
    record.writeUInt32BE(checksum, 4 + pageSize);
    return record;
  });
  writeFileSync(`${db}-journal`, Buffer.concat([header, ...records]));
}

/** The bytes of `db` after `sql` ran on a private copy of it; `db` itself is unchanged. */
export function bytesAfter(db: string, sql: string): Buffer {
  const copy = join(makeTempDir("recoverable-journal-"), "db.sqlite");
  copyFileSync(db, copy);
  const writer = new Database(copy);
  writer.exec(sql);
  writer.close();
  return readFileSync(copy);
}

/** Each of the database's files (main, -wal, -journal, -shm) that exists: its bytes and mtime. */
export function sqliteFiles(db: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const suffix of ["", "-wal", "-journal", "-shm"]) {
    const path = db + suffix;
    if (!existsSync(path)) continue;
    out[suffix || "main"] = `${statSync(path).mtimeMs}:${readFileSync(path).toString("base64")}`;
  }
  return out;
}
