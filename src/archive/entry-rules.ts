// The rules every entry of a backup passes before a byte of it is written (DESIGN.md
// "Archives"), as a pure function: escapes are path_escapes_root and never stripped; special
// files, dangling hardlinks, bad names and duplicates are archive_entry_refused.
import { checkStorePath } from "../documents/store-path.js";

export type EntryKind = "file" | "dir" | "symlink" | "hardlink" | "special";

export type BackupEntry = {
  /** The member name as the backup holds it. */
  readonly name: string;
  readonly kind: EntryKind;
  /** For links: where they point, as the backup holds it. */
  readonly linkTarget?: string;
  /** For special files: what they are (FIFO, CharacterDevice, ...). */
  readonly detail?: string;
};

export type EntryDecision =
  | {
      readonly accept: true;
      readonly path: string;
      readonly kind: "file" | "dir" | "hardlink";
      readonly linkPath?: string;
    }
  | { readonly accept: false; readonly skip: true }
  | {
      readonly accept: false;
      readonly skip: false;
      readonly code: "path_escapes_root" | "archive_entry_refused";
      readonly path: string;
      readonly reason: string;
    };

/** The paths of one kind seen so far: what judging an entry asks of them. */
type SeenPaths = { add(path: string): unknown; has(path: string): boolean };

/** What has been seen so far in one backup; entries are judged in order. */
export type EntryState = {
  readonly files: SeenPaths;
  readonly seen: SeenPaths;
  readonly links: Set<string>;
};

export function createEntryState(): EntryState {
  return { files: new Set(), seen: new Set(), links: new Set() };
}

/** Remembers nothing: for what a backup cannot hold twice. */
const FORGETFUL: SeenPaths = { add: () => undefined, has: () => false };

/**
 * The state of a directory walk: it names each path once and holds no hard-link members, so it
 * keeps no record per file (only its symlinks, each refused), and memory does not grow with the
 * tree.
 */
export function createWalkState(): EntryState {
  return { files: FORGETFUL, seen: FORGETFUL, links: new Set() };
}

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

/** `./a/b/` -> `a/b`; the root entry `.` or `./` becomes "". */
function normalizeMemberName(name: string): string {
  let path = name;
  while (path.startsWith("./")) path = path.slice(2);
  if (path === ".") return "";
  return path.endsWith("/") ? path.replace(/\/+$/, "") : path;
}

function escapes(path: string): string | null {
  if (path.startsWith("/")) return "is an absolute path";
  if (path.split("/").includes("..")) return "has a '..' segment";
  return null;
}

/** Whether a link target, taken relative to the link's directory, stays inside the root. */
function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith("/")) return false;
  const parts = linkPath.split("/").slice(0, -1);
  for (const segment of target.split("/")) {
    if (segment === "..") {
      if (parts.length === 0) return false;
      parts.pop();
    } else if (segment !== "." && segment !== "") parts.push(segment);
  }
  return true;
}

export function judgeEntry(entry: BackupEntry, state: EntryState): EntryDecision {
  const path = normalizeMemberName(entry.name);
  const refuse = (
    code: "path_escapes_root" | "archive_entry_refused",
    reason: string,
  ): EntryDecision => ({
    accept: false,
    skip: false,
    code,
    path: entry.name,
    reason,
  });
  if (path === "" && entry.kind === "dir") return { accept: false, skip: true };
  const escape = escapes(path);
  if (escape) return refuse("path_escapes_root", escape);
  // A member inside a symlink member would be written through the link.
  const throughLink = [...state.links].find((link) => path.startsWith(`${link}/`));
  if (throughLink)
    return refuse("path_escapes_root", `would be written through the symlink ${throughLink}`);
  if (path.includes("\uFFFD"))
    return refuse("archive_entry_refused", "has a name that is not UTF-8");
  const bytes = Buffer.byteLength(path);
  if (
    bytes > MAX_PATH_BYTES ||
    path.split("/").some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)
  ) {
    return refuse("archive_entry_refused", "has a name too long for the file system");
  }
  const problem = checkStorePath(path);
  if (problem)
    return refuse(
      problem.code === "path_escapes_root" ? "path_escapes_root" : "archive_entry_refused",
      problem.reason,
    );
  if (state.seen.has(path)) return refuse("archive_entry_refused", "appears twice");
  state.seen.add(path);
  switch (entry.kind) {
    case "dir":
      return { accept: true, path, kind: "dir" };
    case "file":
      state.files.add(path);
      return { accept: true, path, kind: "file" };
    case "hardlink": {
      const target = normalizeMemberName(entry.linkTarget ?? "");
      if (escapes(target))
        return refuse(
          "path_escapes_root",
          `is a hardlink to ${entry.linkTarget ?? ""}, outside the root`,
        );
      if (!state.files.has(target))
        return refuse(
          "archive_entry_refused",
          `is a hardlink to ${entry.linkTarget ?? ""}, which is not an earlier file of the backup`,
        );
      state.files.add(path);
      return { accept: true, path, kind: "hardlink", linkPath: target };
    }
    case "symlink":
      state.links.add(path);
      if (!linkStaysInside(path, entry.linkTarget ?? "")) {
        return refuse(
          "path_escapes_root",
          `is a symlink to ${entry.linkTarget ?? ""}, outside the root`,
        );
      }
      return refuse(
        "archive_entry_refused",
        `is a symlink (to ${entry.linkTarget ?? ""}); a store root holds no symlinks`,
      );
    case "special":
      return refuse(
        "archive_entry_refused",
        `is a ${entry.detail ?? "special file"}, which is never restored`,
      );
  }
}
