// The pure parts of the PostgreSQL support: telling a dump by its bytes, reading what
// pg_restore and psql said when a restore stopped (samples as PostgreSQL 15 and 16 write
// them), COPY's text escaping, naming the tables that differ, and a URL's password.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { describePGTableDifferences } from "../../src/store/check-pgdump.js";
import { copyTextField, copyTextLine, orderByOf } from "../../src/postgres/content-digest.js";
import { detectDumpFormat, DUMP_HEAD_BYTES } from "../../src/postgres/dump-format.js";
import { parsePGURL } from "../../src/postgres/endpoint.js";
import { parsePGRestoreErrors, parsePsqlErrors } from "../../src/postgres/restore-errors.js";

const PLAIN =
  "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\nSET statement_timeout = 0;\n";
const CUSTOM = Buffer.concat([Buffer.from("PGDMP"), Buffer.from([1, 14, 0, 4, 8, 1, 1, 1])]);

describe("detectDumpFormat", () => {
  it("tells custom and plain dumps, gzip-wrapped or not, by their bytes", () => {
    expect(detectDumpFormat(CUSTOM)).toEqual({ format: "custom", compression: "none" });
    expect(detectDumpFormat(Buffer.from(PLAIN))).toEqual({ format: "plain", compression: "none" });
    expect(detectDumpFormat(gzipSync(PLAIN))).toEqual({ format: "plain", compression: "gzip" });
    expect(detectDumpFormat(gzipSync(CUSTOM))).toEqual({ format: "custom", compression: "gzip" });
  });

  it("reads a gzip head that stops mid-stream, as the first bytes of a big file do", () => {
    const rows = randomBytes(1 << 19).toString("hex");
    const big = gzipSync(Buffer.concat([Buffer.from(PLAIN), Buffer.from(rows)]));
    expect(big.length).toBeGreaterThan(DUMP_HEAD_BYTES);
    expect(detectDumpFormat(big.subarray(0, DUMP_HEAD_BYTES))).toEqual({
      format: "plain",
      compression: "gzip",
    });
  });

  it("refuses what is not one database's dump: pg_dumpall, SQL by hand, other gzip, SQLite", () => {
    expect(
      detectDumpFormat(Buffer.from("--\n-- PostgreSQL database cluster dump\n--\n")),
    ).toBeNull();
    expect(detectDumpFormat(Buffer.from("CREATE TABLE t (a int);\n"))).toBeNull();
    expect(detectDumpFormat(gzipSync("hello"))).toBeNull();
    expect(detectDumpFormat(Buffer.from("SQLite format 3\0"))).toBeNull();
    expect(detectDumpFormat(Buffer.from([0x1f, 0x8b, 0x08, 0, 0]))).toBeNull();
  });
});

describe("parsePGRestoreErrors", () => {
  it("reads a missing extension (PostgreSQL 16 words) and the statement", () => {
    const error = parsePGRestoreErrors(
      `pg_restore: error: could not execute query: ERROR:  extension "postgis" is not available
DETAIL:  Could not open extension control file "/usr/share/postgresql/16/extension/postgis.control": No such file or directory.
HINT:  The extension must first be installed on the system where PostgreSQL is running.
Command was: CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;


`,
    );
    expect(error).toMatchObject({
      kind: "statement",
      error: 'extension "postgis" is not available',
      statement: "CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;",
      missingExtension: "postgis",
      missingRole: null,
    });
  });

  it("reads a missing extension in older words (could not open extension control file)", () => {
    const error = parsePGRestoreErrors(
      `pg_restore: error: could not execute query: ERROR:  could not open extension control file "/usr/share/postgresql/13/extension/hstore.control": No such file or directory
Command was: CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;
`,
    );
    expect(error).toMatchObject({ kind: "statement", missingExtension: "hstore" });
  });

  it("reads a missing role and a multi-line statement", () => {
    const error = parsePGRestoreErrors(
      `pg_restore: error: could not execute query: ERROR:  role "app" does not exist
Command was: ALTER TABLE public.cities
    OWNER TO app;

`,
    );
    expect(error).toMatchObject({
      kind: "statement",
      missingRole: "app",
      statement: "ALTER TABLE public.cities\n    OWNER TO app;",
    });
  });

  it("reads a COPY that failed, naming the table", () => {
    const error = parsePGRestoreErrors(
      `pg_restore: error: COPY failed for table "cities": ERROR:  value too long for type character varying(3)
CONTEXT:  COPY cities, line 2, column code: "ABCD"
`,
    );
    expect(error).toMatchObject({
      kind: "statement",
      error: "value too long for type character varying(3)",
      statement: "COPY cities (the table's data)",
    });
  });

  it("takes any other error for the archive, a newer format for a too old pg_restore", () => {
    expect(
      parsePGRestoreErrors("pg_restore: error: could not read from input file: end of file\n"),
    ).toEqual({
      kind: "archive",
      error: "could not read from input file: end of file",
    });
    expect(
      parsePGRestoreErrors("pg_restore: error: did not find magic string in file header\n")?.kind,
    ).toBe("archive");
    expect(
      parsePGRestoreErrors("pg_restore: error: unsupported version (1.16) in file header\n")?.kind,
    ).toBe("too_old");
    expect(
      parsePGRestoreErrors(
        'pg_restore: error: connection to server on socket "/tmp/x/.s.PGSQL.5432" failed: No such file or directory\n',
      )?.kind,
    ).toBe("connection");
    expect(parsePGRestoreErrors("pg_restore: warning: errors ignored on restore: 1\n")).toBeNull();
  });
});

