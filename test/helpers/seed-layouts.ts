// Small copies of the layouts of the five systems' own procedures (/work/shared/seeds), for
// `init` and what follows it: each a store root in a temp dir, written as its document
// describes it, with nothing of recoverable's in it yet.
import Database from "better-sqlite3";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { makeTempDir } from "./temp-dir.js";

export type SeedLayout = {
  /** The directory init runs in (it will hold ops/). */
  readonly dir: string;
  /** The store root, relative to dir. */
  readonly root: string;
};

function write(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

function sqlite(path: string, table: string, rows: number, wal = false): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (wal) db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${table} (body) VALUES (?)`);
  for (let i = 1; i <= rows; i++) insert.run(`${table} ${i}`);
  db.close();
}

/** A plain pg_dump of one table of `rows` orders, gzipped as `pg_dump | gzip` writes it. */
export function plainDump(rows: number): Buffer {
  const lines = Array.from({ length: rows }, (_, i) => `${i + 1}\tcustomer ${i + 1}\t${i + 1}.50`);
  const sql = [
    "--",
    "-- PostgreSQL database dump",
    "--",
    "",
    "SET client_encoding = 'UTF8';",
    "CREATE TABLE public.orders (id integer PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL);",
    "COPY public.orders (id, customer, total) FROM stdin;",
    ...lines,
    "\\.",
    "",
    "--",
    "-- PostgreSQL database dump complete",
    "--",
    "",
  ].join("\n");
  return gzipSync(sql);
}

/** AtoCore: a WAL SQLite database, the project registry, a Chroma directory, logs. */
export function atocoreLayout(): SeedLayout {
  const dir = makeTempDir("recoverable-atocore-");
  const root = join(dir, "storage");
  sqlite(join(root, "data/db/atocore.db"), "interactions", 40, true);
  write(join(root, "config/project-registry.json"), JSON.stringify({ projects: ["p04"] }));
  sqlite(join(root, "data/chroma/chroma.sqlite3"), "embeddings", 5);
  write(join(root, "data/chroma/1f0c/data_level0.bin"), Buffer.alloc(64, 7));
  write(join(root, "logs/atocore.log"), "started\n");
  return { dir, root: "storage" };
}

/** Metis: one db.sqlite per instance directory, and a scratch directory. */
export function metisLayout(): SeedLayout {
  const dir = makeTempDir("recoverable-metis-");
  const root = join(dir, "metis");
  for (const [instance, rows] of [
    ["a", 3],
    ["b", 5],
    ["c", 7],
  ] as const)
    sqlite(join(root, "instances", instance, "db.sqlite"), "documents", rows);
  write(join(root, "tmp/experiment.partial"), "half\n");
  return { dir, root: "metis" };
}

/** Avalanche: a gzipped pg_dump, an SQLite database and uploaded files. */
export function avalancheLayout(): SeedLayout {
  const dir = makeTempDir("recoverable-avalanche-");
  const root = join(dir, "avalanche");
  write(join(root, "backups/postgres/avalanche.sql.gz"), plainDump(12));
  sqlite(join(root, "data/app.sqlite"), "sessions", 4);
  write(join(root, "uploads/report-2026.pdf"), Buffer.from("%PDF-1.4 a small file\n"));
  write(join(root, "config/settings.json"), JSON.stringify({ retention: { daily: 7 } }));
  write(join(root, "cache/thumbnails/1.png"), Buffer.alloc(16, 1));
  return { dir, root: "avalanche" };
}

/** The ChromaDB scripts: the vector-store directory the container writes. */
export function chromaLayout(): SeedLayout {
  const dir = makeTempDir("recoverable-chroma-");
  const root = join(dir, "chromadb");
  sqlite(join(root, "chroma.sqlite3"), "embeddings", 9, true);
  write(join(root, "4c1e/data_level0.bin"), Buffer.alloc(128, 3));
  write(join(root, "4c1e/header.bin"), Buffer.alloc(16, 4));
  return { dir, root: "chromadb" };
}
