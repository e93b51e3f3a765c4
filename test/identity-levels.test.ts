// Identity levels (docs/live-data.md) through the CLI, one rule at a time on a small store:
// pg_dumps sealed at content and at schema (real PostgreSQL), JSON at content and schema, a
// live directory's members, present files, the seal's refusals, a WAL database being written
// while it is sealed, excludes, and the record an exported snapshot carries.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { POLICY } from "./helpers/fixture-store.js";
import { startSourceServer, type SourceServer } from "./helpers/postgres.js";
import { makeTempDir } from "./helpers/temp-dir.js";

type Rule = Record<string, unknown>;
type Artifact = { path: string; level?: string; kind: string };

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A store root under `dir/store`, with the fixture's policy and a drill config of `rules`. */
function storeWith(
  files: Record<string, string | Buffer>,
  identity: Rule[],
  extra: Record<string, unknown> = {},
) {
  const dir = makeTempDir("recoverable-levels-");
  mkdirSync(join(dir, "store"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, "store", path, ".."), { recursive: true });
    writeFileSync(join(dir, "store", path), content);
  }
  mkdirSync(join(dir, "ops/datasets"), { recursive: true });
  writeFileSync(join(dir, "ops/datasets/rollback-policy.json"), json(POLICY));
  const config = { schemaVersion: 1, store: { root: "store" }, identity, ...extra };
  writeFileSync(join(dir, "ops/drill.json"), json(config));
  const cli = (args: readonly string[]): CLIRun => runCLI([...args, "--json"], { cwd: dir });
  return {
    dir,
    path: (relative: string) => join(dir, "store", relative),
    cli,
    seal: () => cli(["seal", "--release-id", "fixture-1.2.3", "--release-version", "1.2.3"]),
    manifest: () =>
      (
        JSON.parse(readFileSync(join(dir, "ops/release/evidence/manifest.json"), "utf8")) as {
          artifacts: Artifact[];
        }
      ).artifacts,
  };
}

describe("a pg_dump sealed with an identity level", () => {
  let source: SourceServer;
  beforeAll(async () => {
    source = await startSourceServer();
    source.psql("postgres", "CREATE DATABASE shop;");
    source.psql(
      "shop",
      `CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric);
       INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 50) AS g;`,
    );
  }, 120_000);
  afterAll(async () => {
    await source.stop();
  });

  const dumped = (level: string) => {
    // Dumps are restored into scratch databases of the source server: no server per run.
    const { socketDir, port, user } = source.server;
    const url = `postgresql:///postgres?host=${encodeURIComponent(socketDir)}&port=${port}&user=${user}`;
    const store = storeWith({}, [{ pattern: "dumps/*.pgdump", level }], { postgres: { url } });
    mkdirSync(store.path("dumps"));
    const dump = () => {
      source.dump("shop", store.path("dumps/shop.pgdump"));
    };
    dump();
    const sealed = store.seal();
    expect(sealed.code, sealed.stdout).toBe(0);
    return { ...store, dump };
  };

  it("at content, passes a fresh dump of the unchanged database and fails one changed row with pgdump_content_mismatch naming the table", () => {
    const store = dumped("content");
    expect(store.manifest().find((a) => a.path === "dumps/shop.pgdump")?.level).toBe("content");
    const before = readFileSync(store.path("dumps/shop.pgdump"));
    store.dump();
    // pg_dump writes its time into the archive: other bytes, the same content.
    expect(readFileSync(store.path("dumps/shop.pgdump")).equals(before)).toBe(false);
    const again = store.cli(["verify"]);
    expect(again.code, again.stdout).toBe(0);
    source.psql("shop", "UPDATE items SET price = 0 WHERE id = 7;");
    store.dump();
    const changed = store.cli(["verify"]);
    source.psql("shop", "UPDATE items SET price = 10.5 WHERE id = 7;");
    expect(changed.code).toBe(1);
    expect(changed.json()).toHaveFinding("pgdump_content_mismatch", "dumps/shop.pgdump");
    expect(changed.json().findings[0]?.message).toContain("public.items");
  }, 120_000);

  it("at schema, passes changed rows and fails a dropped column with schema_mismatch", () => {
    const store = dumped("schema");
    source.psql(
      "shop",
      "INSERT INTO items VALUES (51, 'item 51', 1); DELETE FROM items WHERE id = 3;",
    );
    store.dump();
    const rows = store.cli(["verify"]);
    expect(rows.code, rows.stdout).toBe(0);
    source.psql("shop", "ALTER TABLE items DROP COLUMN price;");
    store.dump();
    const dropped = store.cli(["verify"]);
    source.psql("shop", "ALTER TABLE items ADD COLUMN price numeric;");
    expect(dropped.code).toBe(1);
    expect(dropped.json()).toHaveFinding("schema_mismatch", "dumps/shop.pgdump");
    expect(dropped.json().findings[0]?.message).toBe(
      "dumps/shop.pgdump: column public.items.price (sealed: numeric) is missing",
    );
  }, 120_000);
});

