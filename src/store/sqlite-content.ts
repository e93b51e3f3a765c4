// The content digest of an SQLite database: exactly the byte stream SQLite's `dbhash` tool
// hashes, so it survives VACUUM, the online backup API and page reordering (DESIGN.md). With
// SHA-1 it equals dbhash's output, which is how it is tested; recoverable records SHA-256.
import { createHash, type Hash } from "node:crypto";
import type { Database } from "better-sqlite3";
import type { TableRows } from "../documents/types.js";

/** dbhash's table selection, kept verbatim: LIKE is case-insensitive and `_` matches any char. */
const CONTENT_TABLES_SQL = `SELECT name FROM sqlite_schema
 WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'
   AND name NOT LIKE 'sqlite_%'
 ORDER BY name COLLATE nocase`;

const SCHEMA_SQL = `SELECT type, name, tbl_name, sql FROM sqlite_schema
 ORDER BY name COLLATE nocase`;

const FLUSH_BYTES = 64 * 1024;

/** Batches the many tiny writes of the stream into large hash updates. */
class HashSink {
  private readonly buffer = Buffer.allocUnsafe(FLUSH_BYTES);
  private used = 0;

  constructor(private readonly hash: Hash) {}

  write(bytes: Uint8Array): void {
    if (bytes.length > FLUSH_BYTES - this.used) {
      this.flush();
      if (bytes.length > FLUSH_BYTES) {
        this.hash.update(bytes);
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  writeByte(byte: number): void {
    if (this.used === FLUSH_BYTES) this.flush();
    this.buffer[this.used++] = byte;
  }

  /** UTF-8 of `text`, encoded straight into the buffer when it fits (no Buffer per value). */
  writeString(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (text.length * 3 > FLUSH_BYTES - this.used) {
      this.flush();
      if (text.length * 3 > FLUSH_BYTES) {
        this.hash.update(text, "utf8");
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, "utf8");
  }

  writeTyped(
    type: number,
    payload: (target: Buffer, offset: number) => void,
    length: number,
  ): void {
    if (1 + length > FLUSH_BYTES - this.used) this.flush();
    this.buffer[this.used] = type;
    payload(this.buffer, this.used + 1);
    this.used += 1 + length;
  }

  flush(): void {
    if (this.used > 0) this.hash.update(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  digestHex(): string {
    this.flush();
    return this.hash.digest("hex");
  }
}

const TYPE_NULL = 0x30; // "0"
const TYPE_INTEGER = 0x31; // "1"
const TYPE_FLOAT = 0x32; // "2"
const TYPE_TEXT = 0x33; // "3"
const TYPE_BLOB = 0x34; // "4"

function writeValue(sink: HashSink, value: unknown): void {
  if (value === null) {
    sink.writeByte(TYPE_NULL);
  } else if (typeof value === "bigint") {
    sink.writeTyped(TYPE_INTEGER, (b, o) => b.writeBigInt64BE(value, o), 8);
  } else if (typeof value === "number") {
    sink.writeTyped(TYPE_FLOAT, (b, o) => b.writeDoubleBE(value, o), 8);
  } else if (typeof value === "string") {
    sink.writeByte(TYPE_TEXT);
    sink.writeString(value);
  } else if (value instanceof Uint8Array) {
    sink.writeByte(TYPE_BLOB);
    sink.write(value);
  } else {
    throw new TypeError(`unexpected SQLite value of type ${typeof value}`);
  }
}

/** Hashes every row of a query (raw arrays, integers as bigint) and returns the row count. */
function hashQuery(db: Database, sql: string, sink: HashSink): number {
  const statement = db.prepare(sql).raw(true).safeIntegers(true);
  let rows = 0;
  for (const row of statement.iterate() as Iterable<unknown[]>) {
    for (const value of row) writeValue(sink, value);
    rows++;
  }
  return rows;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export type SQLiteContent = { readonly contentDigestHex: string; readonly tables: TableRows[] };

/**
 * Streams the dbhash byte stream of an open database into `algorithm` (sha256 by default),
 * counting the rows of each content table on the way.
 */
export function hashSQLiteContent(
  db: Database,
  algorithm: "sha256" | "sha1" = "sha256",
): SQLiteContent {
  const sink = new HashSink(createHash(algorithm));
  const names = db.prepare(CONTENT_TABLES_SQL).pluck().all() as string[];
  const tables: TableRows[] = names.map((name) => ({
    name,
    rows: hashQuery(db, `SELECT * FROM ${quoteIdentifier(name)}`, sink),
  }));
  hashQuery(db, SCHEMA_SQL, sink);
  return { contentDigestHex: sink.digestHex(), tables };
}

export type TableDigest = TableRows & { readonly sha256: string };

/** Each content table's rows hashed on their own, to say which tables differ between two databases. */
export function hashEachTable(db: Database): TableDigest[] {
  const names = db.prepare(CONTENT_TABLES_SQL).pluck().all() as string[];
  return names.map((name) => {
    const sink = new HashSink(createHash("sha256"));
    const rows = hashQuery(db, `SELECT * FROM ${quoteIdentifier(name)}`, sink);
    return { name, rows, sha256: sink.digestHex() };
  });
}
