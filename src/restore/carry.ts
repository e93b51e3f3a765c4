// Moving the paths the release does not list between the old store and the restored tree, by
// rename (so nothing is copied and nothing can be half copied). Before the swap they go from the
// target into the verified scratch tree (carryOver); a swap that is undone, or a run killed
// before its swap took effect, brings them back (carryBack, also run by recover.ts from the
// journal). Every path is relative and checked to stay inside both roots, through directories,
// never links.
import { renameSync } from "node:fs";
import { lstat, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { entryTypeAt } from "../store/walk-store.js";
import { syncDirectory } from "../util/atomic-write.js";

/** A store path safe to join to a root: relative, no `.` or `..` segment, no empty one (pure). */
export function isCarriablePath(path: unknown): path is string {
  if (typeof path !== "string" || path === "" || path.includes("\0")) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/** Every directory from `root` down to the one holding `path` is a directory (or absent). */
async function throughDirectories(root: string, path: string): Promise<boolean> {
  const parts = path.split("/").slice(0, -1);
  for (let depth = 1; depth <= parts.length; depth++) {
    const info = await lstat(join(root, ...parts.slice(0, depth))).catch(() => null);
    if (info === null) return true;
    if (!info.isDirectory()) return false;
  }
  return true;
}

/**
 * Moves each path from `from` into `to` (its directories made as needed); returns the paths
 * moved. `replace`: a path already in `to` is removed first (before the swap that is the
 * backup's own unlisted copy, in scratch); otherwise the path is left where it is.
 */
async function move(
  from: string,
  to: string,
  paths: readonly string[],
  replace: boolean,
): Promise<string[]> {
  const moved: string[] = [];
  const touched = new Set<string>();
  for (const path of paths) {
    if (!isCarriablePath(path)) continue;
    if (!(await throughDirectories(from, path)) || !(await throughDirectories(to, path))) continue;
    const source = join(from, path);
    const destination = join(to, path);
    if ((await entryTypeAt(source)) === null) continue;
    if ((await entryTypeAt(destination)) !== null) {
      if (!replace) continue;
      await rm(destination, { recursive: true, force: true });
    }
    await mkdir(dirname(destination), { recursive: true });
    renameSync(source, destination);
    touched.add(dirname(source)).add(dirname(destination));
    moved.push(path);
  }
  for (const dir of touched) await syncDirectory(dir);
  return moved;
}

/** Before the swap: the unlisted paths go from the target into the verified scratch tree. */
export function carryOver(target: string, scratch: string, paths: readonly string[]) {
  return move(target, scratch, paths, true);
}

/** The swap did not happen: the carried paths go back from the scratch tree into the target. */
export function carryBack(scratch: string, target: string, paths: readonly string[]) {
  return move(scratch, target, paths, false);
}
