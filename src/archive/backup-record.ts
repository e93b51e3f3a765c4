// A backup's own record of its bytes (docs/live-data.md): a snapshot records the digest of
// every file it wrote, and `snapshots export` carries that record inside the archive as its
// first member. Where the release does not pin an artifact's bytes (live data), the record
// does: every file restored is checked against it, so bit rot and truncation are still caught,
// as artifact_hash_mismatch naming the backup and the file.
import type { SnapshotEntry, SnapshotMetadata } from "../documents/types.js";
import { checkSchema } from "../documents/schema-validation.js";
import { parseStrictJSON } from "../documents/strict-json.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { digestsEqual, shortDigest, type DigestSet } from "../identity/digest.js";
import type { WrittenFile } from "../store/file-digest.js";
import { sourceUnreadable, type SourceRef } from "./source.js";

/** The archive member that holds the record: the snapshot's metadata, as the repository has it. */
export const RECORD_MEMBER = ".recoverable-backup-record.json";

/** The largest record read from an archive (a snapshot of a million files is about 250 MB). */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

/** Which record pinned the bytes of a restore, for the report: "snapshot 20261126T020000Z-3fa9c1d2". */
export type BackupRecord = { readonly name: string };

export function recordOf(snapshot: Pick<SnapshotMetadata, "id">): BackupRecord {
  return { name: `snapshot ${snapshot.id}` };
}

type RecordedFile = Extract<SnapshotEntry, { type: "file" }>;

/** One file's bytes against the record; null when they are the recorded ones. */
export function checkRecordedFile(
  entry: Pick<RecordedFile, "path" | "size" | "digest">,
  actual: { readonly size: number; readonly digest: DigestSet },
  where: string,
): ClassifiedFinding | null {
  if (actual.size === entry.size && digestsEqual(entry.digest, actual.digest)) return null;
  const truncated = actual.size < entry.size ? `, truncated to ${actual.size} bytes` : "";
  return createFinding("artifact_hash_mismatch", {
    subject: entry.path,
    expected: `${entry.size} bytes, ${entry.digest.sha256}`,
    actual: `${actual.size} bytes, ${actual.digest.sha256}`,
    message: `${entry.path}: bytes differ from the record of ${where}: expected ${shortDigest(entry.digest)}…, read ${shortDigest(actual.digest)}…${truncated}`,
    hint: "The backup's stored bytes were damaged after it was made (bit rot, a truncated copy): restore from another backup, and check the storage that held this one.",
  });
}

/** The record carried by an archive, parsed and validated; a finding when it is not one. */
export function parseRecord(bytes: Buffer, ref: SourceRef): Checked<SnapshotMetadata> {
  const parsed = parseStrictJSON(bytes.toString("utf8"));
  const bad = (why: string) =>
    failed(sourceUnreadable(ref, `carries a backup record (${RECORD_MEMBER}) that ${why}`));
  if (!parsed.ok) return bad(`is not valid JSON (${parsed.problem.message})`);
  const problems = checkSchema("snapshot", parsed.value, `${ref.text}:${RECORD_MEMBER}`);
  if (problems.length > 0)
    return bad(`is not a snapshot's metadata (${problems[0]?.message ?? "invalid"})`);
  return ok(parsed.value as unknown as SnapshotMetadata);
}

/** Every file the archive restored against the record it carries, and the record's every file. */
export function checkAgainstRecord(
  record: SnapshotMetadata,
  written: ReadonlyMap<string, WrittenFile>,
  ref: SourceRef,
): ClassifiedFinding[] {
  const where = `${ref.text} (snapshot ${record.id})`;
  const findings: ClassifiedFinding[] = [];
  const recorded = new Set<string>();
  for (const entry of record.entries) {
    if (entry.type !== "file") continue;
    recorded.add(entry.path);
    const actual = written.get(entry.path);
    if (actual === undefined)
      findings.push(
        createFinding("artifact_missing", {
          subject: entry.path,
          expected: `${entry.size} bytes, ${shortDigest(entry.digest)}`,
          actual: "absent",
          message: `${entry.path}: the record of ${where} lists it, and the archive does not hold it`,
          hint: "The archive is not whole: restore from another backup, or export the snapshot again.",
        }),
      );
    else {
      const mismatch = checkRecordedFile(entry, actual, where);
      if (mismatch) findings.push(mismatch);
    }
  }
  for (const path of written.keys())
    if (!recorded.has(path))
      findings.push(
        createFinding("unexpected_artifact", {
          subject: path,
          expected: "only the files of the record",
          actual: "a file the record does not list",
          message: `${path}: the archive holds a file the record of ${where} does not list`,
          hint: "Something was added to the archive after it was exported: restore from another backup, or export the snapshot again.",
        }),
      );
  return findings;
}
