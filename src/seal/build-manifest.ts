// Walks a store root and describes every entry: kind from content, role and identity level
// from the rules, size and sha256, for SQLite the content digest and row counts, and what the
// level pins (seal/apply-level.ts). A database with a -wal or -journal beside it is being
// written: it is read as one consistent state (the online backup API, or a read lock), never
// as a file and its sidecars apart.
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Artifact } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfBytes } from "../identity/digest.js";
import { detectFileKind } from "../store/detect-kind.js";
import type { FileDigest } from "../store/file-digest.js";
import { sealedLevelOf } from "../store/identity-levels.js";
import { StorePool } from "../store/store-pool.js";
import type { StoreEntry } from "../store/walk-store.js";
import { entryTypeAt } from "../store/walk-store.js";
import { checkpoint } from "../util/checkpoint.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import type { PGDumpChecker } from "../postgres/session.js";
import { copySQLiteConsistently, SQLITE_SIDECARS } from "../snapshots/copy-sqlite.js";
import { applyLevel, type Described } from "./apply-level.js";
import type { SealRules } from "./seal-rules.js";
import { SummaryBuilder, type ManifestSummary } from "./manifest-summary.js";
import { selectEntries } from "./select-entries.js";
import type { StagedManifest } from "./staged-manifest.js";

/** A directory has no bytes of its own: size 0 and the digest of zero bytes; its children carry identity. */
const DIRECTORY_DIGEST = digestOfBytes("");

/** Entries described at a time: memory holds one batch being hashed and one being described. */
const BATCH_ENTRIES = 2048;

/**
 * Describes the store's entries in the walk's order, a batch at a time, each artifact written
 * to `manifest` as it is described; what is kept is the summary (./manifest-summary.ts). The
 * next batch is hashed while the one before is described.
 */
export async function buildManifest(
  root: string,
  rules: SealRules,
  /** Restores each pg_dump to record its tables and content digest. */
  postgres: PGDumpChecker,
  manifest: StagedManifest,
  /** The paths whose artifacts the summary keeps. */
  wanted: ReadonlySet<string>,
): Promise<ManifestSummary> {
  const refused: ClassifiedFinding[] = [];
  const entries = selectEntries(root, rules, refused)[Symbol.asyncIterator]();
  const summary = new SummaryBuilder(manifest, wanted);
  const pool = new StorePool();
  const scratch = await mkdtemp(join(tmpdir(), "recoverable-seal-"));
  const context = { rules, pool, postgres, scratch };
  let next = hashBatch(entries, pool);
  try {
    for (let batch = await next; batch.length > 0; batch = await next) {
      next = hashBatch(entries, pool);
      next.catch(() => undefined); // awaited above, or settled below when this one throws
      const described = await mapWithConcurrency(batch, 4, ({ entry, bytes }) =>
        describe(entry, bytes, context),
      );
      for (const item of described) summary.take(item);
      await manifest.flush();
      await checkpoint("seal-after-batch");
    }
  } finally {
    await next.catch(() => undefined);
    await pool.close();
    await rm(scratch, { recursive: true, force: true });
  }
  return summary.finish(await manifest.finish(), refused);
}

type HashedEntry = { readonly entry: StoreEntry; readonly bytes: FileDigest | undefined };

/** The next entries of the walk, each file's bytes hashed on the worker pool; none at the end. */
async function hashBatch(
  entries: AsyncIterator<StoreEntry>,
  pool: StorePool,
): Promise<HashedEntry[]> {
  const batch: StoreEntry[] = [];
  while (batch.length < BATCH_ENTRIES) {
    const step = await entries.next();
    if (step.done === true) break;
    batch.push(step.value);
  }
  const files = batch.filter((entry) => entry.type === "file");
  const sizes = await mapWithConcurrency(
    files,
    16,
    async (entry) => (await lstat(entry.absolutePath)).size,
  );
  const digests = await pool.digestAll(
    files.map((entry, i) => ({ file: entry.absolutePath, expectedSize: sizes[i] as number })),
  );
  const digestOf = new Map(files.map((entry, i) => [entry, digests[i] as FileDigest]));
  return batch.map((entry) => ({ entry, bytes: digestOf.get(entry) }));
}

type DescribeContext = {
  readonly rules: SealRules;
  readonly pool: StorePool;
  readonly postgres: PGDumpChecker;
  /** A private directory for consistent copies of databases being written. */
  readonly scratch: string;
};

