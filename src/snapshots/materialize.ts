// Writes a snapshot's tree into an empty directory: each entry judged by the same rules as any
// backup (a metadata path that escapes is refused, never followed), each blob re-hashed as it is
// copied and checked against the snapshot's record of it, so a damaged repository never
// restores silently, and the bytes the release does not pin (live data) are pinned by it.
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { createEntryState, judgeEntry } from "../archive/entry-rules.js";
import type { ExtractOutcome, SourceRef } from "../archive/source.js";
import { sourceUnreadable } from "../archive/source.js";
import { checkRecordedFile, recordOf } from "../archive/backup-record.js";
import { TreeWriter } from "../archive/tree-writer.js";
import { writtenBudget } from "../archive/written-digests.js";
import { entryTypeAt } from "../store/walk-store.js";
import { blobPath, type Repository } from "./repository.js";

export async function writeSnapshotTree(
  repo: Repository,
  snapshot: SnapshotMetadata,
  ref: SourceRef,
  scratch: string,
): Promise<ExtractOutcome> {
  const state = createEntryState();
  const findings: ClassifiedFinding[] = [];
  // Judge every entry before a byte is written.
  for (const entry of snapshot.entries) {
    const decision = judgeEntry({ name: entry.path, kind: entry.type }, state);
    if (!decision.accept && !decision.skip)
      findings.push(
        createFinding(decision.code, {
          subject: decision.path,
          message: `${ref.text}: ${decision.path} ${decision.reason}`,
        }),
      );
  }
  if (findings.length > 0) return { findings, files: 0, bytes: 0 };
  // The digests of the largest files only: the store check reads the others again.
  const writer = new TreeWriter(scratch, { writtenBudget: writtenBudget() });
  // Every file against the snapshot's record of it: each damaged or lost file is named, not
  // only the first, and nothing is restored from a snapshot with one.
  const damaged: string[] = [];
  for (const entry of snapshot.entries) {
    if (entry.type === "dir") {
      await writer.directory(entry.path, entry.mode);
      continue;
    }
    const blob = blobPath(repo, entry.digest.sha256);
    if ((await entryTypeAt(blob)) !== "file") {
      findings.push(sourceUnreadable(ref, `has lost the stored bytes of ${entry.path}`));
      continue;
    }
    const hash = createHash("sha256");
    let size = 0;
    // Hashes each chunk on its way to the writer; a 'data' listener would start the flow early.
    const body = new Transform({
      highWaterMark: 1024 * 1024,
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    createReadStream(blob, { highWaterMark: 1024 * 1024 }).pipe(body);
    await writer.file(entry.path, body, entry.mode, new Date(entry.mtime));
    const mismatch = checkRecordedFile(
      entry,
      { size, digest: { sha256: hash.digest("hex") } },
      `snapshot ${snapshot.id}`,
    );
    if (mismatch) {
      findings.push(mismatch);
      damaged.push(entry.path);
    }
  }
  if (damaged.length > 0)
    findings.push(
      sourceUnreadable(
        ref,
        `holds damaged bytes for ${damaged.slice(0, 5).join(", ")}${damaged.length > 5 ? ` and ${damaged.length - 5} more` : ""} (each differs from the snapshot's record of it)`,
      ),
    );
  const record = recordOf(snapshot);
  if (findings.length > 0) return { findings, files: writer.files, bytes: writer.bytes, record };
  await writer.sync();
  return {
    findings,
    files: writer.files,
    bytes: writer.bytes,
    written: writer.written,
    record,
  };
}