describe("parsePsqlErrors", () => {
  it("reads the error, its detail and the echoed statement (--echo-errors)", () => {
    const error = parsePsqlErrors(
      `psql:<stdin>:25: ERROR:  extension "pg_gone" is not available
DETAIL:  Could not open extension control file "/usr/share/postgresql/15/extension/pg_gone.control": No such file or directory.
HINT:  The extension must first be installed on the system where PostgreSQL is running.
psql:<stdin>:25: STATEMENT:  CREATE EXTENSION IF NOT EXISTS pg_gone WITH SCHEMA public;
`,
    );
    expect(error).toMatchObject({
      kind: "statement",
      missingExtension: "pg_gone",
      detail: expect.stringContaining("Could not open extension control file"),
      statement: "CREATE EXTENSION IF NOT EXISTS pg_gone WITH SCHEMA public;",
    });
  });

  it("keeps a statement's continuation lines", () => {
    const error = parsePsqlErrors(
      `psql:<stdin>:4: ERROR:  type "nosuchtype" does not exist
LINE 3:  b nosuchtype
           ^
psql:<stdin>:4: STATEMENT:  CREATE TABLE x (
 a int,
 b nosuchtype
);
`,
    );
    expect(error).toMatchObject({
      kind: "statement",
      error: 'type "nosuchtype" does not exist',
      statement: "CREATE TABLE x (\n a int,\n b nosuchtype\n);",
      missingRole: null,
      missingExtension: null,
    });
  });

  it("tells a psql too old for the dump's meta-commands, and a server it cannot reach", () => {
    expect(parsePsqlErrors("psql:<stdin>:5: error: invalid command \\restrict\n")?.kind).toBe(
      "too_old",
    );
    expect(
      parsePsqlErrors('psql: error: connection to server on socket "/x/.s.PGSQL.5432" failed\n')
        ?.kind,
    ).toBe("connection");
    expect(parsePsqlErrors("")).toBeNull();
  });
});

describe("COPY's text format", () => {
  it("escapes backslash and the control characters COPY escapes, and writes NULL as \\N", () => {
    expect(copyTextField(null)).toBe("\\N");
    expect(copyTextField("a\\b\tc\nd\re\bf\fg\vh")).toBe("a\\\\b\\tc\\nd\\re\\bf\\fg\\vh");
    expect(copyTextField("\u0001 stays")).toBe("\u0001 stays");
    expect(copyTextLine(["1", null, ""])).toBe("1\t\\N\t\n");
  });

  it("orders by the primary key, text bytewise, or else by the row's text", () => {
    expect(orderByOf([])).toBe('ORDER BY t::text COLLATE "C"');
    expect(
      orderByOf([
        { name: "id", collatable: false },
        { name: '"Code"', collatable: true },
      ]),
    ).toBe('ORDER BY t.id, t."Code" COLLATE "C"');
  });
});

describe("describePGTableDifferences", () => {
  const table = (name: string, rows: number, digest: string) => ({
    name,
    rows,
    contentDigest: { sha256: digest.repeat(64) },
  });

  it("names each table that differs and how", () => {
    expect(
      describePGTableDifferences(
        [
          table("public.a", 3, "a"),
          table("public.b", 2, "b"),
          table("public.c", 1, "c"),
          table("public.d", 1, "d"),
        ],
        [
          table("public.a", 3, "a"),
          table("public.b", 1, "b"),
          table("public.c", 1, "f"),
          table("public.e", 0, "e"),
        ],
      ),
    ).toBe(
      "public.b: 2 rows expected, 1 found; public.c: same 1 rows, other content (a row or a column changed); table public.d is missing; table public.e is not in the release",
    );
  });
});

describe("parsePGURL", () => {
  it("takes the password out of the URL the programs see, and keeps it for node-postgres", () => {
    const parsed = parsePGURL(
      "postgresql://drill:s%40cret@db.internal:5433/postgres?sslmode=require",
    );
    expect(parsed?.password).toBe("s@cret");
    expect(parsed?.url.href).toBe("postgresql://drill@db.internal:5433/postgres?sslmode=require");
    expect(parsed?.full.password).toBe("s%40cret");
    expect(parsePGURL("mysql://x@y/z")).toBeNull();
    expect(parsePGURL("not a url")).toBeNull();
  });
});
