// Writes a snapshot's tree into an empty directory: each entry judged by the same rules as any
// backup (a metadata path that escapes is refused, never followed), each blob re-hashed as it is
// copied, so a damaged repository never restores silently.
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { shortDigest } from "../identity/digest.js";
import { createEntryState, judgeEntry } from "../sources/entry-rules.js";
import type { ExtractOutcome, SourceRef } from "../sources/source.js";
import { sourceUnreadable } from "../sources/source.js";
import { TreeWriter } from "../sources/tree-writer.js";
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
  const writer = new TreeWriter(scratch);
  for (const entry of snapshot.entries) {
    if (entry.type === "dir") {
      await writer.directory(entry.path, entry.mode);
      continue;
    }
    const blob = blobPath(repo, entry.digest.sha256);
    if ((await entryTypeAt(blob)) !== "file")
      return {
        findings: [sourceUnreadable(ref, `has lost the stored bytes of ${entry.path}`)],
        files: writer.files,
        bytes: writer.bytes,
      };
    const hash = createHash("sha256");
    // Hashes each chunk on its way to the writer; a 'data' listener would start the flow early.
    const body = new Transform({
      highWaterMark: 1024 * 1024,
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    createReadStream(blob, { highWaterMark: 1024 * 1024 }).pipe(body);
    await writer.file(entry.path, body, entry.mode, new Date(entry.mtime));
    const actual = hash.digest("hex");
    if (actual !== entry.digest.sha256)
      return {
        findings: [
          sourceUnreadable(
            ref,
            `holds damaged bytes for ${entry.path} (expected ${shortDigest(entry.digest)}, read sha256:${actual.slice(0, 12)}…)`,
          ),
        ],
        files: writer.files,
        bytes: writer.bytes,
      };
  }
  await writer.sync();
  return { findings, files: writer.files, bytes: writer.bytes };
}
