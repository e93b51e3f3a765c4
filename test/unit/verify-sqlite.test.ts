// verifyStore's SQLite checks: the integrity check always runs; the content digest is computed
// when the bytes differ from the release's or a journal beside the file can change what SQLite
// reads, and is otherwise implied by the equal bytes (seal took it from those very bytes).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Manifest, SQLiteIdentity } from "../../src/documents/types.js";
import { hashSQLiteContent } from "../../src/store/sqlite-content.js";
import { verifyStore } from "../../src/store/verify-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const WRONG = { sha256: "e".repeat(64) };

function makeDatabase(path: string, rows: number): void {
  const db = new Database(path);
  db.exec("CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO cities (name) VALUES (?)");
  for (let i = 0; i < rows; i++) insert.run(`city ${i}`);
  db.close();
}

function contentOf(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return hashSQLiteContent(db);
  } finally {
    db.close();
  }
}

/** A store of one database and the manifest entry seal would write (or a doctored one). */
function storeWith(
  identity: SQLiteIdentity,
  contentDigest?: { sha256: string },
): { root: string; file: string; manifest: Manifest } {
  const root = makeTempDir();
  const file = join(root, "cities.sqlite");
  makeDatabase(file, 200);
  const bytes = readFileSync(file);
  const content = contentOf(file);
  const manifest: Manifest = {
    schemaVersion: 1,
    artifacts: [
      {
        path: "cities.sqlite",
        kind: "sqlite",
        role: "durable",
        size: bytes.length,
        digest: { sha256: createHash("sha256").update(bytes).digest("hex") },
        sqlite: {
          contentDigest: contentDigest ?? { sha256: content.contentDigestHex },
          tables: content.tables,
          identity,
        },
      },
    ],
  };
  return { root, file, manifest };
}

const codes = async (root: string, manifest: Manifest) =>
  (await verifyStore(root, manifest, { concurrency: 2 })).findings
    .filter((f) => f.code !== "unexpected_artifact")
    .map((f) => f.code);

describe("verifyStore on SQLite artifacts", () => {
  it("takes the content as proven by equal bytes, and still counts both checks", async () => {
    // The manifest's content digest is doctored: only a recomputation could notice.
    const { root, manifest } = storeWith("bytes", WRONG);
    const result = await verifyStore(root, manifest, { concurrency: 2 });
    expect(result.findings).toEqual([]);
    expect(result.checked.byCheck.sqlite_integrity).toBe(1);
    expect(result.checked.byCheck.sqlite_content).toBe(1);
  });

  it("computes the content when a journal lies beside the database", async () => {
    const { root, file, manifest } = storeWith("bytes", WRONG);
    writeFileSync(`${file}-wal`, "");
    expect(await codes(root, manifest)).toEqual(["sqlite_content_mismatch"]);
  });

  it("computes the content when the bytes differ, and says which table changed", async () => {
    const { root, file, manifest } = storeWith("bytes");
    const db = new Database(file);
    db.exec("DELETE FROM cities WHERE id = 7");
    db.close();
    const result = await verifyStore(root, manifest, { concurrency: 2 });
    expect(result.findings.map((f) => f.code)).toEqual([
      "artifact_hash_mismatch",
      "sqlite_content_mismatch",
    ]);
    const content = result.findings.find((f) => f.code === "sqlite_content_mismatch");
    expect(content?.message).toContain("cities: 200 rows expected, 199 found");
  });

  it("with identity content, accepts other bytes holding the same rows, refuses other rows", async () => {
    const { root, file, manifest } = storeWith("content");
    const before = readFileSync(file);
    const db = new Database(file);
    db.exec("UPDATE cities SET name = name WHERE id = 1; VACUUM");
    db.close();
    expect(readFileSync(file).equals(before)).toBe(false);
    expect(await codes(root, manifest)).toEqual([]);
    const changed = new Database(file);
    changed.exec("UPDATE cities SET name = 'renamed' WHERE id = 3");
    changed.close();
    expect(await codes(root, manifest)).toEqual(["sqlite_content_mismatch"]);
  });
});
