// The content digest is the dbhash byte stream. Hashed with SHA-1 it must equal the output of
// SQLite's real `dbhash` tool, recorded in test/fixtures/dbhash/expected.json for databases the
// .sql files beside it build (see that folder's README for how the values were produced).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { hashSQLiteContent } from "../../src/store/sqlite-content.js";
import { inspectSQLite } from "../../src/store/sqlite-inspect.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const FIXTURES = new URL("../fixtures/dbhash/", import.meta.url).pathname;
const expected = (
  JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as {
    cases: Record<string, string>;
  }
).cases;
const scripts = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".sql"))
  .sort();

function buildDatabase(script: string): string {
  const path = join(makeTempDir("recoverable-dbhash-"), "db.sqlite");
  const db = new Database(path);
  db.exec(readFileSync(join(FIXTURES, script), "utf8"));
  db.close();
  return path;
}

function contentOf(path: string, algorithm: "sha1" | "sha256") {
  const db = new Database(path, { readonly: true });
  try {
    return hashSQLiteContent(db, algorithm);
  } finally {
    db.close();
  }
}

describe("hashSQLiteContent with SHA-1", () => {
  it("has a golden value for every fixture script", () => {
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(expected).sort()).toEqual(scripts);
  });

  it.each(scripts)("equals SQLite's dbhash output for %s", (script) => {
    expect(contentOf(buildDatabase(script), "sha1").contentDigestHex).toBe(expected[script]);
  });
});

describe("the content digest", () => {
  it("survives VACUUM and a change of page size, where the byte digest does not", () => {
    const path = buildDatabase(scripts[0] ?? "");
    const before = contentOf(path, "sha256").contentDigestHex;
    const bytesBefore = readFileSync(path);
    const db = new Database(path);
    db.exec("PRAGMA page_size=8192; VACUUM;");
    db.close();
    expect(readFileSync(path).equals(bytesBefore)).toBe(false);
    expect(contentOf(path, "sha256").contentDigestHex).toBe(before);
  });

  it("survives the online backup API", async () => {
    const path = buildDatabase(scripts[1] ?? "");
    const copy = join(makeTempDir("recoverable-dbhash-"), "backup.sqlite");
    const db = new Database(path, { readonly: true });
    await db.backup(copy);
    db.close();
    expect(contentOf(copy, "sha256").contentDigestHex).toBe(
      contentOf(path, "sha256").contentDigestHex,
    );
  });

  it("changes when one value of one row changes, and counts rows per table", () => {
    const path = join(makeTempDir("recoverable-dbhash-"), "db.sqlite");
    const db = new Database(path);
    db.exec(
      "CREATE TABLE Cities(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Cities VALUES (1, 'Oslo'), (2, 'Lima');",
    );
    db.close();
    const before = contentOf(path, "sha256");
    expect(before.tables).toEqual([{ name: "Cities", rows: 2 }]);
    const edit = new Database(path);
    edit.exec("UPDATE Cities SET name = 'Lim a' WHERE id = 2");
    edit.close();
    expect(contentOf(path, "sha256").contentDigestHex).not.toBe(before.contentDigestHex);
  });

  it("is the same through inspectSQLite, which also runs the integrity check", async () => {
    const path = buildDatabase(scripts[2] ?? "");
    const inspection = await inspectSQLite(path, readFileSync(path).subarray(0, 100), "sha1");
    expect(inspection).toMatchObject({ ok: true, contentDigestHex: expected[scripts[2] ?? ""] });
  });
});
