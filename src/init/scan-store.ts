// What `init` needs to know of an existing store, read in one walk that keeps only the
// databases, the disposable and live directories it finds and counts of the rest: memory does
// not grow with the number of files. Kinds by content, as seal tells them (detect-kind.ts).
import { stat } from "node:fs/promises";
import { detectFileKind } from "../store/detect-kind.js";
import { isWALMode } from "../store/sqlite-header.js";
import { walkStore } from "../store/walk-store.js";
import { readHead } from "../util/read-head.js";

export type FoundDatabase = {
  readonly path: string;
  readonly kind: "sqlite" | "pgdump";
  /** SQLite: in WAL mode, or with a -wal or -journal file beside it: written while it runs. */
  readonly live: boolean;
};

export type StoreFacts = {
  readonly databases: FoundDatabase[];
  /** Directories whose names say caches, logs or scratch (what they hold is not looked at). */
  readonly disposableDirs: string[];
  /** Whether *.log or *.tmp files are found outside them. */
  readonly looseLogs: boolean;
  /**
   * Directories whose names say a vector store or index, written continuously: sealed as one
   * live directory (docs/live-data.md), so a database inside is not a dataset of its own.
   */
  readonly liveDirs: string[];
  readonly jsonFiles: number;
  readonly files: number;
  readonly dirs: number;
};

const DISPOSABLE_DIR = /^\.?(cache|caches|log|logs|tmp|temp|scratch)$/i;
const LIVE_DIR = /^(chroma|chromadb|vectors?|vector[-_]?store|embeddings|faiss|lancedb|index)$/i;
const LOOSE_LOG = /\.(log|tmp)$/i;
const SIDECAR = /-(wal|shm|journal)$/;

function under(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path.startsWith(`${d}/`));
}

/** Walks `root`, leaving out paths `isExcluded` says are not the store's (the ops directory). */
export async function scanStore(
  root: string,
  isExcluded: (path: string) => boolean,
): Promise<StoreFacts> {
  const facts = {
    databases: [] as FoundDatabase[],
    disposableDirs: [] as string[],
    looseLogs: false,
    liveDirs: [] as string[],
    jsonFiles: 0,
    files: 0,
    dirs: 0,
  };
  const sidecars = new Set<string>();
  for await (const entry of walkStore(root)) {
    // A disposable or live directory is one thing: what is inside it is not looked at.
    if (
      isExcluded(entry.path) ||
      under(entry.path, facts.disposableDirs) ||
      under(entry.path, facts.liveDirs)
    )
      continue;
    const name = entry.path.replace(/^.*\//, "");
    if (entry.type === "dir") {
      facts.dirs++;
      if (DISPOSABLE_DIR.test(name)) facts.disposableDirs.push(entry.path);
      else if (LIVE_DIR.test(name)) facts.liveDirs.push(entry.path);
      continue;
    }
    if (entry.type !== "file") continue;
    facts.files++;
    if (SIDECAR.test(name)) sidecars.add(entry.path.replace(SIDECAR, ""));
    if (LOOSE_LOG.test(name)) facts.looseLogs = true;
    const head = await readHead(entry.absolutePath, 100);
    const kind = await detectFileKind(
      entry.absolutePath,
      head,
      (await stat(entry.absolutePath)).size,
    );
    if (kind === "json") facts.jsonFiles++;
    if (kind === "sqlite" || kind === "pgdump")
      facts.databases.push({ path: entry.path, kind, live: kind === "sqlite" && isWALMode(head) });
  }
  // A sidecar sorts after its database: mark the databases that have one once all are seen.
  facts.databases = facts.databases.map((d) =>
    d.kind === "sqlite" && sidecars.has(d.path) ? { ...d, live: true } : d,
  );
  return facts;
}
