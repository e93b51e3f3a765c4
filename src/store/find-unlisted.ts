// The walk for stray entries: what is in a store root that the manifest does not list.
// Symlinks, FIFOs and devices are reported as what they are, never followed or opened; a
// symlink that leads out of the root is an error (path_escapes_root), not a stray.
import { realpath } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { ArtifactTable, artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import { judgeLink } from "./link-escape.js";
import { isLiveDirectory } from "./identity-levels.js";
import { walkStore } from "./walk-store.js";

/** Entries in the store root that the manifest does not list; never inside a disposable dir. */
export async function findUnlisted(
  root: string,
  artifacts: ArtifactSource,
  strict: boolean,
  owns: (path: string) => boolean = () => true,
  /** Paths that are not the store's (the drill config's `exclude`): never strays. */
  excluded: (path: string) => boolean = () => false,
): Promise<ClassifiedFinding[]> {
  // A table answers "is this path listed" from its own columns; an array needs a set of paths.
  const table = artifacts instanceof ArtifactTable ? artifacts : null;
  const paths = table === null ? new Set<string>() : null;
  const listed = (path: string) =>
    table ? table.indexOf(path) !== -1 : (paths?.has(path) ?? false);
  const skipUnder: string[] = [];
  // A live directory's files and directories are its own (docs/live-data.md); links and
  // special files in it are still named.
  const liveUnder: string[] = [];
  for (const artifact of artifactsOf(artifacts)) {
    paths?.add(artifact.path);
    if (artifact.kind === "dir" && artifact.role === "disposable")
      skipUnder.push(`${artifact.path}/`);
    else if (isLiveDirectory(artifact)) liveUnder.push(`${artifact.path}/`);
  }
  const findings: ClassifiedFinding[] = [];
  const reportedDirs: string[] = [];
  const realRoot = await realpath(root);
  for await (const entry of walkStore(root)) {
    if (listed(entry.path)) continue;
    // A link out of the root is an error wherever it is, in a disposable or stray dir too.
    if (entry.type === "symlink") {
      const verdict = await judgeLink(root, realRoot, entry.absolutePath);
      if (verdict.leads === "outside") {
        if (owns(entry.path)) findings.push(linkEscapes(entry.path, verdict.target));
        continue;
      }
    }
    if (skipUnder.some((prefix) => entry.path.startsWith(prefix))) continue;
    if (excluded(entry.path)) {
      if (entry.type === "dir") skipUnder.push(`${entry.path}/`);
      continue;
    }
    if (
      (entry.type === "file" || entry.type === "dir") &&
      liveUnder.some((prefix) => entry.path.startsWith(prefix))
    )
      continue;
    if (reportedDirs.some((prefix) => entry.path.startsWith(prefix))) continue;
    if (entry.type === "dir") reportedDirs.push(`${entry.path}/`);
    if (!owns(entry.path)) continue;
    const what =
      entry.type === "symlink"
        ? "a symlink (never followed)"
        : entry.type === "other"
          ? "a special file (never opened)"
          : entry.type === "dir"
            ? "a directory"
            : "a file";
    findings.push(
      createFinding("unexpected_artifact", {
        subject: entry.path,
        severity: strict ? "error" : "warning",
        expected: "absent",
        actual: entry.type,
        message: `${entry.path}: ${what} in the store root that the manifest does not list`,
      }),
    );
  }
  return findings;
}

function linkEscapes(path: string, target: string): ClassifiedFinding {
  return createFinding("path_escapes_root", {
    subject: path,
    expected: "inside the store root",
    actual: `symlink to ${target}`,
    message: `${path}: a symlink to ${target}, outside the store root (never followed; a service that follows it reads outside the store)`,
  });
}
