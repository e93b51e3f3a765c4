// pg_dump datasets, as a user meets them: the bundled example copied to a temp dir, real
// PostgreSQL servers (a source server made here for pg_dump, and the throwaway server each
// run of the CLI makes for itself), real dumps changed one way each. After every run, its
// private TMPDIR must be empty and no postmaster of it may be running.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../src/documents/types.js";
import { CONTENT_SETTINGS, digestDatabase } from "../src/postgres/content-digest.js";
import { PostgresSession } from "../src/postgres/session.js";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { leftovers, privateTmp, startSourceServer, type SourceServer } from "./helpers/postgres.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO = new URL("..", import.meta.url).pathname;
const DUMP = "ops/store/datasets/gazetteer.pgdump";
const SUBJECT = "datasets/gazetteer.pgdump";
const sealed = (
  JSON.parse(readFileSync(join(REPO, "ops/release/evidence/manifest.json"), "utf8")) as Manifest
).artifacts.find((a) => a.path === SUBJECT)?.pgdump;

let source: SourceServer;
let sourceURL: string;

beforeAll(async () => {
  source = await startSourceServer();
  source.psql("postgres", "CREATE ROLE atlas_reader NOLOGIN;");
  source.restore(join(REPO, DUMP), "gazetteer");
  sourceURL = `postgresql:///postgres?host=${encodeURIComponent(source.server.socketDir)}&port=${source.server.port}&user=${source.server.user}`;
});

afterAll(async () => {
  await source.stop();
});

/** Runs the CLI in the example copy with a private TMPDIR, and checks it left nothing behind. */
function run(example: ExampleCopy, args: string[], env: Record<string, string> = {}): CLIRun {
  const tmp = privateTmp();
  const result = runCLI([...args, "--json"], { cwd: example.dir, env: { TMPDIR: tmp, ...env } });
  expect(leftovers(tmp)).toEqual({ entries: [], processes: [] });
  return result;
}

/** A copy of the example whose dump was made from a database changed by `sql`. */
function exampleWithChangedDump(database: string, sql: string): ExampleCopy {
  const example = copyExample();
  source.restore(join(REPO, DUMP), database);
  source.psql(database, sql);
  source.dump(database, example.path(DUMP));
  return example;
}

