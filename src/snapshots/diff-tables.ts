// For a database that changed between the two sides of a diff: which tables' rows differ, by
// count or content. The live side is read from a consistent copy (the one a snapshot takes), so
// rows still in a -wal file count and a writer is never disturbed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { digestTables } from "../store/sqlite-inspect.js";
import { readHead } from "../util/read-head.js";
import { copySQLiteConsistently } from "./copy-sqlite.js";
import { compareTables, type TableChange } from "./compare-tables.js";

export type ModifiedFile = {
  readonly path: string;
  readonly tables?: readonly TableChange[];
  readonly note?: string;
};

/** A modified file; for two SQLite databases, the tables whose rows differ. */
export async function describeModified(
  path: string,
  before: string,
  after: { readonly bytes: string; readonly live: boolean },
): Promise<ModifiedFile> {
  const base = { path };
  const [headBefore, headAfter] = await Promise.all([
    readHead(before, 100),
    readHead(after.bytes, 100),
  ]);
  if (!isSQLiteHeader(headBefore) || !isSQLiteHeader(headAfter)) return base;
  const [tablesBefore, tablesAfter] = await Promise.all([
    digestTables(before, headBefore),
    after.live ? liveTables(after.bytes) : digestTables(after.bytes, headAfter),
  ]);
  if ("error" in tablesBefore)
    return { ...base, note: `the snapshot's copy: ${tablesBefore.error}` };
  if ("error" in tablesAfter)
    return {
      ...base,
      note: `${after.live ? "the live database" : "the other snapshot's copy"}: ${tablesAfter.error}`,
    };
  const tables = compareTables(tablesBefore, tablesAfter);
  if (tables.length === 0)
    return {
      ...base,
      note: "the same rows in every table; the bytes differ (page layout, schema or indexes)",
    };
  return { ...base, tables };
}

async function liveTables(livePath: string): ReturnType<typeof digestTables> {
  const dir = await mkdtemp(join(tmpdir(), "recoverable-diff-"));
  try {
    const copy = join(dir, "live.sqlite");
    await copySQLiteConsistently(livePath, copy);
    return await digestTables(copy, await readHead(copy, 100));
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
