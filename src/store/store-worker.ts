// The worker thread behind StorePool: lstat, hash, copy and SQLite checks of store files, with
// blocking reads into one reused buffer. It only answers questions; every finding is made on
// the main thread from its answers.
import { lstatSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { errorForWire, startPoolWorker, type WorkerReply } from "../util/worker-pool.js";
import { readHead } from "../util/read-head.js";
import { cloneFileWithDigestSync, copyFileWithDigestSync, digestFileSync } from "./file-digest.js";
import { resolveInside } from "../documents/store-path.js";
import type {
  CopyAnswer,
  CopyRequest,
  DigestAnswer,
  ProbeAnswer,
  StoreAnswer,
  StoreTask,
} from "./store-pool.js";
import { entryTypeOf, isAbsent, type EntryType } from "./walk-store.js";

startPoolWorker();

const BUFFER_BYTES = 1024 * 1024;
const buffer = Buffer.allocUnsafe(BUFFER_BYTES);

/** Whether each ancestor directory is a symlink, per store root, for the life of the worker. */
let knownRoot = "";
const ancestorIsLink = new Map<string, boolean>();

/** entryTypeAt, blocking: what is at a path, without following a final symlink. */
function entryTypeSync(absolutePath: string): EntryType | null {
  try {
    return entryTypeOf(lstatSync(absolutePath));
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

function symlinkAncestor(root: string, path: string): string | null {
  if (root !== knownRoot) {
    knownRoot = root;
    ancestorIsLink.clear();
  }
  // Each ancestor is a prefix of the path ending before a "/": no split and join per path.
  for (let end = path.indexOf("/"); end !== -1; end = path.indexOf("/", end + 1)) {
    const ancestor = path.slice(0, end);
    let isLink = ancestorIsLink.get(ancestor);
    if (isLink === undefined) {
      const absolute = resolveInside(root, ancestor);
      isLink = absolute !== null && entryTypeSync(absolute) === "symlink";
      ancestorIsLink.set(ancestor, isLink);
    }
    if (isLink) return ancestor;
  }
  return null;
}

/** What is at a path and, for a regular file, its size: one lstat. */
function entrySync(absolutePath: string): { type: EntryType | null; size: number | null } {
  try {
    const stats = lstatSync(absolutePath);
    const type = entryTypeOf(stats);
    return { type, size: type === "file" ? stats.size : null };
  } catch (error) {
    if (isAbsent(error)) return { type: null, size: null };
    throw error;
  }
}

function probe(root: string, paths: readonly string[]): ProbeAnswer {
  return paths.map((path) => {
    const linkAncestor = symlinkAncestor(root, path);
    if (linkAncestor !== null) return { type: null, linkAncestor, size: null };
    const absolute = resolveInside(root, path);
    const entry = absolute === null ? { type: null, size: null } : entrySync(absolute);
    return { ...entry, linkAncestor: null };
  });
}

function digest(files: readonly string[], sizes: readonly number[]): DigestAnswer {
  return files.map((file, i) => {
    try {
      const { size, digest, head } = digestFileSync(file, buffer, sizes[i]);
      return { ok: true, size, sha256: digest.sha256, head };
    } catch (error) {
      return { ok: false, error: errorForWire(error) };
    }
  });
}

/** Cleared the first time the file system says it cannot clone; then every file is copied. */
let tryClone = true;

function copy(files: readonly CopyRequest[]): CopyAnswer {
  return files.map(({ from, to, mode, mtimeMs }) => {
    try {
      const cloned = tryClone ? cloneFileWithDigestSync(from, to, mode, mtimeMs, buffer) : null;
      if (cloned === null) tryClone = false;
      const { size, digest } = cloned ?? copyFileWithDigestSync(from, to, mode, mtimeMs, buffer);
      return { ok: true, size, sha256: digest.sha256 };
    } catch (error) {
      return { ok: false, error: errorForWire(error) };
    }
  });
}

async function answer(task: StoreTask): Promise<StoreAnswer> {
  switch (task.kind) {
    case "probe":
      return probe(task.root, task.paths);
    case "digest":
      return digest(task.files, task.sizes);
    case "copy":
      return copy(task.files);
    case "sqlite": {
      // Loaded on first use: a store without databases never pays for better-sqlite3.
      const { inspectSQLite } = await import("./sqlite-inspect.js");
      return inspectSQLite(task.file, await readHead(task.file, 100), "sha256", task.part);
    }
  }
}

parentPort?.on("message", (task: StoreTask) => {
  answer(task).then(
    (result) =>
      parentPort?.postMessage({ ok: true, answer: result } satisfies WorkerReply<StoreAnswer>),
    (error: unknown) =>
      parentPort?.postMessage({
        ok: false,
        error: errorForWire(error),
      } satisfies WorkerReply<StoreAnswer>),
  );
});
