// Walks a store root and describes every entry: kind from content, role from the rules,
// size and sha256, and for SQLite the content digest and row counts. Symlinks and special
// files are refused: a store root that cannot be restored as it is cannot be sealed.
import { lstat } from "node:fs/promises";
import type { Artifact, Manifest, SQLiteIdentity } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfBytes } from "../identity/digest.js";
import { detectFileKind } from "../store/detect-kind.js";
import type { FileDigest } from "../store/file-digest.js";
import type { RoleOf } from "../store/roles.js";
import { StorePool } from "../store/store-pool.js";
import { checkStorePath } from "../store/store-path.js";
import { walkStore, type StoreEntry } from "../store/walk-store.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import type { PGDumpChecker } from "../postgres/session.js";

/** A directory has no bytes of its own: size 0 and the digest of zero bytes; its children carry identity. */
export const DIRECTORY_DIGEST = digestOfBytes("");

export type ManifestBuild = { readonly manifest: Manifest; readonly findings: ClassifiedFinding[] };

export async function buildManifest(
  root: string,
  roleOf: RoleOf,
  sqliteIdentity: SQLiteIdentity,
  /** Restores each pg_dump to record its tables and content digest. */
  postgres: PGDumpChecker,
): Promise<ManifestBuild> {
  const findings: ClassifiedFinding[] = [];
  const entries: StoreEntry[] = [];
  for await (const entry of walkStore(root)) {
    const refusal = refusalOf(entry);
    if (refusal) findings.push(refusal);
    else entries.push(entry);
  }
  // Every file's bytes on the worker pool (one thread per core), then each described.
  const files = entries.filter((entry) => entry.type === "file");
  const sizes = await mapWithConcurrency(
    files,
    16,
    async (entry) => (await lstat(entry.absolutePath)).size,
  );
  const pool = new StorePool();
  let described: Described[];
  try {
    const digests = await pool.digestAll(
      files.map((entry, i) => ({ file: entry.absolutePath, expectedSize: sizes[i] as number })),
    );
    const digestOf = new Map(files.map((entry, i) => [entry.path, digests[i] as FileDigest]));
    described = await mapWithConcurrency(entries, 4, (entry) =>
      describe(entry, roleOf, sqliteIdentity, digestOf.get(entry.path), pool, postgres),
    );
  } finally {
    await pool.close();
  }
  // A cause shared by several dumps (no PostgreSQL here) is said once.
  const said = new Set<string>();
  for (const item of described) {
    if (!("finding" in item)) continue;
    const key = `${item.finding.code}\n${item.finding.subject}\n${item.finding.message}`;
    if (!said.has(key)) findings.push(item.finding);
    said.add(key);
  }
  const artifacts = described.flatMap((item) => ("artifact" in item ? [item.artifact] : []));
  return { manifest: { schemaVersion: 1, artifacts }, findings };
}

function refusalOf(entry: StoreEntry): ClassifiedFinding | null {
  if (entry.type === "symlink") {
    return createFinding("path_escapes_root", {
      subject: entry.path,
      actual: "symlink",
      message: `${entry.path}: is a symlink; a store root to seal must hold only regular files and directories`,
      hint: "Replace the symlink with the file it points to, or move it out of the store root.",
    });
  }
  if (entry.type === "other") {
    return createFinding("unexpected_artifact", {
      subject: entry.path,
      actual: "special file",
      message: `${entry.path}: is a FIFO, socket or device; it cannot be sealed or restored`,
      hint: "Move it out of the store root and seal again.",
    });
  }
  const problem = checkStorePath(entry.path);
  if (problem) {
    return createFinding("unexpected_artifact", {
      subject: entry.path,
      actual: entry.path,
      message: `${JSON.stringify(entry.path)}: the name ${problem.reason}, so it cannot be named in a manifest`,
      hint: "Rename the file (NFC, no backslash) and seal again.",
    });
  }
  return null;
}

type Described = { artifact: Artifact } | { finding: ClassifiedFinding };

async function describe(
  entry: StoreEntry,
  roleOf: RoleOf,
  sqliteIdentity: SQLiteIdentity,
  bytes: FileDigest | undefined,
  pool: StorePool,
  postgres: PGDumpChecker,
): Promise<Described> {
  const role = roleOf(entry.path);
  if (entry.type === "dir") {
    return { artifact: { path: entry.path, kind: "dir", role, size: 0, digest: DIRECTORY_DIGEST } };
  }
  if (bytes === undefined) throw new Error(`${entry.path}: a file of the store was not hashed`);
  const { size, digest, head } = bytes;
  const kind = await detectFileKind(entry.absolutePath, head, size);
  if (kind === "pgdump")
    return describeDump(entry, { path: entry.path, kind, role, size, digest }, postgres);
  if (kind !== "sqlite") return { artifact: { path: entry.path, kind, role, size, digest } };
  const inspection = await pool.inspectSQLite(entry.absolutePath);
  if (!inspection.ok) {
    return {
      finding: createFinding("sqlite_integrity_check_failed", {
        subject: entry.path,
        expected: "ok",
        actual: inspection.error,
        message: `${entry.path}: will not seal a database that fails its integrity check: ${inspection.error}`,
      }),
    };
  }
  return {
    artifact: {
      path: entry.path,
      kind,
      role,
      size,
      digest,
      sqlite: {
        contentDigest: { sha256: inspection.contentDigestHex },
        tables: inspection.tables,
        identity: sqliteIdentity,
      },
    },
  };
}

/** A dump is sealed with what it restores to; one that does not restore is not sealed. */
async function describeDump(
  entry: StoreEntry,
  artifact: Artifact,
  postgres: PGDumpChecker,
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
  return { artifact: { ...artifact, pgdump: answer.facts } };
}