describe("a pg_dump dataset of the bundled example", () => {
  it("is proven by verify: restored into a throwaway server, tables, rows and content digest as sealed", () => {
    expect(sealed?.tables.map((t) => [t.name, t.rows])).toEqual([
      ["public.boundary_notes", 8],
      ["public.editors", 5],
      ["public.place_aliases", 36],
    ]);
    const result = run(copyExample(), ["verify", "--strict"]);
    expect(result.code).toBe(0);
    const checked = result.json()["checked"] as { byCheck: Record<string, number> };
    expect(checked.byCheck["pgdump_restore"]).toBe(1);
    expect(checked.byCheck["pgdump_content"]).toBe(1);
  });

  it("is restored and probed by a drill: its sql probe answers from PostgreSQL, and the drill passes", () => {
    const example = copyExample();
    const result = run(example, ["drill", "--source", "dir:ops/store", "--out", "out"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as {
      checks: { name: string; status: string }[];
    };
    expect(report.checks.find((c) => c.name === "gazetteer-aliases")?.status).toBe("passed");
    expect(report.checks.find((c) => c.name === SUBJECT)?.status).toBe("passed");
  });

  it("with one row changed, fails the drill with pgdump_content_mismatch naming the table", () => {
    const example = exampleWithChangedDump(
      "one_row_changed",
      "UPDATE place_aliases SET alias = 'Zanarton' WHERE id = 2;",
    );
    const result = run(example, ["drill", "--source", "dir:ops/store", "--out", "out"]);
    expect(result.code).toBe(1);
    const json = result.json();
    expect(json).toHaveFinding("pgdump_content_mismatch", SUBJECT);
    const finding = json.findings.find((f) => f.code === "pgdump_content_mismatch");
    expect(finding?.message).toContain("public.place_aliases: same 36 rows, other content");
    expect(finding?.message).not.toContain("public.editors");
    expect(finding?.expected).toBe(sealed?.contentDigest.sha256);
  });

  it("with a row deleted, says how many rows were expected and found", () => {
    const example = exampleWithChangedDump(
      "row_deleted",
      "DELETE FROM boundary_notes WHERE country_code = 'KR';",
    );
    const result = run(example, ["verify"]);
    expect(result.code).toBe(1);
    const finding = result.json().findings.find((f) => f.code === "pgdump_content_mismatch");
    expect(finding?.message).toContain("public.boundary_notes: 8 rows expected, 7 found");
  });

  it("truncated, fails with pgdump_unreadable", () => {
    const example = copyExample();
    const bytes = readFileSync(example.path(DUMP));
    writeFileSync(example.path(DUMP), bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const result = run(example, ["verify"]);
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("pgdump_unreadable", SUBJECT);
    expect(result.json()).toHaveFinding("artifact_size_mismatch", SUBJECT);
  });

  it("needing an extension the server does not have, fails with pgdump_extension_missing", () => {
    const example = copyExample();
    source.psql("postgres", "CREATE DATABASE with_extension;");
    source.psql(
      "with_extension",
      "CREATE EXTENSION pg_trgm; CREATE TABLE words (word text PRIMARY KEY); INSERT INTO words VALUES ('atlas');",
    );
    const file = example.path(DUMP);
    source.dump("with_extension", file);
    // The same archive, naming an extension no PostgreSQL package provides (same length, so
    // the archive's structure is untouched).
    const bytes = readFileSync(file);
    writeFileSync(
      file,
      Buffer.from(bytes.toString("latin1").replaceAll("pg_trgm", "pg_gone"), "latin1"),
    );
    const result = run(example, ["verify"]);
    expect(result.code).toBe(1);
    const finding = result.json().findings.find((f) => f.code === "pgdump_extension_missing");
    expect(finding?.subject).toBe(SUBJECT);
    expect(finding?.message).toContain('"pg_gone"');
    expect(finding?.message).toContain("CREATE EXTENSION IF NOT EXISTS pg_gone");
    expect(finding?.hint).toMatch(/apt-get install postgresql-/);
  });

  it("granting to a role the server lacks (postgres.roles left out), fails with pgdump_role_missing", () => {
    const example = copyExample();
    example.editDrillConfig((config) => {
      delete config["postgres"];
    });
    const result = run(example, ["verify"]);
    expect(result.code).toBe(1);
    const finding = result.json().findings.find((f) => f.code === "pgdump_role_missing");
    expect(finding?.subject).toBe(SUBJECT);
    expect(finding?.message).toContain('"atlas_reader"');
    expect(finding?.message).toMatch(/GRANT SELECT ON TABLE public\.\w+ TO atlas_reader/);
    expect(finding?.hint).toContain("postgres.roles");
  });

  it("without the PostgreSQL programs, could not run (exit 3) and says what to install", () => {
    const result = run(copyExample(), ["verify"], { RECOVERABLE_PG_BINDIR: "/nonexistent/bin" });
    expect(result.code).toBe(3);
    const finding = result.json().findings.find((f) => f.code === "tool_unavailable");
    expect(finding?.message).toContain("/nonexistent/bin (from RECOVERABLE_PG_BINDIR)");
    expect(finding?.hint).toContain("apt-get install postgresql");
  });

  it("with postgres.url, is restored into scratch databases of that server, dropped afterwards", () => {
    const example = copyExample();
    example.editDrillConfig((config) => {
      config["postgres"] = { url: sourceURL };
    });
    const result = run(example, ["drill", "--source", "dir:ops/store", "--out", "out"]);
    expect(result.code).toBe(0);
    expect(
      source
        .psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'recoverable%';")
        .trim(),
    ).toBe("0");
  });

  /** Starts a drill, waits until `ready` says so of its TMPDIR, interrupts it, and checks. */
  async function interruptDrill(ready: (tmp: string, dir: string) => boolean): Promise<void> {
    const example = copyExample();
    const tmp = privateTmp();
    const child = spawn(
      process.execPath,
      [CLI, "drill", "--json", "--source", "dir:ops/store", "--out", "out"],
      { cwd: example.dir, env: { ...process.env, TMPDIR: tmp, NO_COLOR: "1" }, stdio: "ignore" },
    );
    const exited = new Promise<number | null>((resolve) => {
      child.on("exit", (code) => {
        resolve(code);
      });
    });
    const reached = () =>
      readdirSync(tmp)
        .filter((name) => name.startsWith("recoverable-pg-"))
        .some((name) => ready(tmp, join(tmp, name)));
    const until = Date.now() + 30_000;
    while (!reached() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(reached()).toBe(true);
    expect(leftovers(tmp).processes.length).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(leftovers(tmp)).toEqual({ entries: [], processes: [] });
  }

  it("is stopped with its directory removed when the drill gets SIGINT while the server runs", async () => {
    // The socket is there once the server accepts connections.
    await interruptDrill((_tmp, dir) => existsSync(join(dir, ".s.PGSQL.5432")));
  });

  it("is removed, initdb killed, when the drill gets SIGINT during initdb", async () => {
    await interruptDrill((_tmp, dir) => existsSync(join(dir, "data")));
  });
});

describe("the content digest of a PostgreSQL dump", () => {
  it("is the same for custom, plain and gzip dumps, and for rows in another physical order", async () => {
    const dir = makeTempDir("recoverable-dumps-");
    source.restore(join(REPO, DUMP), "reordered");
    // Every tuple rewritten (so stored in another order), and a table without a primary key
    // filled again backwards.
    source.psql(
      "reordered",
      `UPDATE place_aliases SET alias = alias;
       CREATE TEMP TABLE notes AS SELECT * FROM boundary_notes;
       DELETE FROM boundary_notes;
       INSERT INTO boundary_notes SELECT * FROM notes ORDER BY country_code DESC;`,
    );
    const files = {
      custom: [join(dir, "a.pgdump"), "gazetteer", { format: "custom" }],
      plain: [join(dir, "a.sql"), "gazetteer", { format: "plain" }],
      plainGzip: [join(dir, "a.sql.gz"), "gazetteer", { format: "plain", gzip: true }],
      customGzip: [join(dir, "a.pgdump.gz"), "gazetteer", { format: "custom", gzip: true }],
      reordered: [join(dir, "b.pgdump"), "reordered", { format: "custom" }],
    } as const;
    for (const [file, database, options] of Object.values(files))
      source.dump(database, file, options);
    const session = new PostgresSession({ url: sourceURL, bindir: null, roles: [] }, false);
    try {
      for (const [name, [file]] of Object.entries(files)) {
        const inspection = await session.inspect(name, file);
        expect(inspection.ok ? inspection.facts.contentDigest : inspection, name).toEqual(
          sealed?.contentDigest,
        );
      }
      const formats = await Promise.all(
        Object.values(files).map(async ([file]) => {
          const inspection = await session.inspect(file, file);
          return inspection.ok ? `${inspection.facts.format}/${inspection.facts.compression}` : "";
        }),
      );
      expect(formats).toEqual([
        "custom/none",
        "plain/none",
        "plain/gzip",
        "custom/gzip",
        "custom/none",
      ]);
    } finally {
      await session.close();
    }
    expect(
      source
        .psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'recoverable%';")
        .trim(),
    ).toBe("0");
  });

  it("is not given for a plain dump cut short, a broken gzip stream or a failing statement", async () => {
    const dir = makeTempDir("recoverable-dumps-");
    const plain = join(dir, "whole.sql");
    source.dump("gazetteer", plain, { format: "plain" });
    const text = readFileSync(plain, "utf8");
    const cut = join(dir, "cut.sql");
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.9)));
    const brokenGzip = join(dir, "broken.sql.gz");
    const gzipped = gzipSync(text);
    writeFileSync(brokenGzip, gzipped.subarray(0, Math.floor(gzipped.length / 2)));
    const failing = join(dir, "failing.sql");
    writeFileSync(
      failing,
      text.replace(
        "CREATE TABLE public.editors (",
        "CREATE TABLE public.broken (a nosuchtype);\nCREATE TABLE public.editors (",
      ),
    );
    const session = new PostgresSession({ url: sourceURL, bindir: null, roles: [] }, false);
    try {
      const problemOf = async (file: string) => {
        const inspection = await session.inspect(file, file);
        return "problem" in inspection ? inspection.problem : null;
      };
      expect(await problemOf(cut)).toMatchObject({
        code: "pgdump_unreadable",
        message: expect.stringContaining("-- PostgreSQL database dump complete"),
      });
      expect(await problemOf(brokenGzip)).toMatchObject({
        code: "pgdump_unreadable",
        message: expect.stringContaining("gzip"),
      });
      expect(await problemOf(failing)).toMatchObject({
        code: "pgdump_restore_failed",
        message: expect.stringContaining(
          'type "nosuchtype" does not exist; the statement: CREATE TABLE public.broken (a nosuchtype);',
        ),
      });
    } finally {
      await session.close();
    }
  });

  it("hashes each row exactly as PostgreSQL's COPY text format writes it", async () => {
    source.psql("postgres", "CREATE DATABASE tricky;");
    source.psql(
      "tricky",
      `CREATE SCHEMA "Odd schema";
       CREATE TYPE mood AS ENUM ('ok', 'sad');
       CREATE TABLE "Odd schema".t (id int8 PRIMARY KEY, body text, n float8, at timestamptz,
         tags text[], raw bytea, m mood, j jsonb, d numeric(10,3), "Mixed Case" varchar(5));
       INSERT INTO "Odd schema".t VALUES
         (2, E'tab\\there\\nnew\\\\line\\rcr\\bbs\\fff\\vvt', 0.1, '2026-01-01 00:00+02', '{a,"b c",NULL}',
          '\\x00ff', 'sad', '{"k": [1, 2]}', 1.5, 'Ab'),
         (10, NULL, 1e300, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (1, 'ø ünïcode ✓', 'NaN', 'infinity', '{}', '', 'ok', 'null', -0.001, '');`,
    );
    const client = new pg.Client({
      host: source.server.socketDir,
      port: source.server.port,
      user: source.server.user,
      database: "tricky",
    });
    await client.connect();
    let digest: string | undefined;
    try {
      digest = (await digestDatabase(client)).tables.find((t) => t.name === '"Odd schema".t')
        ?.contentDigest.sha256;
    } finally {
      await client.end();
    }
    // The same stream written by psql and COPY itself, as docs/formats.md defines it.
    const settings = CONTENT_SETTINGS.map(([k, v]) => `SET ${k} = '${v}';`).join(" ");
    const header = source.psql(
      "tricky",
      `${settings}
       SELECT E'table\\t"Odd schema".t' UNION ALL
       (SELECT format(E'column\\t%s\\t%s', quote_ident(attname), format_type(atttypid, atttypmod))
        FROM pg_attribute WHERE attrelid = '"Odd schema".t'::regclass AND attnum > 0 AND NOT attisdropped
        ORDER BY attnum);`,
    );
    const rows = source.psql(
      "tricky",
      `${settings} COPY (SELECT * FROM ONLY "Odd schema".t AS t ORDER BY t.id) TO STDOUT;`,
    );
    const headerLines = header.split("\n").filter((line) => line !== "");
    const stream = `${headerLines.join("\n")}\n${rows}`;
    expect(digest).toBe(createHash("sha256").update(stream, "utf8").digest("hex"));
  });
});
