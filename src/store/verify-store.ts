// Checks a store root against its manifest, read-only: presence by role, kind, size, sha256,
// SQLite integrity and content, JSON parse; then anything the manifest does not list.
// Every failure is reported, not the first one.
import type { Artifact, Manifest, Role } from "../documents/types.js";
import { createFinding, type ClassifiedFinding, type Severity } from "../findings/finding.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import { parseJSONArtifact } from "./detect-kind.js";
import { digestFile } from "./file-digest.js";
import { inspectSQLite } from "./sqlite-inspect.js";
import { resolveInside } from "./store-path.js";
import { entryTypeAt, walkStore } from "./walk-store.js";

export type CheckName =
  "presence" | "size" | "sha256" | "sqlite_integrity" | "sqlite_content" | "json_parse";

export type StoreCheckCounts = {
  readonly artifacts: number;
  readonly byRole: Record<Role, number>;
  readonly byCheck: Record<CheckName, number>;
};

export type StoreVerification = {
  readonly findings: ClassifiedFinding[];
  readonly checked: StoreCheckCounts;
};

export type VerifyStoreOptions = {
  /** Unlisted entries are errors instead of warnings. */
  readonly strict?: boolean;
  readonly concurrency?: number;
  /**
   * Whether an unlisted entry is this run's to report; a shard reports only its own share, so a
   * stray file is reported by exactly one shard. Default: every entry.
   */
  readonly ownsUnlisted?: (path: string) => boolean;
};

/** How seriously a problem with an artifact counts, by its role (DESIGN.md "Roles"). */
function severityFor(role: Role): Severity | null {
  switch (role) {
    case "durable":
      return "error";
    case "reconstructable":
      return "warning";
    case "disposable":
      return null;
  }
}

type ArtifactResult = { findings: ClassifiedFinding[]; checks: CheckName[] };

export async function verifyStore(
  root: string,
  manifest: Manifest,
  options: VerifyStoreOptions = {},
): Promise<StoreVerification> {
  const byRole: Record<Role, number> = { durable: 0, reconstructable: 0, disposable: 0 };
  const byCheck: Record<CheckName, number> = {
    presence: 0,
    size: 0,
    sha256: 0,
    sqlite_integrity: 0,
    sqlite_content: 0,
    json_parse: 0,
  };
  const rootType = await entryTypeAt(root);
  if (rootType !== "dir") {
    const finding = createFinding("artifact_missing", {
      subject: root,
      expected: "a directory",
      actual: rootType ?? "absent",
      message: `the store root ${root} ${rootType === null ? "does not exist" : `is a ${rootType}, not a directory`}`,
      hint: "Check --root (or store.root in the drill config); a missing store is never recovered.",
    });
    return { findings: [finding], checked: { artifacts: 0, byRole, byCheck } };
  }

  const symlinkedDirs = new Set<string>();
  const results = await mapWithConcurrency(
    manifest.artifacts,
    options.concurrency ?? 4,
    (artifact) => checkArtifact(root, artifact, symlinkedDirs),
  );
  const findings: ClassifiedFinding[] = [];
  for (const [index, result] of results.entries()) {
    const artifact = manifest.artifacts[index];
    if (artifact) byRole[artifact.role]++;
    for (const check of result.checks) byCheck[check]++;
    findings.push(...result.findings);
  }
  findings.push(
    ...(await findUnlisted(root, manifest, options.strict ?? false, options.ownsUnlisted)),
  );
  return { findings, checked: { artifacts: manifest.artifacts.length, byRole, byCheck } };
}

