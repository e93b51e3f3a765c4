// What of a target the release does not list: the paths a restore carries over into the
// restored root instead of taking them away with the old store (docs/restore.md, "What the
// release does not list"). Listed is a path the manifest lists, a path inside a directory
// artifact that owns its contents (disposable, or live: level schema or present), or a SQLite
// sidecar (-wal, -shm, -journal) of a listed database; the same paths `verify` does not call
// strays. A directory that holds no listed path is unlisted as a whole, so `sources/` is one
// path, not its every file.
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import { ArtifactTable, artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import { isLiveDirectory } from "../store/identity-levels.js";

const SIDECARS = ["-wal", "-shm", "-journal"];

/** Whether a path is listed, and whether a directory holds a listed path (pure). */
export type ListedIndex = {
  listed(path: string): boolean;
  /**
   * A directory the release lists without owning its contents, or that some listed path is
   * inside: it is walked into, not carried whole.
   */
  walkInto(path: string): boolean;
};

export function listedIndexOf(artifacts: ArtifactSource): ListedIndex {
  // A table answers "is this path listed" from its own columns; an array needs a set of paths.
  const table = artifacts instanceof ArtifactTable ? artifacts : null;
  const paths = new Set<string>();
  const databases = new Set<string>();
  const directories: string[] = [];
  const ancestors = new Set<string>();
  for (const artifact of artifactsOf(artifacts)) {
    if (table === null) paths.add(artifact.path);
    if (artifact.kind === "sqlite") databases.add(artifact.path);
    if (artifact.kind === "dir" && (artifact.role === "disposable" || isLiveDirectory(artifact)))
      directories.push(`${artifact.path}/`);
    else if (artifact.kind === "dir") ancestors.add(artifact.path);
    const parts = artifact.path.split("/");
    for (let depth = 1; depth < parts.length; depth++)
      ancestors.add(parts.slice(0, depth).join("/"));
  }
  const exact = (path: string) => (table ? table.indexOf(path) !== -1 : paths.has(path));
  const sidecarOf = (path: string) => {
    const suffix = SIDECARS.find((end) => path.endsWith(end));
    return suffix !== undefined && databases.has(path.slice(0, -suffix.length));
  };
  return {
    listed: (path) =>
      exact(path) || sidecarOf(path) || directories.some((dir) => path.startsWith(dir)),
    walkInto: (path) => ancestors.has(path),
  };
}

/**
 * The unlisted paths in `target` (relative, POSIX, sorted), each at the coarsest level: a
 * directory is walked into only when the release lists what is in it. Links are never followed.
 */
export async function unlistedIn(target: string, index: ListedIndex): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names: string[] = [];
    for await (const entry of await opendir(dir)) names.push(entry.name);
    for (const name of names.sort()) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const absolute = join(dir, name);
      if (index.walkInto(path) && (await lstat(absolute)).isDirectory()) await walk(absolute, path);
      else if (!index.listed(path)) found.push(path);
    }
  };
  if ((await lstat(target).catch(() => null))?.isDirectory()) await walk(target, "");
  return found;
}

/**
 * restore --undo: the paths of `target` that `other` (the safety copy put back) does not have,
 * each at the coarsest level (a directory both have is walked into). Links are never followed.
 */
export async function missingFrom(target: string, other: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (prefix: string): Promise<void> => {
    const names: string[] = [];
    for await (const entry of await opendir(join(target, prefix))) names.push(entry.name);
    for (const name of names.sort()) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const theirs = await lstat(join(other, path)).catch(() => null);
      if (theirs === null) found.push(path);
      else if (theirs.isDirectory() && (await lstat(join(target, path))).isDirectory())
        await walk(path);
    }
  };
  if ((await lstat(target).catch(() => null))?.isDirectory()) await walk("");
  return found;
}
