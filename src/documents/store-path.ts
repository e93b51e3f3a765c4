// The rules for a path inside a store root (DESIGN.md "Documents are closed"): relative,
// `/`-separated, NFC, no NUL, backslash, empty, `.` or `..` segment. Escapes are refused as
// path_escapes_root; other malformed paths make the document invalid.
import { resolve, sep } from "node:path";

export type StorePathProblem = {
  readonly code: "path_escapes_root" | "document_invalid";
  readonly reason: string;
};

export function checkStorePath(path: string): StorePathProblem | null {
  if (path.startsWith("/")) return { code: "path_escapes_root", reason: "is absolute" };
  const segments = path.split("/");
  if (segments.includes("..")) return { code: "path_escapes_root", reason: "has a '..' segment" };
  if (path.includes("\0")) return { code: "document_invalid", reason: "contains a NUL character" };
  if (path.includes("\\"))
    return { code: "document_invalid", reason: "contains a backslash (paths use /)" };
  if (segments.includes(".")) return { code: "document_invalid", reason: "has a '.' segment" };
  if (segments.includes("")) return { code: "document_invalid", reason: "has an empty segment" };
  if (path.normalize("NFC") !== path)
    return { code: "document_invalid", reason: "is not in Unicode NFC form" };
  return null;
}

/**
 * Resolves a checked store path against its root and proves it stays inside. Callers must
 * still refuse symlinks on the way (see `lstat` use in the store checks): resolution is textual.
 */
export function resolveInside(root: string, path: string): string | null {
  const absoluteRoot = resolve(root);
  const target = resolve(absoluteRoot, ...path.split("/"));
  return target.startsWith(absoluteRoot + sep) ? target : null;
}

/**
 * The order in which the store walk (src/store/walk-store.ts) meets two paths: depth first,
 * names compared as JavaScript compares strings within each directory. Not plain string
 * order: "a.b" sorts before "a/b" as strings, but the walk meets "a", then everything under
 * "a", and only then "a.b". Negative when `a` comes first, 0 when they are the same path.
 */
export function compareWalkOrder(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // One name ends here and the other goes on: the shorter name sorts first.
    if (x === SLASH) return -1;
    if (y === SLASH) return 1;
    return x - y;
  }
  return a.length - b.length; // a directory before what it holds, a name before a longer one
}

const SLASH = 0x2f;
