// Checks a store root against its manifest, read-only: presence by role, kind, size, sha256,
// SQLite integrity and content, JSON parse; then anything the manifest does not list.
// Every failure is reported, not the first one.
import type { Artifact, Manifest, Role } from "../documents/types.js";
import { createFinding, type ClassifiedFinding, type Severity } from "../findings/finding.js";
import { digestsEqual, shortDigest } from "../identity/digest.js";
import { parseJSONArtifact } from "./detect-kind.js";
import type { FileDigest, WrittenFile } from "./file-digest.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import { StorePool, type ProbeAnswer } from "./store-pool.js";
import { resolveInside } from "../documents/store-path.js";
import { zeroCounts, type CheckName, type StoreCheckCounts } from "./check-counts.js";
import { findUnlisted } from "./find-unlisted.js";
import { createPathMatcher } from "./path-matcher.js";
import { ArtifactTable, artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import { entryTypeAt } from "./walk-store.js";
import type { PGDumpChecker, PGDumpInspection } from "../postgres/session.js";
import { checkPGDump, reportUnavailable } from "./check-pgdump.js";
import { checkSQLite, hasJournal, type StartedSQLite } from "./check-sqlite.js";
import { bytesPinnedByRelease, isLiveDirectory, levelOf } from "./identity-levels.js";
import { checkJSONLevel, checkStillOfKind } from "./check-level.js";
import { checkSQLiteSchema } from "./check-schema-level.js";
import { checkLiveDirectory } from "./check-live-dir.js";
import type { SQLiteInspection } from "./sqlite-inspect.js";

export type { CheckName, StoreCheckCounts } from "./check-counts.js";

export type StoreVerification = {
  readonly findings: ClassifiedFinding[];
  readonly checked: StoreCheckCounts;
};

export type VerifyStoreOptions = {
  /** Unlisted entries are errors instead of warnings. */
  readonly strict?: boolean;
  /** Worker threads; default: one per core. */
  readonly concurrency?: number;
  /** Told how many files and bytes are read, as they are. */
  readonly progress?: ProgressReporter;
  /**
   * Digests of files this process has just written (a restore hashes as it writes), by store
   * path: their bytes are not read again. Reading them back right after writing would come
   * from the page cache, not the disk, so it would prove nothing more.
   */
  readonly written?: ReadonlyMap<string, WrittenFile>;
  /**
   * Whether an unlisted entry is this run's to report; a shard reports only its own share, so a
   * stray file is reported by exactly one shard. Default: every entry.
   */
  readonly ownsUnlisted?: (path: string) => boolean;
  /**
   * Everything the release lists, when only some of it is checked (a shard): entries listed
   * here are never strays. Default: the artifacts checked.
   */
  readonly listed?: ArtifactSource;
  /**
   * Restores pg_dump artifacts into PostgreSQL to check their content (verify, drill). Without
   * it (restore), a dump is checked by its bytes only.
   */
  readonly postgres?: PGDumpChecker;
  /** Globs of paths that are not the store's (the drill config's `exclude`): never strays. */
  readonly exclude?: readonly string[];
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

/**
 * `manifest` may be the parsed manifest, or its artifacts in compact columns (ArtifactTable)
 * when the caller has let the parsed objects go, so memory does not grow with their number.
 */
export async function verifyStore(
  root: string,
  manifest: Manifest | ArtifactTable,
  options: VerifyStoreOptions = {},
): Promise<StoreVerification> {
  const artifacts: ArtifactSource =
    manifest instanceof ArtifactTable ? manifest : manifest.artifacts;
  const { byRole, byCheck } = zeroCounts();
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

  const pool = new StorePool(options.concurrency);
  const unavailable: UnavailableDump[] = [];
  let found: IndexedFindings[];
  try {
    found = await checkArtifacts(root, artifacts, pool, options, byCheck, unavailable);
  } finally {
    await pool.close();
  }
  for (const artifact of artifactsOf(artifacts)) byRole[artifact.role]++;
  // Manifest order, whatever order the windows and databases finished in.
  const findings = found
    .sort((x, y) => x.index - y.index || x.part - y.part)
    .flatMap((entry) => entry.findings);
  findings.push(...reportUnavailable(unavailable));
  findings.push(
    ...(await findUnlisted(
      root,
      options.listed ?? artifacts,
      options.strict ?? false,
      options.ownsUnlisted,
      createPathMatcher(options.exclude ?? []),
    )),
  );
  return { findings, checked: { artifacts: artifacts.length, byRole, byCheck } };
}

/** Reports a problem with an artifact at the severity its role gives (none if disposable). */
function reporterFor(artifact: Artifact, findings: ClassifiedFinding[]) {
  const severity = severityFor(artifact.role);
  return (
    code: Parameters<typeof createFinding>[0],
    fields: Omit<Parameters<typeof createFinding>[1], "subject">,
  ): void => {
    if (severity)
      findings.push(createFinding(code, { subject: artifact.path, severity, ...fields }));
  };
}

/** A dump that could not be judged, and the role of its artifact. */
type UnavailableDump = {
  readonly artifact: Artifact;
  readonly inspection: Extract<PGDumpInspection, { unavailable: unknown }>;
};

/** Findings of the artifact at `index` of the manifest; `part` 1 is its database's. */
type IndexedFindings = {
  readonly index: number;
  readonly part: 0 | 1;
  readonly findings: ClassifiedFinding[];
};

function bytesEqual(artifact: Artifact, actual: WrittenFile): boolean {
  return actual.size === artifact.size && digestsEqual(artifact.digest, actual.digest);
}

/**
 * Artifacts per window: memory holds a window or two, never the whole store's answers. Small,
 * so what a window makes dies young instead of being promoted and growing the heap (peak RSS on
 * the 2 GiB bench store: 4 096: 146 MiB, 512: 124 MiB; on the 8 GiB one, 512: 150 MiB, 128:
 * 131 MiB, 32 no better), at the same speed.
 */
const WINDOW = 128;

/**
 * Every artifact, in windows of the manifest so memory does not grow with the store, two
 * windows in flight so the workers never wait. In each window, two passes over the worker
 * pool: what is at each path (lstat, no symlink on the way), then the bytes of each file that
 * must be read. The SQLite checks go to the pool as soon as their place is known and are
 * awaited only at the end, so they run beside the hashing instead of after it.
 */
async function checkArtifacts(
  root: string,
  artifacts: ArtifactSource,
  pool: StorePool,
  { progress = NO_PROGRESS, written, postgres }: VerifyStoreOptions,
  byCheck: Record<CheckName, number>,
  unavailable: UnavailableDump[],
): Promise<IndexedFindings[]> {
  const found: IndexedFindings[] = [];
  const keep = (index: number, result: ArtifactResult, part: 0 | 1 = 0) => {
    for (const check of result.checks) byCheck[check]++;
    if (result.findings.length > 0) found.push({ index, part, findings: result.findings });
  };
  // Files the restore hashed as it wrote them are not read, so not counted here either.
  let filesToRead = 0;
  let bytesToRead = 0;
  for (const a of artifactsOf(artifacts)) {
    if (a.kind === "dir" || a.role === "disposable" || written?.has(a.path)) continue;
    filesToRead++;
    bytesToRead += a.size;
  }
  const stage =
    filesToRead === 0
      ? NO_PROGRESS.stage("")
      : progress.stage("check store", { files: filesToRead, bytes: bytesToRead });
  const databases: Promise<void>[] = [];
  const sqliteStarted = new Map<number, StartedSQLite>();
  const sqliteSchema = new Map<
    number,
    { integrity: Promise<SQLiteInspection>; shape: Promise<SQLiteInspection> }
  >();
  /** Checks that need nothing but the artifact's place, awaited with the databases. */
  const deferred = databases;
  const checkLiveDir = async (index: number, artifact: Artifact, dir: string): Promise<void> => {
    const own: ArtifactResult = { findings: [], checks: [] };
    await checkLiveDirectory(
      artifact,
      dir,
      pool,
      written,
      own,
      reporterFor(artifact, own.findings),
    );
    keep(index, own, 1);
  };

  const checkWindow = async (start: number): Promise<void> => {
    const end = Math.min(start + WINDOW, artifacts.length);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    // This window's artifacts, built once (from compact columns, they are made on demand).
    const inWindow = indices.map((index) => artifacts.at(index) as Artifact);
    const artifactAt = (index: number) => inWindow[index - start] as Artifact;
    const absolute = new Map<number, string>();
    for (const index of indices) {
      const artifact = artifactAt(index);
      const path = resolveInside(root, artifact.path);
      if (path !== null) absolute.set(index, path);
      else
        keep(index, {
          checks: [],
          findings: [
            createFinding("path_escapes_root", {
              subject: artifact.path,
              message: `${artifact.path}: the path leaves the store root`,
              failureClass: "unusable_input",
            }),
          ],
        });
    }
    const probed = [...absolute.keys()];
    const answers = await pool.probe(
      root,
      probed.map((index) => artifactAt(index).path),
    );
    const toHash: number[] = [];
    const knownBytes = new Map<number, WrittenFile>();
    const placed = new Map<number, ArtifactResult>();
    probed.forEach((index, position) => {
      const artifact = artifactAt(index);
      const result: ArtifactResult = { findings: [], checks: [] };
      const sound = placeIsSound(artifact, answers[position] as ProbeAnswer[number], result);
      // A disposable artifact is never required to match: a stale cache never fails a drill.
      if (!sound || artifact.kind === "dir" || artifact.role === "disposable") {
        keep(index, result);
        // A live directory is one artifact whatever it holds: its members, read through.
        if (sound && isLiveDirectory(artifact) && artifact.role !== "disposable")
          deferred.push(checkLiveDir(index, artifact, absolute.get(index) as string));
        return;
      }
      const level = levelOf(artifact);
      if (artifact.kind === "sqlite" && artifact.sqlite && level === "schema") {
        const file = absolute.get(index) as string;
        const integrity = pool.inspectSQLitePart(file, "integrity");
        const shape = pool.inspectSQLitePart(file, "shape");
        for (const part of [integrity, shape]) part.catch(() => undefined); // awaited later
        sqliteSchema.set(index, { integrity, shape });
      } else if (artifact.kind === "sqlite" && artifact.sqlite && level !== "present") {
        const file = absolute.get(index) as string;
        // The content digest is started at once only where the bytes are expected to differ
        // (identity "content"); otherwise it waits for the bytes, which usually make it moot.
        const content =
          artifact.sqlite.identity === "content" ? pool.inspectSQLitePart(file, "content") : null;
        const integrity = pool.inspectSQLitePart(file, "integrity");
        for (const part of [integrity, content]) part?.catch(() => undefined); // awaited later
        sqliteStarted.set(index, { integrity, content });
      }
      if (artifact.kind === "pgdump" && artifact.pgdump && postgres && level !== "present") {
        const restored = postgres
          .inspect(artifact.path, absolute.get(index) as string)
          .then((answer) => {
            if ("unavailable" in answer) unavailable.push({ artifact, inspection: answer });
            const own: ArtifactResult = { findings: [], checks: [] };
            checkPGDump(artifact, answer, own, reporterFor(artifact, own.findings));
            keep(index, own, 1);
          });
        restored.catch(() => undefined);
        databases.push(restored);
      }
      placed.set(index, result);
      const done = written?.get(artifact.path);
      if (done) knownBytes.set(index, done);
      else toHash.push(index);
    });
    const hashed = await pool.digestAll(
      toHash.map((index) => ({
        file: absolute.get(index) as string,
        expectedSize: artifactAt(index).size,
      })),
      (files, bytes) => {
        stage.advance(files, bytes);
      },
    );
    toHash.forEach((index, position) => knownBytes.set(index, hashed[position] as FileDigest));
    for (const [index, bytes] of knownBytes) {
      const result = placed.get(index) as ArtifactResult;
      const artifact = artifactAt(index);
      const file = absolute.get(index) as string;
      await checkBytes(artifact, file, bytes, result);
      keep(index, result);
      const started = sqliteStarted.get(index);
      if (started) {
        sqliteStarted.delete(index);
        databases.push(finishSQLite(index, artifact, file, bytes, started));
      }
      const schema = sqliteSchema.get(index);
      if (schema) {
        sqliteSchema.delete(index);
        databases.push(
          Promise.all([schema.integrity, schema.shape]).then(([integrity, shape]) => {
            const own: ArtifactResult = { findings: [], checks: [] };
            checkSQLiteSchema(artifact, integrity, shape, own, reporterFor(artifact, own.findings));
            keep(index, own, 1);
          }),
        );
      }
    }
  };

  /**
   * The integrity check always runs. The content digest is needed only when the bytes differ
   * from the release's or a journal beside the file can change what SQLite reads: equal bytes
   * hold equal content (seal took the digest from these very bytes), so it is then implied.
   */
  const finishSQLite = async (
    index: number,
    artifact: Artifact,
    file: string,
    bytes: WrittenFile,
    started: StartedSQLite,
  ): Promise<void> => {
    const mainBytesMatch = bytesEqual(artifact, bytes);
    const implied = mainBytesMatch && !(await hasJournal(file));
    const content = implied
      ? null
      : await (started.content ?? pool.inspectSQLitePart(file, "content"));
    const own: ArtifactResult = { findings: [], checks: [] };
    checkSQLite(
      artifact,
      await started.integrity,
      content,
      { checks: own.checks, mainBytesMatch },
      reporterFor(artifact, own.findings),
    );
    keep(index, own, 1);
  };

  const starts = Array.from({ length: Math.ceil(artifacts.length / WINDOW) }, (_, i) => i * WINDOW);
  await mapWithConcurrency(starts, 2, checkWindow);
  await Promise.all(databases);
  stage.done();
  return found;
}

/** The path is inside the root, has no symlink on the way, and holds the right kind of entry. */
function placeIsSound(
  artifact: Artifact,
  probe: ProbeAnswer[number],
  result: ArtifactResult,
): boolean {
  const { findings, checks } = result;
  const report = reporterFor(artifact, findings);
  if (probe.linkAncestor !== null) {
    findings.push(
      createFinding("path_escapes_root", {
        subject: artifact.path,
        actual: `symlink at ${probe.linkAncestor}`,
        message: `${artifact.path}: the path goes through the symlink ${probe.linkAncestor}, which is never followed`,
      }),
    );
    return false;
  }
  checks.push("presence");
  const type = probe.type;
  if (type === null) {
    if (artifact.role !== "disposable") {
      report("artifact_missing", {
        expected: artifact.kind,
        actual: "absent",
        message: `${artifact.path}: ${artifact.role} ${artifact.kind} is missing from the store root`,
      });
    }
    return false;
  }
  if (type === "symlink") {
    findings.push(
      createFinding("path_escapes_root", {
        subject: artifact.path,
        actual: "symlink",
        message: `${artifact.path}: is a symlink; symlinks in a store root are never followed`,
      }),
    );
    return false;
  }
  const expectedType = artifact.kind === "dir" ? "dir" : "file";
  if (type !== expectedType) {
    report("artifact_kind_mismatch", {
      expected: expectedType === "dir" ? "a directory" : "a regular file",
      actual:
        type === "dir" ? "a directory" : type === "file" ? "a regular file" : "a special file",
      message: `${artifact.path}: expected ${artifact.kind}, found ${type === "other" ? "a special file" : `a ${type}`}`,
    });
    return false;
  }
  return true;
}

/** Size and sha256 against the manifest; a JSON file whose bytes changed must still parse. */
async function checkBytes(
  artifact: Artifact,
  absolutePath: string,
  actual: WrittenFile,
  { findings, checks }: ArtifactResult,
): Promise<void> {
  const report = reporterFor(artifact, findings);
  // Live data: where the release does not pin the bytes, the backup's own record does (the
  // source checked it as it wrote the file) and the level's rules judge the content.
  const bytesMustMatch = bytesPinnedByRelease(artifact);
  checks.push("size", "sha256");
  const bytesMatch = bytesEqual(artifact, actual);
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
  // Other bytes where the release does not pin them: the level's rules judge what they hold
  // (equal bytes imply the sealed content, shape and kind: seal read them from those bytes).
  if (!bytesMatch && !bytesMustMatch) {
    if (levelOf(artifact) === "present") await checkStillOfKind(artifact, absolutePath, report);
    else if (artifact.kind === "json")
      await checkJSONLevel(artifact, absolutePath, { checks }, report);
    return;
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
}