describe("JSON, directories and files at the content, schema and present levels", () => {
  const registry = { version: 1, projects: [{ id: "p05", name: "P05" }] };
  const schema = {
    type: "object",
    required: ["projects"],
    properties: { projects: { type: "array", items: { type: "object", required: ["id"] } } },
  };

  it("holds a content-level JSON by its RFC 8785 digest: reformatted passes, a changed value is json_content_mismatch", () => {
    const store = storeWith({ "registry.json": json(registry) }, [
      { pattern: "*.json", level: "content" },
    ]);
    expect(store.seal().code).toBe(0);
    writeFileSync(
      store.path("registry.json"),
      `{"projects":[{"name":"P05","id":"p05"}],"version":1}`,
    );
    expect(store.cli(["verify"]).code).toBe(0);
    writeFileSync(store.path("registry.json"), json({ ...registry, version: 2 }));
    const run = store.cli(["verify"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("json_content_mismatch", "registry.json");
  });

  it("holds a schema-level JSON by the JSON Schema sealed with it, and refuses to seal one that breaks it", () => {
    const store = storeWith({ "registry.json": json(registry) }, [
      { pattern: "registry.json", level: "schema", jsonSchema: "ops/registry.schema.json" },
    ]);
    writeFileSync(join(store.dir, "ops/registry.schema.json"), json(schema));
    expect(store.seal().code).toBe(0);
    // The schema is sealed whole: changing the file afterwards changes nothing.
    writeFileSync(join(store.dir, "ops/registry.schema.json"), json({ type: "string" }));
    writeFileSync(store.path("registry.json"), json({ projects: [{ id: "p06" }, { id: "p07" }] }));
    expect(store.cli(["verify"]).code).toBe(0);
    writeFileSync(store.path("registry.json"), json({ projects: [{ name: "no id" }] }));
    const run = store.cli(["verify"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("schema_mismatch", "registry.json");
    expect(run.json().findings[0]?.message).toContain(
      "/projects/0 must have required property 'id'",
    );
    writeFileSync(join(store.dir, "ops/registry.schema.json"), json(schema));
    const refused = store.seal();
    expect(refused.code).toBe(1);
    expect(refused.json()).toHaveFinding("schema_mismatch", "registry.json");
  });

  it("holds a live directory by its members, whatever else comes and goes, and names no stray in it", () => {
    const store = storeWith({ "index/header.bin": "h", "index/seg-1.bin": "1" }, [
      { pattern: "index", level: "schema", members: ["header.bin", "seg-*.bin"] },
    ]);
    expect(store.seal().code).toBe(0);
    expect(store.manifest().map((a) => a.path)).toEqual(["index"]);
    rmSync(store.path("index/seg-1.bin"));
    writeFileSync(store.path("index/seg-2.bin"), "2");
    const grown = store.cli(["verify"]);
    expect(grown.code).toBe(0);
    expect(grown.json().findings).toEqual([]);
    rmSync(store.path("index/header.bin"));
    const run = store.cli(["verify"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("schema_mismatch", "index");
    expect(run.json().findings[0]?.message).toContain("header.bin");
  });

  it("holds a present file by its kind: other bytes pass, another kind is artifact_kind_mismatch", () => {
    const db = join(makeTempDir(), "x.sqlite");
    const writer = new Database(db);
    writer.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    writer.close();
    const store = storeWith({ "vectors/meta.sqlite": readFileSync(db) }, [
      { pattern: "vectors/*.sqlite", level: "present" },
    ]);
    expect(store.seal().code).toBe(0);
    const grown = new Database(store.path("vectors/meta.sqlite"));
    grown.exec("INSERT INTO t VALUES (2), (3);");
    grown.close();
    expect(store.cli(["verify"]).code).toBe(0);
    writeFileSync(store.path("vectors/meta.sqlite"), "not a database any more");
    const run = store.cli(["verify"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_kind_mismatch", "vectors/meta.sqlite");
  });

  it("refuses a rule that bounds a table the database does not have, or names a schema file that is not there (exit 2)", () => {
    const db = join(makeTempDir(), "x.sqlite");
    const writer = new Database(db);
    writer.exec("CREATE TABLE t(x);");
    writer.close();
    const store = storeWith({ "data.db": readFileSync(db), "r.json": "{}" }, [
      { pattern: "*.db", level: "schema", rows: { interactions: { min: 1 } } },
    ]);
    const bounds = store.seal();
    expect(bounds.code).toBe(2);
    expect(bounds.json()).toHaveFinding("document_invalid", /#\/identity\/0\/rows\/interactions$/);
    const missing = storeWith({ "r.json": "{}" }, [
      { pattern: "*.json", level: "schema", jsonSchema: "ops/absent.schema.json" },
    ]);
    const run = missing.seal();
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable");
    const notSchema = storeWith({ "r.json": "{}" }, [
      { pattern: "*.json", level: "present", maxShrink: "10%" },
    ]);
    expect(notSchema.seal().code).toBe(2);
  });
});

describe("sealing a store that is being written", () => {
  it("records no -wal, -shm or -journal as an artifact, and reads the database as one consistent state, rows still in the -wal included", () => {
    const store = storeWith({}, [{ pattern: "*.db", level: "schema" }]);
    const writer = new Database(store.path("live.db"));
    try {
      writer.pragma("journal_mode = wal");
      writer.pragma("wal_autocheckpoint = 0");
      writer.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);");
      const sealed = store.seal();
      expect(sealed.code, sealed.stdout).toBe(0);
    } finally {
      writer.close();
    }
    const manifest = store.manifest();
    expect(manifest.map((a) => a.path)).toEqual(["live.db"]);
    const facts = (manifest[0] as unknown as { sqlite: { tables: unknown[] } }).sqlite.tables;
    expect(facts).toEqual([{ name: "t", rows: 3 }]);
  });
});

describe("exclude and the record an export carries", () => {
  it("never seals, snapshots or calls a stray what exclude names, and snapshot --exclude leaves out more", () => {
    const store = storeWith({ "data.json": "{}", "logs/a.log": "x", "tmp/scratch": "y" }, [], {
      exclude: ["logs/**"],
    });
    expect(store.seal().code).toBe(0);
    expect(store.manifest().map((a) => a.path)).toEqual(["data.json", "tmp", "tmp/scratch"]);
    writeFileSync(store.path("logs/b.log"), "more");
    expect(store.cli(["verify"]).json().findings).toEqual([]);
    const repo = join(makeTempDir(), "repo");
    const taken = store.cli(["snapshot", "--repo", repo, "--exclude", "tmp/**"]);
    expect(taken.code, taken.stdout).toBe(0);
    const metadata = JSON.parse(
      readFileSync(join(repo, "snapshots", `${String(taken.json()["snapshotId"])}.json`), "utf8"),
    ) as { entries: { path: string }[]; omitted: unknown };
    expect(metadata.entries.map((e) => e.path)).toEqual(["data.json"]);
    expect(metadata.omitted).toEqual({ exclude: ["logs/**", "tmp/**"], roles: [] });
    const diff = store.cli(["snapshots", "diff", "latest", "--repo", repo, "--root", "store"]);
    expect(diff.json()["changes"]).toMatchObject({ added: [], removed: [], modified: [] });
  });

  it("drills an exported snapshot against the record it carries, and a plain tar by content rules only", () => {
    const store = storeWith({ "data.json": json({ a: 1 }), "seg/one.bin": "one" }, [
      { pattern: "*.json", level: "content" },
      { pattern: "seg", level: "present" },
    ]);
    execFileSync(process.execPath, [
      join(import.meta.dirname, "../dist/cli/main.js"),
      "keygen",
      "--out",
      join(store.dir, "keys"),
    ]);
    expect(store.seal().code).toBe(0);
    const repo = join(makeTempDir(), "repo");
    expect(store.cli(["snapshot", "--repo", repo]).code).toBe(0);
    const archive = join(makeTempDir(), "export.tgz");
    expect(
      store.cli(["snapshots", "export", "latest", "--repo", repo, "--out", archive]).code,
    ).toBe(0);
    const drill = (source: string) =>
      store.cli([
        "drill",
        "--source",
        source,
        "--key",
        "keys/drill.key",
        "--out",
        join(makeTempDir(), "o"),
      ]);
    const exported = drill(`tar:${archive}`);
    expect(exported.code, exported.stdout).toBe(0);
    expect(exported.json()["pinned"]).toContain("the backup record (snapshot");
    // The same tree in a tar with the record but one byte of a segment changed.
    const tree = makeTempDir();
    execFileSync("tar", ["-xzf", archive, "-C", tree]);
    writeFileSync(join(tree, "seg/one.bin"), "onE");
    const tampered = join(makeTempDir(), "tampered.tgz");
    execFileSync("tar", [
      "-czf",
      tampered,
      "-C",
      tree,
      ".recoverable-backup-record.json",
      "data.json",
      "seg",
    ]);
    const bad = drill(`tar:${tampered}`);
    expect(bad.code).toBe(1);
    expect(bad.json()).toHaveFinding("artifact_hash_mismatch", "seg/one.bin");
    // Without the record: the content rules only, and the report says so.
    const plain = join(makeTempDir(), "plain.tgz");
    execFileSync("tar", ["-czf", plain, "-C", store.path(""), "."]);
    const unpinned = drill(`tar:${plain}`);
    expect(unpinned.code, unpinned.stdout).toBe(0);
    expect(unpinned.json()).toHaveFinding("bytes_not_pinned");
    expect(unpinned.json()["pinned"]).toContain("content rules only 2");
  });
});

describe("the Atlas example, sealed again with the bytes level it always had", () => {
  it("keeps its release identity 57f05545...", () => {
    const example = copyExample();
    const packet = JSON.parse(
      readFileSync(example.path("ops/release/packet/packet.json"), "utf8"),
    ) as {
      release: { createdAt: string };
    };
    const epoch = String(Date.parse(packet.release.createdAt) / 1000);
    const sealed = runCLI(
      [
        "seal",
        "--json",
        "--root",
        "ops/store",
        "--release-id",
        "atlas-2026.11.1",
        "--release-version",
        "2026.11.1",
      ],
      { cwd: example.dir, env: { SOURCE_DATE_EPOCH: epoch } },
    );
    expect(sealed.code, sealed.stdout).toBe(0);
    expect(sealed.json().releaseIdentity?.sha256).toBe(
      "57f05545bcc18eba4d7a367f0a86bb3faea5767f27f551522a0bba481dd410de",
    );
  }, 120_000);
});