async function checkArtifact(
  root: string,
  artifact: Artifact,
  symlinkedDirs: Set<string>,
): Promise<ArtifactResult> {
  const checks: CheckName[] = [];
  const findings: ClassifiedFinding[] = [];
  const severity = severityFor(artifact.role);
  const report = (
    code: Parameters<typeof createFinding>[0],
    fields: Omit<Parameters<typeof createFinding>[1], "subject">,
  ) => {
    if (severity)
      findings.push(createFinding(code, { subject: artifact.path, severity, ...fields }));
  };
  const absolutePath = resolveInside(root, artifact.path);
  if (absolutePath === null) {
    findings.push(
      createFinding("path_escapes_root", {
        subject: artifact.path,
        message: `${artifact.path}: the path leaves the store root`,
        failureClass: "unusable_input",
      }),
    );
    return { findings, checks };
  }
  const linkOnTheWay = await symlinkAncestor(root, artifact.path, symlinkedDirs);
  if (linkOnTheWay !== null) {
    findings.push(
      createFinding("path_escapes_root", {
        subject: artifact.path,
        actual: `symlink at ${linkOnTheWay}`,
        message: `${artifact.path}: the path goes through the symlink ${linkOnTheWay}, which is never followed`,
      }),
    );
    return { findings, checks };
  }

  checks.push("presence");
  const type = await entryTypeAt(absolutePath);
  if (type === null) {
    if (artifact.role !== "disposable") {
      report("artifact_missing", {
        expected: artifact.kind,
        actual: "absent",
        message: `${artifact.path}: ${artifact.role} ${artifact.kind} is missing from the store root`,
      });
    }
    return { findings, checks };
  }
  if (type === "symlink") {
    findings.push(
      createFinding("path_escapes_root", {
        subject: artifact.path,
        actual: "symlink",
        message: `${artifact.path}: is a symlink; symlinks in a store root are never followed`,
      }),
    );
    return { findings, checks };
  }
  const expectedType = artifact.kind === "dir" ? "dir" : "file";
  if (type !== expectedType) {
    report("artifact_kind_mismatch", {
      expected: expectedType === "dir" ? "a directory" : "a regular file",
      actual:
        type === "dir" ? "a directory" : type === "file" ? "a regular file" : "a special file",
      message: `${artifact.path}: expected ${artifact.kind}, found ${type === "other" ? "a special file" : `a ${type}`}`,
    });
    return { findings, checks };
  }
  // A disposable artifact is never required to match: a stale cache never fails a drill.
  if (artifact.kind === "dir" || artifact.role === "disposable") return { findings, checks };

  const bytesMustMatch = artifact.kind !== "sqlite" || artifact.sqlite?.identity !== "content";
  checks.push("size", "sha256");
  const actual = await digestFile(absolutePath);
  const bytesMatch = actual.size === artifact.size && digestsEqual(artifact.digest, actual.digest);
  if (!bytesMatch && bytesMustMatch) {
    if (actual.size !== artifact.size) {
      report("artifact_size_mismatch", {
        expected: String(artifact.size),
        actual: String(actual.size),
        message: `${artifact.path}: size expected ${artifact.size} bytes, got ${actual.size}`,
      });
    } else {
      report("artifact_hash_mismatch", {
        expected: artifact.digest.sha256,
        actual: actual.digest.sha256,
        message: `${artifact.path}: bytes differ from the release: expected ${shortDigest(artifact.digest)}…, got ${shortDigest(actual.digest)}…`,
      });
    }
  }

  if (artifact.kind === "json" && !bytesMatch) {
    checks.push("json_parse");
    if (!(await parseJSONArtifact(absolutePath))) {
      report("json_artifact_invalid", {
        expected: "valid JSON",
        actual: "not JSON",
        message: `${artifact.path}: is not valid JSON any more`,
      });
    }
  }

  if (artifact.kind === "sqlite" && artifact.sqlite) {
    checks.push("sqlite_integrity", "sqlite_content");
    const inspection = await inspectSQLite(absolutePath, actual.head);
    if (!inspection.ok) {
      report("sqlite_integrity_check_failed", {
        expected: "ok",
        actual: inspection.error,
        message: `${artifact.path}: SQLite integrity check failed: ${inspection.error}`,
      });
      return { findings, checks };
    }
    const expected = artifact.sqlite;
    const contentMatches = digestsEqual(expected.contentDigest, {
      sha256: inspection.contentDigestHex,
    });
    if (!contentMatches) {
      const tableDiffs = describeTableDifferences(expected.tables, inspection.tables);
      report("sqlite_content_mismatch", {
        expected: expected.contentDigest.sha256,
        actual: inspection.contentDigestHex,
        message: `${artifact.path}: content digest expected ${shortDigest(expected.contentDigest)}…, got ${shortDigest({ sha256: inspection.contentDigestHex })}…${tableDiffs ? ` (${tableDiffs})` : " (same row counts: rows or schema were changed in place)"}`,
      });
    }
  }
  return { findings, checks };
}

/** "cities: 3000 rows expected, 2999 found; airports: missing" — what changed, by table. */
export function describeTableDifferences(
  expected: readonly { name: string; rows: number }[],
  actual: readonly { name: string; rows: number }[],
): string {
  const found = new Map(actual.map((t) => [t.name, t.rows]));
  const parts: string[] = [];
  for (const table of expected) {
    const rows = found.get(table.name);
    if (rows === undefined) parts.push(`table ${table.name} is missing`);
    else if (rows !== table.rows)
      parts.push(`${table.name}: ${table.rows} rows expected, ${rows} found`);
    found.delete(table.name);
  }
  for (const name of found.keys()) parts.push(`table ${name} is not in the release`);
  return parts.join("; ");
}

/** The first ancestor directory of `path` (inside the root) that is a symlink, or null. */
async function symlinkAncestor(
  root: string,
  path: string,
  known: Set<string>,
): Promise<string | null> {
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const ancestor = segments.slice(0, i).join("/");
    if (known.has(ancestor)) return ancestor;
    const absolute = resolveInside(root, ancestor);
    if (absolute !== null && (await entryTypeAt(absolute)) === "symlink") {
      known.add(ancestor);
      return ancestor;
    }
  }
  return null;
}

/** Entries in the store root that the manifest does not list; never inside a disposable dir. */
async function findUnlisted(
  root: string,
  manifest: Manifest,
  strict: boolean,
  owns: (path: string) => boolean = () => true,
): Promise<ClassifiedFinding[]> {
  const listed = new Set(manifest.artifacts.map((a) => a.path));
  const skipUnder = manifest.artifacts
    .filter((a) => a.kind === "dir" && a.role === "disposable")
    .map((a) => `${a.path}/`);
  const findings: ClassifiedFinding[] = [];
  const reportedDirs: string[] = [];
  for await (const entry of walkStore(root)) {
    if (listed.has(entry.path)) continue;
    if (skipUnder.some((prefix) => entry.path.startsWith(prefix))) continue;
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