async function describe(
  entry: StoreEntry,
  bytes: FileDigest | undefined,
  context: DescribeContext,
): Promise<Described> {
  const { rules } = context;
  const role = rules.roleOf(entry.path);
  const rule = rules.levelRuleOf(entry.path);
  const levelFor = (kind: Artifact["kind"]) =>
    sealedLevelOf(kind, rule?.rule.level ?? null, rules.sqliteIdentity);
  const apply = (artifact: Artifact, shape: Parameters<typeof applyLevel>[0]["shape"] = null) =>
    applyLevel({
      artifact,
      absolutePath: entry.absolutePath,
      level: levelFor(artifact.kind),
      rule,
      rules,
      shape,
    });
  if (entry.type === "dir")
    return apply({ path: entry.path, kind: "dir", role, size: 0, digest: DIRECTORY_DIGEST });
  if (bytes === undefined) throw new Error(`${entry.path}: a file of the store was not hashed`);
  const kind = await detectFileKind(entry.absolutePath, bytes.head, bytes.size);
  const artifact: Artifact = {
    path: entry.path,
    kind,
    role,
    size: bytes.size,
    digest: bytes.digest,
  };
  if (kind === "pgdump") return describeDump(entry, artifact, context.postgres, apply);
  if (kind !== "sqlite") return apply(artifact);
  return describeDatabase(entry, artifact, levelFor("sqlite"), context, apply);
}

/**
 * A database is read where it is, unless a -wal or -journal beside it says a writer is at
 * work: then from a consistent copy (the copy's bytes are the ones recorded).
 */
async function describeDatabase(
  entry: StoreEntry,
  artifact: Artifact,
  level: ReturnType<typeof sealedLevelOf>,
  { pool, scratch }: DescribeContext,
  apply: (
    artifact: Artifact,
    shape?: Parameters<typeof applyLevel>[0]["shape"],
  ) => Promise<Described>,
): Promise<Described> {
  let file = entry.absolutePath;
  let bytes = { size: artifact.size, digest: artifact.digest };
  if (await beingWritten(file)) {
    file = join(scratch, `${randomBytes(8).toString("hex")}.sqlite`);
    try {
      const copy = await copySQLiteConsistently(entry.absolutePath, file);
      bytes = { size: copy.size, digest: copy.digest };
    } catch (error) {
      const why = (error as Error).message;
      return {
        finding: createFinding("source_changed_during_copy", {
          subject: entry.path,
          actual: why,
          message: `${entry.path}: no consistent state of the database could be read while it is written (${why})`,
        }),
      };
    }
  }
  const [inspection, shape] = await Promise.all([
    pool.inspectSQLite(file),
    level === "schema" ? pool.inspectSQLitePart(file, "shape") : null,
  ]);
  const problem = !inspection.ok ? inspection.error : shape?.ok === false ? shape.error : null;
  if (problem !== null || !inspection.ok) {
    return {
      finding: createFinding("sqlite_integrity_check_failed", {
        subject: entry.path,
        expected: "ok",
        actual: problem,
        message: `${entry.path}: will not seal a database that fails its integrity check: ${problem ?? ""}`,
      }),
    };
  }
  return apply(
    {
      ...artifact,
      ...bytes,
      sqlite: {
        contentDigest: { sha256: inspection.contentDigestHex },
        tables: inspection.tables,
        identity: level === "bytes" ? "bytes" : "content",
      },
    },
    shape?.ok && shape.shape ? { shape: shape.shape, rows: shape.tables } : null,
  );
}

/** A -wal or -journal beside the database: its state is not its main file's bytes alone. */
async function beingWritten(file: string): Promise<boolean> {
  for (const suffix of SQLITE_SIDECARS)
    if (suffix !== "-shm" && (await entryTypeAt(file + suffix)) === "file") return true;
  return false;
}

/** A dump is sealed with what it restores to; one that does not restore is not sealed. */
async function describeDump(
  entry: StoreEntry,
  artifact: Artifact,
  postgres: PGDumpChecker,
  apply: (
    artifact: Artifact,
    shape?: Parameters<typeof applyLevel>[0]["shape"],
  ) => Promise<Described>,
): Promise<Described> {
  const answer = await postgres.inspect(entry.path, entry.absolutePath);
  if ("unavailable" in answer) return { finding: answer.unavailable };
  if (!answer.ok) {
    const { code, message, expected, actual, hint } = answer.problem;
    return {
      finding: createFinding(code, {
        subject: entry.path,
        expected,
        actual,
        message: `will not seal a dump that does not restore: ${message}`,
        ...(hint ? { hint } : {}),
      }),
    };
  }
  return apply(
    { ...artifact, pgdump: answer.facts },
    {
      shape: answer.shape,
      rows: answer.facts.tables,
    },
  );
}
