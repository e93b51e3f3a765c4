// Where a restore must never go, whatever --force says (DESIGN.md "Restore targets"): a restore
// moves its target aside, so a target that is the working directory, `/`, the home directory or
// an ancestor of the backup, the evidence or the working directory would take them with it. A
// target inside the backup would write into what it reads. Paths are compared as given and with
// every existing link resolved, so a link cannot hide a forbidden target.
import { lstat, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { SourceRef } from "../archive/source.js";

/** The places a target is judged against, all absolute. */
export type Protected = {
  readonly cwd: string;
  readonly home: string | null;
  /** The backup's directory or file on this machine; null for a remote restic repository. */
  readonly backup: string | null;
  readonly evidence: readonly string[];
};

const isInside = (inner: string, outer: string) => {
  const rel = relative(outer, inner);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
};
const coversOrIs = (outer: string, inner: string) => outer === inner || isInside(inner, outer);

/** Why `target` may not be restored into, or null (pure). */
export function forbiddenTarget(target: string, places: Protected): string | null {
  if (target === dirname(target)) return "is the root directory";
  if (target === places.cwd) return "is the working directory";
  if (isInside(places.cwd, target)) return `is an ancestor of the working directory ${places.cwd}`;
  if (places.home !== null && coversOrIs(target, places.home))
    return target === places.home
      ? "is the home directory"
      : `is an ancestor of the home directory ${places.home}`;
  if (places.backup !== null) {
    if (coversOrIs(target, places.backup))
      return target === places.backup
        ? "is the backup being restored"
        : `is an ancestor of the backup ${places.backup}`;
    if (isInside(target, places.backup))
      return `is inside the backup ${places.backup}: the restore would write into what it reads`;
  }
  const evidence = places.evidence.find((file) => isInside(file, target));
  if (evidence !== undefined) return `holds the evidence ${evidence}`;
  return null;
}

/** Why `--scratch` may not be used, or null (pure): inside the target it would be swapped away. */
export function forbiddenScratch(
  scratch: string,
  target: string,
  places: Protected,
): string | null {
  if (coversOrIs(target, scratch)) return `is inside the target ${target}`;
  if (places.backup !== null && coversOrIs(places.backup, scratch))
    return `is inside the backup ${places.backup}`;
  return null;
}

/** The backup's local path, when it has one: a restic repository may be remote. */
export function localBackupOf(ref: SourceRef, cwd: string): string | null {
  switch (ref.scheme) {
    case "dir":
    case "tar":
      return ref.location;
    case "snapshot":
      return ref.location.slice(0, ref.location.lastIndexOf("#"));
    case "restic": {
      const hash = ref.location.lastIndexOf("#");
      const repository = hash === -1 ? ref.location : ref.location.slice(0, hash);
      if (repository.startsWith("local:")) return resolve(cwd, repository.slice("local:".length));
      return /^[a-z0-9]+:/.test(repository) ? null : resolve(cwd, repository);
    }
  }
}

/** The path with every link of its existing part resolved. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}

async function realPlaces(places: Protected): Promise<Protected> {
  return {
    cwd: await realPathOf(places.cwd),
    home: places.home === null ? null : await realPathOf(places.home),
    backup: places.backup === null ? null : await realPathOf(places.backup),
    evidence: await Promise.all(places.evidence.map(realPathOf)),
  };
}

function refused(subject: string, path: string, why: string): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject,
    actual: path,
    message: `${subject} ${path} ${why}; a restore moves its target aside, so nothing was done`,
    hint: "Name the store root to restore into: a directory of its own, outside the backup and the evidence (it may be absent).",
  });
}

/**
 * The target and --scratch judged as given and with links resolved; a target that is itself a
 * link is refused too (the swap would replace the link, not the directory it names).
 */
export async function checkTarget(
  rawTarget: string,
  cwd: string,
  backup: string | null,
  evidence: readonly string[],
  scratch: string | null,
): Promise<ClassifiedFinding | null> {
  if (rawTarget === "") return refused("--target", '""', "is empty (an unset variable?)");
  const target = resolve(cwd, rawTarget);
  const places: Protected = { cwd, home: homeOf(), backup, evidence };
  const real = await realPlaces(places);
  const realTarget = await realPathOf(target);
  const why = forbiddenTarget(target, places) ?? forbiddenTarget(realTarget, real);
  if (why !== null) return refused("--target", target, why);
  if ((await lstat(target).catch(() => null))?.isSymbolicLink())
    return refused(
      "--target",
      target,
      `is a symbolic link to ${realTarget}; name the directory itself`,
    );
  if (scratch === null) return null;
  const scratchWhy =
    forbiddenScratch(scratch, target, places) ??
    forbiddenScratch(await realPathOf(scratch), realTarget, real);
  return scratchWhy === null ? null : refused("--scratch", scratch, scratchWhy);
}

function homeOf(): string | null {
  try {
    const home = homedir();
    return home === "" ? null : resolve(home);
  } catch {
    return null;
  }
}
