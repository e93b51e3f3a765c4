// The content digest of a PostgreSQL database (docs/formats.md, "Content digest of a
// PostgreSQL dump"): every user table in (schema, name) order, bytewise; for each, a header of
// its name and columns, then its rows in primary-key order (tables without one: by the row's
// text), each row as one line of COPY's text format. SHA-256 over all of it, and per table
// over its part. The session fixes every setting that changes how a value is written, so the
// digest depends on the rows only, never on the dump's format, the physical order of the
// rows, the server's locale or time zone.
import { createHash, type Hash } from "node:crypto";
import pg from "pg";
import type { DigestSet } from "../identity/digest.js";
import type { PGTableFacts } from "../documents/types.js";

export type DatabaseContent = {
  readonly contentDigest: DigestSet;
  readonly tables: readonly PGTableFacts[];
};

/** The settings every value is written under; search_path '' qualifies every user type name. */
export const CONTENT_SETTINGS: readonly (readonly [string, string])[] = [
  ["search_path", ""],
  ["client_encoding", "UTF8"],
  ["DateStyle", "ISO, YMD"],
  ["IntervalStyle", "postgres"],
  ["TimeZone", "UTC"],
  ["extra_float_digits", "1"],
  ["bytea_output", "hex"],
  ["lc_monetary", "C"],
  ["xmloption", "content"],
];

// Ordinary tables and partitions (relkind r) outside the system schemas; tables an extension
// owns (its own catalog, as PostGIS's spatial_ref_sys) are the extension's, not the dump's.
const TABLES = `
SELECT c.oid::int8::text AS oid, format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

const COLUMNS = `
SELECT quote_ident(a.attname) AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attcollation <> 0 AS collatable
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const PRIMARY_KEY = `
SELECT quote_ident(a.attname) AS name, a.attcollation <> 0 AS collatable
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::int8::oid AND i.indisprimary
ORDER BY k.position`;

const BATCH = 2000;

// COPY's text format escapes backslash and these control characters (PostgreSQL's
// CopyAttributeOutText); NULL is \N; fields are separated by a tab, rows end with a newline.
const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

export function copyTextField(value: string | null): string {
  return value === null ? "\\N" : value.replace(/[\\\b\f\n\r\t\v]/g, (c) => ESCAPES[c] ?? c);
}

export function copyTextLine(values: readonly (string | null)[]): string {
  return `${values.map(copyTextField).join("\t")}\n`;
}

/** Every value as PostgreSQL writes it, never parsed into a JavaScript value. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

type Column = { name: string; type: string; collatable: boolean };

/** The ORDER BY of a table's rows: its primary key, text compared bytewise; else the row text. */
export function orderByOf(key: readonly { name: string; collatable: boolean }[]): string {
  if (key.length === 0) return `ORDER BY t::text COLLATE "C"`;
  return `ORDER BY ${key.map((c) => (c.collatable ? `t.${c.name} COLLATE "C"` : `t.${c.name}`)).join(", ")}`;
}

async function hashRows(
  client: pg.Client,
  query: string,
  update: (line: string) => void,
): Promise<number> {
  let rows = 0;
  await client.query(`DECLARE recoverable_rows NO SCROLL CURSOR FOR ${query}`);
  for (;;) {
    const batch = await client.query<(string | null)[]>({
      text: `FETCH FORWARD ${BATCH} FROM recoverable_rows`,
      rowMode: "array",
      types: RAW_TEXT,
    });
    for (const row of batch.rows) update(copyTextLine(row));
    rows += batch.rows.length;
    if (batch.rows.length < BATCH) break;
  }
  await client.query("CLOSE recoverable_rows");
  return rows;
}

/** The content digest of the database the client is connected to (read-only, one snapshot). */
export async function digestDatabase(client: pg.Client): Promise<DatabaseContent> {
  for (const [name, value] of CONTENT_SETTINGS)
    await client.query("SELECT pg_catalog.set_config($1, $2, false)", [name, value]);
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const whole = createHash("sha256");
    const tables: PGTableFacts[] = [];
    const listed = await client.query<{ oid: string; name: string }>(TABLES);
    for (const table of listed.rows) {
      const own: Hash = createHash("sha256");
      const update = (text: string) => {
        whole.update(text, "utf8");
        own.update(text, "utf8");
      };
      const columns = (await client.query<Column>(COLUMNS, [table.oid])).rows;
      const key = (await client.query<Column>(PRIMARY_KEY, [table.oid])).rows;
      update(copyTextLine(["table", table.name]));
      for (const column of columns) update(copyTextLine(["column", column.name, column.type]));
      const rows = await hashRows(
        client,
        `SELECT * FROM ONLY ${table.name} AS t ${orderByOf(key)}`,
        update,
      );
      tables.push({ name: table.name, rows, contentDigest: { sha256: own.digest("hex") } });
    }
    return { contentDigest: { sha256: whole.digest("hex") }, tables };
  } finally {
    await client.query("COMMIT");
  }
}
