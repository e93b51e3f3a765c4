// Where a symlink in a store root leads, decided without following it while walking: its
// target text resolved lexically against the link's directory, and the kernel's own resolution
// (realpath, which opens nothing) where the target exists. Either leaving the root is an escape:
// the lexical one catches a dangling link to a place that may exist later, realpath catches a
// chain of links whose texts each look harmless.
import { readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** "outside" (a path, lexically or for real), "inside", or "loop" (the kernel gave up: ELOOP). */
export type LinkVerdict =
  { readonly leads: "outside"; readonly target: string } | { readonly leads: "inside" | "loop" };

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Judges the symlink at `link` against `root` (as given) and `realRoot` (its realpath). An
 * error other than a loop or a dangling target leaves the lexical verdict standing.
 */
export async function judgeLink(
  root: string,
  realRoot: string,
  link: string,
): Promise<LinkVerdict> {
  const target = await readlink(link);
  if (!isInside(resolve(root), resolve(dirname(link), target))) return { leads: "outside", target };
  try {
    const real = await realpath(link);
    return isInside(realRoot, real) ? { leads: "inside" } : { leads: "outside", target: real };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ELOOP"
      ? { leads: "loop" }
      : { leads: "inside" };
  }
}
