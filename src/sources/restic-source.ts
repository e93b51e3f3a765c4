// restic:<repository>#<snapshot id|latest> — a snapshot in a restic repository, read through the
// restic program, so every backend restic reaches (local, SFTP, REST, S3, B2, ...) works. restic
// names the snapshot and its time; `restic dump` streams the store directory as tar, which
// restores through the same checked extraction as tar: sources. Nothing is written to the
// repository: every command runs with --no-lock (a lock is a write, and read-only repository
// credentials could not make one).
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import type { WrittenFile } from "../store/file-digest.js";
import { syncDirectory } from "../util/atomic-write.js";
import { failed, firstFinding, ok, type Checked } from "../findings/checked.js";
import type { ProgressReporter } from "../util/progress.js";
import type { SealedSizes } from "../archive/sealed-sizes.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";
import { extractTarStream } from "./tar-source.js";
import {
  exitFailed,
  noSnapshot,
  resticFailure,
  resticLine,
  runRestic,
  startRestic,
  type ResticExit,
  type ResticLocation,
} from "./restic-run.js";

export type ResticSnapshot = { readonly id: string; readonly time: Date; readonly path: string };

type TreeNode = { readonly name: string; readonly type: string; readonly path: string };

// A snapshot id or a prefix of one, as restic prints them; anything else (a leading "-" above
// all) never reaches restic's command line.
const SNAPSHOT = /^(?:latest|[0-9a-f]{1,64})$/;

/**
 * `<repository>#<snapshot>`, split at the last `#` (repository strings have colons, never a
 * trailing `#<hex>`); no `#` means the latest snapshot. A string for usage_invalid when wrong.
 */
function parseResticLocation(location: string): ResticLocation | string {
  const hash = location.lastIndexOf("#");
  const repository = hash === -1 ? location : location.slice(0, hash);
  const snapshot = hash === -1 ? "latest" : location.slice(hash + 1).toLowerCase();
  if (repository === "") return "names no repository";
  if (!SNAPSHOT.test(snapshot))
    return `names the snapshot ${JSON.stringify(snapshot)}; use "latest" or a snapshot id (its hex digits, or the first 8 of them)`;
  return { repository, snapshot };
}

export function createResticSource(ref: SourceRef): Checked<RestoreSource> {
  const location = parseResticLocation(ref.location);
  if (typeof location === "string")
    return failed(
      createFinding("usage_invalid", {
        subject: "--source",
        expected: "restic:<repository>#<snapshot id|latest>",
        actual: ref.text,
        message: `--source ${ref.text} ${location}`,
      }),
    );
  // Looked up once: the drill asks for the backup time, then extracts the same snapshot.
  let lookup: Promise<Checked<ResticSnapshot>> | null = null;
  const snapshot = () => (lookup ??= findSnapshot(ref, location));
  return ok({
    ref,
    async resolved() {
      const found = await snapshot();
      return found.ok ? `restic snapshot ${found.value.id}` : null;
    },
    async backupTime() {
      const found = await snapshot();
      return found.ok ? found.value.time : null;
    },
    async opens() {
      const found = await snapshot();
      return found.ok ? null : firstFinding(found);
    },
    async extract(scratch, progress, sealed): Promise<ExtractOutcome> {
      const found = await snapshot();
      if (!found.ok) return { findings: [...found.findings], files: 0, bytes: 0 };
      const treePath = await locateStore(ref, location, found.value);
      if (typeof treePath !== "string") return { findings: [treePath], files: 0, bytes: 0 };
      return dumpStore(ref, location, found.value, treePath, scratch, progress, sealed);
    },
  });
}

