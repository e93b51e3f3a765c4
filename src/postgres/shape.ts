// The shape of a restored PostgreSQL database, read from pg_catalog: the same user tables as
// the content digest, each with its columns (name, type as format_type writes it, NOT NULL,
// primary key), and the indexes, views and triggers of the user schemas, each by its qualified
// name. What the `schema` level pins of a pg_dump (docs/live-data.md).
import type pg from "pg";
import type { DatabaseShape } from "../documents/types.js";

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;

// Extension-owned tables (PostGIS's spatial_ref_sys) are the extension's, as in the digest.
const TABLES = `
SELECT c.oid::int8::text AS oid, format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMA}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
`;

const COLUMNS = `
SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS "notNull",
  EXISTS (SELECT 1 FROM pg_catalog.pg_index i
    WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS "primaryKey"
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const INDEXES = `
SELECT format('%I.%I', n.nspname, ic.relname) AS name, format('%I.%I', n.nspname, tc.relname) AS "table",
  i.indisunique AS unique,
  ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
        FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS columns
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_SCHEMA}
`;

const VIEWS = `
SELECT format('%I.%I', n.nspname, c.relname) AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMA}
`;

// Trigger names are unique per table only, so each is named with its table.
const TRIGGERS = `
SELECT format('%I.%I.%I', n.nspname, c.relname, t.tgname) AS name,
  format('%I.%I', n.nspname, c.relname) AS "table"
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ${USER_SCHEMA}
`;

/** Names in code-point order, as the rest of recoverable sorts them (never a server's collation). */
function byName<T extends { readonly name: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function readPGShape(client: pg.Client): Promise<DatabaseShape> {
  const listed = await client.query<{ oid: string; name: string }>(TABLES);
  byName(listed.rows);
  const tables: DatabaseShape["tables"][number][] = [];
  for (const table of listed.rows) {
    const columns = await client.query<DatabaseShape["tables"][number]["columns"][number]>(
      COLUMNS,
      [table.oid],
    );
    tables.push({ name: table.name, columns: columns.rows });
  }
  const indexes = await client.query<DatabaseShape["indexes"][number]>(INDEXES);
  const views = await client.query<DatabaseShape["views"][number]>(VIEWS);
  const triggers = await client.query<DatabaseShape["triggers"][number]>(TRIGGERS);
  return {
    tables,
    indexes: byName(indexes.rows.map((i) => ({ ...i, columns: [...i.columns] }))),
    views: byName(views.rows),
    triggers: byName(triggers.rows),
  };
}
