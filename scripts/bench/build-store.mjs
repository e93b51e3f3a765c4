// Builds a synthetic store root of about `sizeBytes`: many small files in nested directories
// (text, JSON and random bytes), a few large random files, and one SQLite dataset of rows with
// text and blobs. Random bytes come from one pool so that building is bounded by the disk,
// not by the random generator; gzip cannot shrink them (its window is 32 KiB).
import { randomFillSync, randomInt } from "node:crypto";
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEvents } from "node:timers/promises";
import Database from "better-sqlite3";

// Shares of the store, as in issue 7's example: 20 000 files of 1-64 KiB, 4 x 256 MiB, ~400 MB.
const SMALL_SHARE = 0.3;
const SQLITE_SHARE = 0.2;
const LARGE_FILES = 4;
const SMALL_MIN = 1024;
const SMALL_MAX = 64 * 1024;
const FILES_PER_DIR = 100;
const POOL_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 8 * 1024 * 1024;

const WORDS = (
  "atlas river harbour station north south east west valley ridge mountain coast island " +
  "city town village airport runway weather normal monthly mean rainfall temperature wind " +
  "population district region province elevation latitude longitude record dataset release " +
  "serving store backup restore verify drill report catalog summary index page block"
).split(" ");

export function makeRandomPool() {
  return randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
}

export function makeTextPool(bytes) {
  const lines = [];
  let length = 0;
  while (length < bytes) {
    const words = Array.from({ length: 6 + randomInt(10) }, () => WORDS[randomInt(WORDS.length)]);
    const line = `${randomInt(1_000_000)},${words.join(" ")},${(randomInt(1e6) / 1e3).toFixed(3)}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join(""), "utf8");
}

/** `length` bytes starting at a random place of `pool` (a view, not a copy). */
export function sliceOf(pool, length) {
  const start = randomInt(pool.length - length + 1);
  return pool.subarray(start, start + length);
}

function smallFileContent(index, randomPool, textPool) {
  const size = SMALL_MIN + randomInt(SMALL_MAX - SMALL_MIN + 1);
  switch (index % 10) {
    case 0: {
      const text = sliceOf(textPool, Math.max(16, size - 64)).toString("latin1");
      return {
        ext: "json",
        bytes: Buffer.from(`${JSON.stringify({ id: index, lines: text.split("\n") })}\n`),
      };
    }
    case 1:
    case 2:
    case 3:
    case 4:
      return { ext: "csv", bytes: sliceOf(textPool, size) };
    default:
      return { ext: "bin", bytes: sliceOf(randomPool, size) };
  }
}

async function writeSmallFiles(root, count, randomPool, textPool) {
  const leaves = Math.max(1, Math.ceil(count / FILES_PER_DIR));
  const fanout = Math.max(1, Math.ceil(Math.sqrt(leaves)));
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const leaf = i % leaves;
    const dir = join(
      root,
      "files",
      `d${String(Math.floor(leaf / fanout)).padStart(3, "0")}`,
      `e${String(leaf % fanout).padStart(3, "0")}`,
    );
    if (i < leaves) mkdirSync(dir, { recursive: true });
    const { ext, bytes: content } = smallFileContent(i, randomPool, textPool);
    writeFileSync(join(dir, `f${String(i).padStart(6, "0")}.${ext}`), content);
    bytes += content.length;
    if (i % 500 === 499) await yieldToEvents(); // let Ctrl-C be handled
  }
  return bytes;
}

async function writeLargeFile(path, size, randomPool) {
  const fd = openSync(path, "w");
  try {
    for (let written = 0; written < size;) {
      const length = Math.min(CHUNK_BYTES, size - written);
      writeSync(fd, sliceOf(randomPool, length));
      written += length;
      await yieldToEvents();
    }
  } finally {
    closeSync(fd);
  }
}

/** A rollback-journal database (not WAL), so verify opens it in place, read-only. */
export async function writeSQLite(path, targetBytes, randomPool, textPool) {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -65536");
    db.exec(`CREATE TABLE items (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, score REAL,
      body TEXT NOT NULL, payload BLOB NOT NULL);
      CREATE INDEX items_name ON items (name);
      CREATE TABLE kinds (kind TEXT PRIMARY KEY, description TEXT) WITHOUT ROWID;`);
    const kinds = WORDS.slice(0, 12);
    const insertKind = db.prepare("INSERT INTO kinds VALUES (?, ?)");
    for (const kind of kinds) insertKind.run(kind, `${kind} records`);
    const insert = db.prepare("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)");
    const batch = db.transaction((from, count) => {
      for (let id = from; id < from + count; id++) {
        insert.run(
          id,
          `${WORDS[randomInt(WORDS.length)]}-${randomInt(1_000_000_000)}`,
          kinds[id % kinds.length],
          randomInt(1e9) / 1e3,
          sliceOf(textPool, 200 + randomInt(1300)).toString("latin1"),
          sliceOf(randomPool, 512 + randomInt(2560)),
        );
      }
    });
    // About 3.7 KB a row once pages and the index are counted; check the file as it grows.
    let id = 1;
    for (;;) {
      const size = statSync(path).size;
      if (size >= targetBytes) break;
      const rows = Math.max(200, Math.min(20_000, Math.ceil((targetBytes - size) / 4000)));
      batch(id, rows);
      id += rows;
      await yieldToEvents();
    }
    return { rows: id - 1 };
  } finally {
    db.close();
  }
}

/**
 * Writes the store into `root` (created) and says what is in it. Tiny sizes still give every
 * kind of file: at least 20 small files, 4 large ones and a database of a few hundred KiB.
 */
export async function buildStore(root, sizeBytes) {
  mkdirSync(join(root, "datasets"), { recursive: true });
  mkdirSync(join(root, "large"), { recursive: true });
  const randomPool = makeRandomPool();
  const textPool = makeTextPool(8 * 1024 * 1024);
  const smallTarget = sizeBytes * SMALL_SHARE;
  const sqliteTarget = Math.max(256 * 1024, sizeBytes * SQLITE_SHARE);
  const largeEach = Math.max(
    64 * 1024,
    Math.floor((sizeBytes - smallTarget - sqliteTarget) / LARGE_FILES),
  );
  const smallCount = Math.max(20, Math.round(smallTarget / ((SMALL_MIN + SMALL_MAX) / 2)));

  const smallBytes = await writeSmallFiles(root, smallCount, randomPool, textPool);
  for (let i = 0; i < LARGE_FILES; i++)
    await writeLargeFile(join(root, "large", `blob-${i}.bin`), largeEach, randomPool);
  const database = join(root, "datasets", "bench.sqlite");
  const { rows } = await writeSQLite(database, sqliteTarget, randomPool, textPool);
  const sqliteBytes = statSync(database).size;
  return {
    files: smallCount + LARGE_FILES + 1,
    bytes: smallBytes + LARGE_FILES * largeEach + sqliteBytes,
    small: { files: smallCount, bytes: smallBytes },
    large: { files: LARGE_FILES, bytes: LARGE_FILES * largeEach },
    sqlite: { path: database, bytes: sqliteBytes, rows },
  };
}