// 1. The snapshot: its full id (so "latest" cannot move between commands), time and path.
async function findSnapshot(
  ref: SourceRef,
  location: ResticLocation,
): Promise<Checked<ResticSnapshot>> {
  const run = await runRestic(location, ["snapshots", "--json", location.snapshot]);
  if (exitFailed(run)) return failed(resticFailure(ref, location, run));
  const listed = parseSnapshots(run.stdout);
  if (listed === null)
    return failed(
      sourceUnreadable(ref, "restic printed no snapshot list", run.stdout.slice(0, 200)),
    );
  // restic 0.14 exits 0 for an unknown id and says "Ignoring ...: no matching ID found".
  const [only, ...more] = listed;
  if (only === undefined) return failed(noSnapshot(ref, location, resticLine(run.stderr)));
  if (more.length > 0)
    return failed(sourceUnreadable(ref, `${location.snapshot} matches ${listed.length} snapshots`));
  const [path, ...others] = only.paths;
  if (path === undefined || others.length > 0)
    return failed(
      sourceUnreadable(
        ref,
        `snapshot ${only.id.slice(0, 8)} holds ${only.paths.length} paths (${only.paths.join(", ")}); a store backup holds exactly one, the store root: back it up alone`,
        only.paths.join(", "),
      ),
    );
  return ok({ id: only.id, time: only.time, path });
}

/** The times of every snapshot of the repository (for audit's retention), or why they cannot be listed. */
export async function listResticSnapshotTimes(ref: SourceRef): Promise<Checked<readonly Date[]>> {
  const location = parseResticLocation(ref.location);
  if (typeof location === "string") return failed(sourceUnreadable(ref, location));
  const run = await runRestic(location, ["snapshots", "--json"]);
  if (exitFailed(run)) return failed(resticFailure(ref, location, run));
  const listed = parseSnapshots(run.stdout);
  if (listed === null)
    return failed(
      sourceUnreadable(ref, "restic printed no snapshot list", run.stdout.slice(0, 200)),
    );
  return ok(listed.map((s) => s.time));
}

function parseSnapshots(
  stdout: string,
): { id: string; time: Date; paths: readonly string[] }[] | null {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const snapshots: { id: string; time: Date; paths: readonly string[] }[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) return null;
    const { id, time, paths } = item as Record<string, unknown>;
    const date = typeof time === "string" ? new Date(time) : null;
    if (typeof id !== "string" || date === null || Number.isNaN(date.getTime())) return null;
    if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === "string"))
      return null;
    snapshots.push({ id, time: date, paths });
  }
  return snapshots;
}

// 2. Where the store directory sits in the snapshot's tree. restic records the absolute path,
//    but keeps the tree as the path was given to `restic backup`: `/srv/atlas/store` (absolute),
//    `store` (relative, from /srv/atlas), or the store's own entries at the root (`.`).
async function locateStore(
  ref: SourceRef,
  location: ResticLocation,
  snapshot: ResticSnapshot,
): Promise<string | ClassifiedFinding> {
  const run = await runRestic(location, ["ls", "--json", snapshot.id, "/"]);
  if (exitFailed(run)) return resticFailure(ref, location, run);
  const top = parseTreeNodes(run.stdout);
  if (top.length === 0)
    return sourceUnreadable(ref, `snapshot ${snapshot.id.slice(0, 8)} is empty`);
  const [first, ...others] = storeTreeCandidates(snapshot.path, top);
  if (first === undefined) return "/";
  if (others.length === 0) return first;
  // A name repeated in the path (/data/store/data/store): the longest chain that is there.
  for (const candidate of [first, ...others]) {
    const listed = await runRestic(location, ["ls", "--json", snapshot.id, candidate]);
    if (exitFailed(listed)) return resticFailure(ref, location, listed);
    const nodes = parseTreeNodes(listed.stdout);
    if (nodes.some((node) => node.path === candidate && node.type === "dir")) return candidate;
  }
  return sourceUnreadable(ref, `snapshot ${snapshot.id.slice(0, 8)} holds no ${snapshot.path}`);
}

/**
 * Where the store may sit, longest first, from the snapshot's one path and the tree's top
 * level: a single directory named like a segment of the path starts a chain down to the store.
 * None: the store's own entries are at the root.
 */
function storeTreeCandidates(storePath: string, top: readonly TreeNode[]): string[] {
  const segments = storePath.split("/").filter((s) => s !== "");
  const [first, ...rest] = top;
  if (first === undefined || rest.length > 0 || first.type !== "dir") return [];
  return segments.flatMap((segment, index) =>
    segment === first.name ? [`/${segments.slice(index).join("/")}`] : [],
  );
}

