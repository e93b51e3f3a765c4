// Lists a store root without following anything: symlinks, FIFOs, sockets and devices are
// reported as what they are and never opened (DESIGN.md "Stray files").
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";

export type EntryType = "file" | "dir" | "symlink" | "other";

export type StoreEntry = {
  /** Relative POSIX path from the store root. */
  readonly path: string;
  readonly absolutePath: string;
  readonly type: EntryType;
};

/**
 * Every entry under `root`, depth first, names in the order JavaScript compares strings (UTF-16
 * code units, which differs from code-point order only for names outside the Basic Multilingual
 * Plane) so output is stable; `compareWalkOrder` in src/documents/store-path.ts is the same
 * order for whole paths. A directory's names are held while it is walked, so a flat directory
 * of n entries costs n names of memory; the rest of the walk is streamed.
 */
export async function* walkStore(root: string): AsyncGenerator<StoreEntry> {
  yield* walkDirectory(root, "");
}

async function* walkDirectory(directory: string, prefix: string): AsyncGenerator<StoreEntry> {
  const entries: { name: string; type: EntryType }[] = [];
  for await (const dirent of await opendir(directory)) {
    entries.push({ name: dirent.name, type: entryTypeOf(dirent) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, type } of entries) {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    const absolutePath = join(directory, name);
    yield { path, absolutePath, type };
    if (type === "dir") yield* walkDirectory(absolutePath, path);
  }
}

/** What an lstat or a directory entry says is there (a symlink is never looked through). */
export function entryTypeOf(info: {
  isSymbolicLink(): boolean;
  isDirectory(): boolean;
  isFile(): boolean;
}): EntryType {
  if (info.isSymbolicLink()) return "symlink";
  if (info.isDirectory()) return "dir";
  if (info.isFile()) return "file";
  return "other";
}

/** The errors that mean nothing is at a path (or a file stands where a directory should). */
export function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** What is at a path, without following a final symlink; null when nothing is there. */
export async function entryTypeAt(absolutePath: string): Promise<EntryType | null> {
  try {
    return entryTypeOf(await lstat(absolutePath));
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}
