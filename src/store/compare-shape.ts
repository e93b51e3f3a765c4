// The checks of the `schema` level (pure): a database has the shape the release sealed, name
// by name, and each table's rows are within the bounds sealed with it. Each difference is one
// finding naming the table and the column, what was sealed and what was found.
import type {
  Artifact,
  ColumnShape,
  DatabaseShape,
  RowBound,
  TableRows,
} from "../documents/types.js";
import type { Report } from "./check-pgdump.js";

/** One way a database's shape differs from the sealed one. */
export type ShapeDifference = {
  readonly what: string;
  readonly sealed: string;
  readonly found: string;
};

function describeColumn(column: ColumnShape): string {
  const parts = [column.type === "" ? "(no declared type)" : column.type];
  if (column.notNull) parts.push("NOT NULL");
  if (column.primaryKey) parts.push("PRIMARY KEY");
  return parts.join(" ");
}

/** Declared types compared as SQL reads them: case and spacing do not matter. */
function sameColumn(a: ColumnShape, b: ColumnShape): boolean {
  const type = (t: string) => t.replace(/\s+/g, " ").trim().toUpperCase();
  return type(a.type) === type(b.type) && a.notNull === b.notNull && a.primaryKey === b.primaryKey;
}

/** Compares two lists by name: missing, added, and different (when `describe` says so). */
function byName<T extends { readonly name: string }>(
  kind: string,
  sealed: readonly T[],
  found: readonly T[],
  describe: (item: T) => string,
  same: (a: T, b: T) => boolean,
  prefix = "",
): ShapeDifference[] {
  const differences: ShapeDifference[] = [];
  const now = new Map(found.map((item) => [item.name, item]));
  for (const item of sealed) {
    const seen = now.get(item.name);
    now.delete(item.name);
    if (seen === undefined)
      differences.push({
        what: `${kind} ${prefix}${item.name}`,
        sealed: describe(item),
        found: "absent",
      });
    else if (!same(item, seen))
      differences.push({
        what: `${kind} ${prefix}${item.name}`,
        sealed: describe(item),
        found: describe(seen),
      });
  }
  for (const item of now.values())
    differences.push({
      what: `${kind} ${prefix}${item.name}`,
      sealed: "absent",
      found: describe(item),
    });
  return differences;
}

export function compareShapes(sealed: DatabaseShape, found: DatabaseShape): ShapeDifference[] {
  const differences = byName(
    "table",
    sealed.tables,
    found.tables,
    (t) => `${t.columns.length} columns`,
    () => true,
  );
  const tablesNow = new Map(found.tables.map((t) => [t.name, t]));
  for (const table of sealed.tables) {
    const now = tablesNow.get(table.name);
    if (now === undefined) continue;
    differences.push(
      ...byName("column", table.columns, now.columns, describeColumn, sameColumn, `${table.name}.`),
    );
  }
  differences.push(
    ...byName(
      "index",
      sealed.indexes,
      found.indexes,
      (i) => `${i.unique ? "UNIQUE " : ""}on ${i.table}(${i.columns.join(", ")})`,
      (a, b) =>
        a.table === b.table && a.unique === b.unique && a.columns.join() === b.columns.join(),
    ),
    ...byName(
      "view",
      sealed.views,
      found.views,
      () => "a view",
      () => true,
    ),
    ...byName(
      "trigger",
      sealed.triggers,
      found.triggers,
      (t) => `on ${t.table}`,
      (a, b) => a.table === b.table,
    ),
  );
  return differences;
}

/** Reports each difference as `schema_mismatch`, naming the artifact, the table and the column. */
export function reportShape(artifact: Artifact, found: DatabaseShape, report: Report): void {
  if (!artifact.shape) return;
  for (const difference of compareShapes(artifact.shape, found)) {
    const change =
      difference.found === "absent"
        ? `(sealed: ${difference.sealed}) is missing`
        : difference.sealed === "absent"
          ? `(found: ${difference.found}) is not in the release`
          : `was sealed as ${difference.sealed}, found ${difference.found}`;
    report("schema_mismatch", {
      expected: `${difference.what}: ${difference.sealed}`,
      actual: `${difference.what}: ${difference.found}`,
      message: `${artifact.path}: ${difference.what} ${change}`,
    });
  }
}

/** "10%" -> 10. */
function percentOf(text: string): number {
  return Number(text.slice(0, -1));
}

/** The fewest rows a table may hold, and why; null when no bound applies to it. */
export function lowestAllowed(
  bound: RowBound | undefined,
  maxShrink: string | undefined,
  sealedRows: number | undefined,
): { rows: number; because: string } | null {
  const candidates: { rows: number; because: string }[] = [];
  if (bound?.min !== undefined) candidates.push({ rows: bound.min, because: `min ${bound.min}` });
  const shrink = bound?.maxShrink ?? maxShrink;
  if (shrink !== undefined && sealedRows !== undefined) {
    // Integer arithmetic in hundredths of a percent, so "10%" of 900 is exactly 810.
    const keep = 10_000 - Math.round(percentOf(shrink) * 100);
    const rows = Math.ceil((sealedRows * keep) / 10_000);
    candidates.push({ rows, because: `at most ${shrink} fewer than the ${sealedRows} sealed` });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.rows > a.rows ? b : a));
}

/**
 * Each table with a bound (its own in `rows`, or the artifact's `maxShrink`) holds enough rows.
 * `sealed` are the row counts at seal time; `found` those of the backup. A table that is gone is
 * the shape's finding, not this one's.
 */
export function reportRowBounds(
  artifact: Artifact,
  sealed: readonly TableRows[],
  found: readonly TableRows[],
  report: Report,
  nameOf: (table: string) => string = (table) => table,
): void {
  const now = new Map(found.map((t) => [t.name, t.rows]));
  const then = new Map(sealed.map((t) => [t.name, t.rows]));
  const bounds = new Map(
    Object.entries(artifact.rows ?? {}).map(([table, bound]) => [nameOf(table), bound]),
  );
  const tables = new Set([...bounds.keys(), ...(artifact.maxShrink ? then.keys() : [])]);
  for (const table of tables) {
    const rows = now.get(table);
    const allowed = lowestAllowed(bounds.get(table), artifact.maxShrink, then.get(table));
    if (rows === undefined || allowed === null || rows >= allowed.rows) continue;
    report("rows_below_bound", {
      expected: `at least ${allowed.rows} rows (${allowed.because})`,
      actual: `${rows} rows`,
      message: `${artifact.path}: table ${table} holds ${rows} rows, below its bound of ${allowed.rows} (${allowed.because})`,
    });
  }
}