function parseTreeNodes(stdout: string): TreeNode[] {
  const nodes: TreeNode[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      // The first line describes the snapshot (struct_type "snapshot"); the rest are nodes.
      if (value["struct_type"] !== "node") continue;
      const { name, type, path } = value;
      if (typeof name === "string" && typeof type === "string" && typeof path === "string")
        nodes.push({ name, type, path });
    } catch {
      continue; // not JSON: a warning restic printed on stdout
    }
  }
  return nodes;
}

// 3. Stream `restic dump` of the store directory into the checked tar extraction. restic 0.14
//    names members by their full tree path (`srv/atlas/store/catalog.json`), so they land in a
//    hidden directory of the scratch place and the store's entries are moved up after.
async function dumpStore(
  ref: SourceRef,
  location: ResticLocation,
  snapshot: ResticSnapshot,
  treePath: string,
  scratch: string,
  progress: ProgressReporter | undefined,
  sealed: SealedSizes | undefined,
): Promise<ExtractOutcome> {
  const prefix = treePath === "/" ? "" : treePath.slice(1);
  const into =
    prefix === "" ? scratch : join(scratch, `.restic-dump-${randomBytes(4).toString("hex")}`);
  if (prefix !== "") await mkdir(into);
  const restic = startRestic(location, ["dump", "--archive", "tar", snapshot.id, treePath]);
  let outcome: ExtractOutcome;
  try {
    // Members are named by their tree path; the release's sizes by the store path under it.
    const sealedHere = sealed && ((path: string) => sealed(storePathOf(path, prefix)));
    outcome = await extractTarStream(restic.child.stdout, ref, into, progress, {
      sealed: sealedHere,
    });
  } catch (error) {
    // An I/O error in the extraction must not leave restic running. (Only then: after a
    // complete tar restic is exiting by itself, and a signal now would fail a good dump.)
    restic.child.kill();
    throw error;
  }
  const exit = await restic.exit;
  if (exitFailed(exit) && !diedOfOurHangUp(exit, outcome)) {
    // restic's failure explains a short or empty tar; refused members are still named.
    const refused = outcome.findings.filter((f) => f.code !== "source_unreadable");
    return { ...outcome, findings: [resticFailure(ref, location, exit), ...refused] };
  }
  if (hasErrors(outcome.findings) || prefix === "") return outcome;
  const stray = await liftStore(ref, into, prefix, scratch);
  // The digests were taken under <into>/<prefix>; re-keyed to where the files are now.
  const written = new Map<string, WrittenFile>();
  for (const [path, file] of outcome.written ?? [])
    if (path.startsWith(`${prefix}/`)) written.set(path.slice(prefix.length + 1), file);
  return { ...outcome, findings: stray, written };
}

/** A member's store path: its tree path without the dumped directory's prefix. */
function storePathOf(path: string, prefix: string): string {
  return prefix === "" ? path : path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : "";
}

/** restic killed by the pipe we closed after the tar was refused: the tar findings say why. */
function diedOfOurHangUp(exit: ResticExit, outcome: ExtractOutcome): boolean {
  return hasErrors(outcome.findings) && (exit.signal !== null || /broken pipe/i.test(exit.stderr));
}

/**
 * Moves the store's entries from `<into>/<prefix>` up into `scratch`. Each directory on the way
 * must hold only the next one: restic dumps nothing else, so anything beside it is a member
 * outside the snapshot's store path, refused, never dropped.
 */
async function liftStore(
  ref: SourceRef,
  into: string,
  prefix: string,
  scratch: string,
): Promise<ClassifiedFinding[]> {
  let directory = into;
  let path = "";
  for (const segment of prefix.split("/")) {
    const stray = (await readdir(directory)).filter((name) => name !== segment);
    if (stray.length > 0)
      return stray.map((name) =>
        createFinding("archive_entry_refused", {
          subject: `${path}${name}`,
          message: `${ref.text}: member ${path}${name} is outside the snapshot's store path /${prefix}`,
        }),
      );
    directory = join(directory, segment);
    path = `${path}${segment}/`;
  }
  const store = await lstat(directory).catch(() => null);
  if (store === null || !store.isDirectory())
    return [sourceUnreadable(ref, `holds no store directory at /${prefix}`)];
  for (const name of await readdir(directory))
    await rename(join(directory, name), join(scratch, name));
  await rm(into, { recursive: true });
  await syncDirectory(scratch);
  return [];
}
