// The shape of an SQLite database, read from the database itself: its tables with their
// columns (name, declared type, NOT NULL, primary key), indexes, views and triggers, each by
// name, and every table's row count. SQLite's own objects (sqlite_sequence, sqlite_stat1,
// automatic indexes) are its business, not the schema's.
import type { Database } from "better-sqlite3";
import type { ColumnShape, DatabaseShape, TableRows } from "../documents/types.js";
import { quoteIdentifier } from "./sqlite-content.js";

export type SQLiteShape = { readonly shape: DatabaseShape; readonly rows: TableRows[] };

type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null };

const OBJECTS_SQL = `SELECT type, name, tbl_name, sql FROM sqlite_schema
 WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;

const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** A pragma that may fail on a virtual table whose module this SQLite lacks: then nothing. */
function pragmaRows<T>(db: Database, pragma: string): T[] {
  try {
    return db.pragma(pragma) as T[];
  } catch {
    return [];
  }
}

function columnsOf(db: Database, table: string): ColumnShape[] {
  type Info = { name: string; type: string; notnull: number; pk: number };
  return pragmaRows<Info>(db, `table_info(${quoteIdentifier(table)})`).map((c) => ({
    name: c.name,
    type: c.type,
    notNull: c.notnull !== 0,
    primaryKey: c.pk > 0,
  }));
}

function indexOf(db: Database, row: SchemaRow): DatabaseShape["indexes"][number] {
  type Listed = { name: string; unique: number };
  type Info = { name: string | null };
  const listed = pragmaRows<Listed>(db, `index_list(${quoteIdentifier(row.tbl_name)})`);
  const unique = listed.find((l) => l.name === row.name)?.unique === 1;
  const columns = pragmaRows<Info>(db, `index_info(${quoteIdentifier(row.name)})`).map(
    (c) => c.name ?? "<expression>",
  );
  return { name: row.name, table: row.tbl_name, unique, columns };
}

function countRows(db: Database, table: string): number | null {
  try {
    return Number(
      db
        .prepare(`SELECT count(*) FROM ${quoteIdentifier(table)}`)
        .pluck()
        .get(),
    );
  } catch {
    return null;
  }
}

export function readSQLiteShape(db: Database): SQLiteShape {
  const objects = db.prepare(OBJECTS_SQL).all() as SchemaRow[];
  const tables = objects.filter((o) => o.type === "table");
  const shape: DatabaseShape = {
    tables: tables.map((t) => ({ name: t.name, columns: columnsOf(db, t.name) })).sort(byName),
    indexes: objects
      .filter((o) => o.type === "index")
      .map((o) => indexOf(db, o))
      .sort(byName),
    views: objects
      .filter((o) => o.type === "view")
      .map((o) => ({ name: o.name }))
      .sort(byName),
    triggers: objects
      .filter((o) => o.type === "trigger")
      .map((o) => ({ name: o.name, table: o.tbl_name }))
      .sort(byName),
  };
  const rows: TableRows[] = [];
  for (const table of shape.tables) {
    const count = countRows(db, table.name);
    if (count !== null) rows.push({ name: table.name, rows: count });
  }
  return { shape, rows };
}
