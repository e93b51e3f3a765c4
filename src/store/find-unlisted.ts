// The walk for stray entries: what is in a store root that the manifest does not list.
// Symlinks, FIFOs and devices are reported as what they are, never followed or opened; a
// symlink that leads out of the root is an error (path_escapes_root), not a stray.
//
// A manifest read from its file in the walk's own order (seal writes it so) is gone along
// beside the walk in one pass, a merge of two sorted runs, so no set of its paths is held;
// a manifest in memory (an array, a table) answers "is this listed" by a lookup instead.
import { realpath } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { ArtifactTable, artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import { compareWalkOrder } from "../documents/store-path.js";
import type { Artifact } from "../documents/types.js";
import { judgeLink } from "./link-escape.js";
import { isLiveDirectory } from "./identity-levels.js";
import { walkStore, type StoreEntry } from "./walk-store.js";

type Judging = {
  readonly root: string;
  readonly realRoot: string;
  readonly strict: boolean;
  /** Whether an unlisted entry is this run's to report (a shard reports its own share). */
  readonly owns: (path: string) => boolean;
  /** Paths that are not the store's (the drill config's `exclude`): never strays. */
  readonly excluded: (path: string) => boolean;
};

/** Entries in the store root that the manifest does not list; never inside a disposable dir. */
export async function findUnlisted(
  root: string,
  artifacts: ArtifactSource | ArtifactWindows,
  strict: boolean,
  owns: (path: string) => boolean = () => true,
  excluded: (path: string) => boolean = () => false,
): Promise<ClassifiedFinding[]> {
  const judging = { root, realRoot: await realpath(root), strict, owns, excluded };
  return "at" in artifacts
    ? findByLookup(judging, artifacts)
    : artifacts.inWalkOrder
      ? findAlong(judging, artifacts)
      : findByLookup(judging, await collect(artifacts));
}

/** Artifacts in memory: every prefix known before the walk, each entry looked up. */
async function findByLookup(judging: Judging, artifacts: ArtifactSource) {
  // A table answers "is this path listed" from its own columns; an array needs a set of paths.
  const table = artifacts instanceof ArtifactTable ? artifacts : null;
  const paths = table === null ? new Set<string>() : null;
  const listed = (path: string) =>
    table ? table.indexOf(path) !== -1 : (paths?.has(path) ?? false);
  const judge = new StrayJudge(judging);
  for (const artifact of artifactsOf(artifacts)) {
    paths?.add(artifact.path);
    judge.listedArtifact(artifact);
  }
  for await (const entry of walkStore(judging.root)) {
    if (!listed(entry.path)) await judge.unlisted(entry);
  }
  return judge.findings;
}

/**
 * A manifest in the walk's order: the walk and the manifest go forward together. Each entry
 * the walk meets before the manifest's next path is unlisted; each artifact is known before
 * any entry under it comes, so its disposable or live directory is skipped as before.
 */
async function findAlong(judging: Judging, artifacts: ArtifactWindows) {
  const judge = new StrayJudge(judging);
  const walk = walkStore(judging.root)[Symbol.asyncIterator]();
  let next = await walk.next();
  await artifacts.forEachWindow(128, async (_start, list) => {
    for (const artifact of list) {
      while (!next.done && compareWalkOrder(next.value.path, artifact.path) < 0) {
        await judge.unlisted(next.value);
        next = await walk.next();
      }
      judge.listedArtifact(artifact);
      if (!next.done && next.value.path === artifact.path) {
        judge.passListed(next.value);
        next = await walk.next();
      }
    }
  });
  for (; !next.done; next = await walk.next()) await judge.unlisted(next.value);
  return judge.findings;
}

/** A walk-ordered copy kept for a manifest the fast path could not take in the walk's order. */
async function collect(artifacts: ArtifactWindows): Promise<Artifact[]> {
  const all: Artifact[] = [];
  await artifacts.forEachWindow(4096, (_start, list) => {
    all.push(...list);
  });
  return all;
}

/** Judges the walk's entries, one at a time, in the walk's order. */
class StrayJudge {
  readonly findings: ClassifiedFinding[] = [];
  /** Disposable directories of the manifest: nothing under one is a stray. */
  private skipUnder: string[] = [];
  /**
   * A live directory's files and directories are its own (docs/live-data.md); links and
   * special files in it are still named.
   */
  private liveUnder: string[] = [];
  /** Excluded directories and stray directories already named, met on the walk. */
  private excludedUnder: string[] = [];
  private reportedDirs: string[] = [];

  constructor(private readonly judging: Judging) {}

  listedArtifact(artifact: Artifact): void {
    if (artifact.kind === "dir" && artifact.role === "disposable")
      this.skipUnder.push(`${artifact.path}/`);
    else if (isLiveDirectory(artifact)) this.liveUnder.push(`${artifact.path}/`);
  }

  /** A listed entry: nothing to report, but the walk has moved on. */
  passListed(entry: StoreEntry): void {
    this.leaveBehind(entry.path);
  }

  async unlisted(entry: StoreEntry): Promise<void> {
    this.leaveBehind(entry.path);
    const { root, realRoot, owns, excluded } = this.judging;
    // A link out of the root is an error wherever it is, in a disposable or stray dir too.
    if (entry.type === "symlink") {
      const verdict = await judgeLink(root, realRoot, entry.absolutePath);
      if (verdict.leads === "outside") {
        if (owns(entry.path)) this.findings.push(linkEscapes(entry.path, verdict.target));
        return;
      }
    }
    const under = (prefixes: string[]) => prefixes.some((prefix) => entry.path.startsWith(prefix));
    if (under(this.skipUnder) || under(this.excludedUnder)) return;
    if (excluded(entry.path)) {
      if (entry.type === "dir") this.excludedUnder.push(`${entry.path}/`);
      return;
    }
    if ((entry.type === "file" || entry.type === "dir") && under(this.liveUnder)) return;
    if (under(this.reportedDirs)) return;
    if (entry.type === "dir") this.reportedDirs.push(`${entry.path}/`);
    if (owns(entry.path)) this.findings.push(unexpected(entry, this.judging.strict));
  }

  /**
   * The walk is depth first: once it has passed a directory and met a path outside it, it
   * never comes back under it, so the directories behind it are let go. A directory still
   * ahead (the manifest's, known before the walk reaches them) is kept.
   */
  private leaveBehind(path: string): void {
    const behind = (prefix: string) =>
      !path.startsWith(prefix) && compareWalkOrder(prefix.slice(0, -1), path) < 0;
    const ahead = (prefix: string) => !behind(prefix);
    if (this.skipUnder.some(behind)) this.skipUnder = this.skipUnder.filter(ahead);
    if (this.liveUnder.some(behind)) this.liveUnder = this.liveUnder.filter(ahead);
    if (this.excludedUnder.some(behind)) this.excludedUnder = this.excludedUnder.filter(ahead);
    if (this.reportedDirs.some(behind)) this.reportedDirs = this.reportedDirs.filter(ahead);
  }
}

function unexpected(entry: StoreEntry, strict: boolean): ClassifiedFinding {
  const what =
    entry.type === "symlink"
      ? "a symlink (never followed)"
      : entry.type === "other"
        ? "a special file (never opened)"
        : entry.type === "dir"
          ? "a directory"
          : "a file";
  return createFinding("unexpected_artifact", {
    subject: entry.path,
    severity: strict ? "error" : "warning",
    expected: "absent",
    actual: entry.type,
    message: `${entry.path}: ${what} in the store root that the manifest does not list`,
  });
}

function linkEscapes(path: string, target: string): ClassifiedFinding {
  return createFinding("path_escapes_root", {
    subject: path,
    expected: "inside the store root",
    actual: `symlink to ${target}`,
    message: `${path}: a symlink to ${target}, outside the store root (never followed; a service that follows it reads outside the store)`,
  });
}
