// The store checks, as a list of one shape (./artifact-check.ts): the bytes of every file, then
// the checks that open what the file holds (SQLite, pg_dump) or walk a live directory. Equal
// bytes imply the sealed content, shape and kind (seal read them from those bytes), so a
// content check that needs the bytes awaits them first.
import type { Artifact } from "../documents/types.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import { collect, type ArtifactCheck, type PlacedArtifact } from "./artifact-check.js";
import { checkJSONLevel, checkStillOfKind } from "./check-level.js";
import { checkLiveDirectory } from "./check-live-dir.js";
import { checkPGDump, type Report } from "./check-pgdump.js";
import { checkSQLiteSchema } from "./check-schema-level.js";
import { checkSQLite, hasJournal } from "./check-sqlite.js";
import { parseJSONArtifact } from "./detect-kind.js";
import type { WrittenFile } from "./file-digest.js";
import { bytesPinnedByRelease, isLiveDirectory, levelOf } from "./identity-levels.js";
import type { CheckName } from "./check-counts.js";

function bytesEqual(artifact: Artifact, actual: WrittenFile): boolean {
  return actual.size === artifact.size && digestsEqual(artifact.digest, actual.digest);
}

/** A file the store must hold as sealed (a disposable one never fails a drill: a stale cache). */
export function readsBytes(artifact: Artifact): boolean {
  return artifact.kind !== "dir" && artifact.role !== "disposable";
}

/** Size and sha256 against the manifest; a JSON file whose bytes changed must still parse. */
export const bytesCheck: ArtifactCheck = {
  applies: readsBytes,
  check: async ({ artifact, file, bytes }) => {
    const actual = await bytes();
    return collect(artifact, (result, report) =>
      checkBytes(artifact, file, actual, result, report),
    );
  },
};

async function checkBytes(
  artifact: Artifact,
  file: string,
  actual: WrittenFile,
  { checks }: { checks: CheckName[] },
  report: Report,
): Promise<void> {
  // Live data: where the release does not pin the bytes, the backup's own record does (the
  // source checked it as it wrote the file) and the level's rules judge the content.
  const bytesMustMatch = bytesPinnedByRelease(artifact);
  checks.push("size", "sha256");
  const bytesMatch = bytesEqual(artifact, actual);
  if (!bytesMatch && bytesMustMatch) reportOtherBytes(artifact, actual, report);
  // Other bytes where the release does not pin them: the level's rules judge what they hold.
  if (!bytesMatch && !bytesMustMatch) {
    if (levelOf(artifact) === "present") await checkStillOfKind(artifact, file, report);
    else if (artifact.kind === "json") await checkJSONLevel(artifact, file, { checks }, report);
    return;
  }
  if (artifact.kind === "json" && !bytesMatch) {
    checks.push("json_parse");
    if (!(await parseJSONArtifact(file)))
      report("json_artifact_invalid", {
        expected: "valid JSON",
        actual: "not JSON",
        message: `${artifact.path}: is not valid JSON any more`,
      });
  }
}

function reportOtherBytes(artifact: Artifact, actual: WrittenFile, report: Report): void {
  if (actual.size !== artifact.size)
    report("artifact_size_mismatch", {
      expected: String(artifact.size),
      actual: String(actual.size),
      message: `${artifact.path}: size expected ${artifact.size} bytes, got ${actual.size}`,
    });
  else
    report("artifact_hash_mismatch", {
      expected: artifact.digest.sha256,
      actual: actual.digest.sha256,
      message: `${artifact.path}: bytes differ from the release: expected ${shortDigest(artifact.digest)}…, got ${shortDigest(actual.digest)}…`,
    });
}

/**
 * A SQLite database sealed with its content: the integrity check always runs; the content digest
 * only when the bytes differ from the release's or a journal beside the file can change what
 * SQLite reads. It is started at once only where the bytes are expected to differ (identity
 * "content"); otherwise it waits for the bytes, which usually make it moot.
 */
export const sqliteCheck: ArtifactCheck = {
  applies: (artifact) =>
    readsBytes(artifact) &&
    artifact.kind === "sqlite" &&
    artifact.sqlite !== undefined &&
    !["schema", "present"].includes(levelOf(artifact)),
  check: async ({ artifact, file, bytes }: PlacedArtifact, { pool }) => {
    const early = artifact.sqlite?.identity === "content";
    const started = early ? pool.inspectSQLitePart(file, "content") : null;
    const integrity = pool.inspectSQLitePart(file, "integrity");
    for (const part of [integrity, started]) part?.catch(() => undefined); // awaited below
    const mainBytesMatch = bytesEqual(artifact, await bytes());
    const implied = mainBytesMatch && !(await hasJournal(file));
    const content = implied ? null : await (started ?? pool.inspectSQLitePart(file, "content"));
    const found = await integrity;
    return collect(artifact, ({ checks }, report) => {
      checkSQLite(artifact, found, content, { checks, mainBytesMatch }, report);
    });
  },
};

/** A SQLite database of live data (the schema level): its integrity, shape and row bounds. */
export const sqliteSchemaCheck: ArtifactCheck = {
  applies: (artifact) =>
    readsBytes(artifact) &&
    artifact.kind === "sqlite" &&
    artifact.sqlite !== undefined &&
    levelOf(artifact) === "schema",
  check: async ({ artifact, file }, { pool }) => {
    const integrity = pool.inspectSQLitePart(file, "integrity");
    const shape = pool.inspectSQLitePart(file, "shape");
    for (const part of [integrity, shape]) part.catch(() => undefined); // awaited below
    const [foundIntegrity, foundShape] = await Promise.all([integrity, shape]);
    return collect(artifact, (result, report) => {
      checkSQLiteSchema(artifact, foundIntegrity, foundShape, result, report);
    });
  },
};

/** A pg_dump, restored into PostgreSQL when there is one to check its content. */
export const pgdumpCheck: ArtifactCheck = {
  applies: (artifact, { postgres }) =>
    readsBytes(artifact) &&
    artifact.kind === "pgdump" &&
    artifact.pgdump !== undefined &&
    postgres !== undefined &&
    levelOf(artifact) !== "present",
  check: async ({ artifact, file }, { postgres }) => {
    if (postgres === undefined) return { checks: [], findings: [] };
    const answer = await postgres.inspect(artifact.path, file);
    const result = await collect(artifact, (own, report) => {
      checkPGDump(artifact, answer, own, report);
    });
    return "unavailable" in answer
      ? { ...result, unavailable: { artifact, inspection: answer } }
      : result;
  },
};

/** A live directory is one artifact whatever it holds: its members, read through. */
export const liveDirectoryCheck: ArtifactCheck = {
  applies: (artifact) => isLiveDirectory(artifact) && artifact.role !== "disposable",
  check: ({ artifact, file }, { pool, written }) =>
    collect(artifact, (result, report) =>
      checkLiveDirectory(artifact, file, pool, written, result, report),
    ),
};

/** Judged within the artifact's window of the manifest, merged with its place's findings. */
export const WINDOW_CHECKS: readonly ArtifactCheck[] = [bytesCheck];

/** Run beside the hashing and awaited at the end; their findings come after the bytes'. */
export const DEFERRED_CHECKS: readonly ArtifactCheck[] = [
  sqliteCheck,
  sqliteSchemaCheck,
  pgdumpCheck,
  liveDirectoryCheck,
];
