// tar:<path> — a tar archive, plain or gzip (detected by content), streamed: never read whole
// into memory. Each member is judged before its bytes are written; a refused member stops the
// extraction, and the caller throws the scratch directory away. A path ending in `.age` is
// decrypted on the way in, with --identity and RECOVERABLE_AGE_PASSPHRASE (src/sources/age-keys.ts).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { PassThrough, type Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { decryptStream, findingOfAgeError, isAgePath } from "./age.js";
import { ageKeysOf, agePassphrase, identityRequired } from "./age-keys.js";
import { createEntryState, judgeEntry, type BackupEntry } from "./entry-rules.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "./source.js";
import { TreeWriter } from "./tree-writer.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";

function entryOf(entry: ReadEntry): BackupEntry {
  switch (entry.type) {
    case "File":
    case "OldFile":
    case "ContiguousFile":
      return { name: entry.path, kind: "file" };
    case "Directory":
      return { name: entry.path, kind: "dir" };
    case "SymbolicLink":
      return { name: entry.path, kind: "symlink", linkTarget: entry.linkpath ?? "" };
    case "Link":
      return { name: entry.path, kind: "hardlink", linkTarget: entry.linkpath ?? "" };
    default:
      return { name: entry.path, kind: "special", detail: entry.type };
  }
}

/**
 * Extracts a tar stream (plain or gzip, detected by content) into `scratch`, judging every
 * member before a byte is written. `ref` names the backup in findings. Any source that can
 * produce a tar stream (a file, an age-decrypted file, `restic dump`) restores through this.
 */
export async function extractTarStream(
  input: Readable,
  ref: SourceRef,
  scratch: string,
  progress: ProgressReporter = NO_PROGRESS,
): Promise<ExtractOutcome> {
  const writer = new TreeWriter(scratch, { progress: progress.stage("restore files") });
  const state = createEntryState();
  const findings: ClassifiedFinding[] = [];
  const writes: Promise<void>[] = [];
  const openBodies = new Set<PassThrough>();
  const seen = { entry: false }; // an object: TypeScript does not track writes in callbacks
  await new Promise<void>((resolvePromise) => {
    const parser = new Parser({ strict: true });
    let settled = false;
    const finish = (finding?: ClassifiedFinding) => {
      if (finding) findings.push(finding);
      if (settled) return;
      settled = true;
      input.destroy();
      // A body cut off by a broken archive never ends by itself: end its writer with an error.
      if (finding)
        for (const body of openBodies)
          body.destroy(new Error("the archive ended inside this member"));
      resolvePromise();
    };
    parser.on("entry", (entry: ReadEntry) => {
      seen.entry = true;
      // Every member is judged, so all refusals are named; after one, nothing more is written.
      const decision = judgeEntry(entryOf(entry), state);
      if (!decision.accept) {
        entry.resume();
        if (!decision.skip) {
          findings.push(
            createFinding(decision.code, {
              subject: decision.path,
              message: `${ref.text}: member ${decision.path} ${decision.reason}`,
            }),
          );
        }
        return;
      }
      if (findings.length > 0) {
        entry.resume();
        return;
      }
      if (decision.kind === "dir") {
        entry.resume();
        writes.push(writer.directory(decision.path, entry.mode));
      } else if (decision.kind === "hardlink") {
        entry.resume();
        const target = decision.linkPath ?? "";
        writes.push(Promise.all(writes).then(() => writer.hardlink(decision.path, target)));
      } else {
        // Minipass entry -> a node stream the writer can pipe; the parser waits for it.
        const body = new PassThrough({ highWaterMark: 1024 * 1024 });
        openBodies.add(body);
        body.on("end", () => openBodies.delete(body));
        body.on("error", () => undefined); // the writer reading it sees the error; keep it from being unhandled
        entry.pipe(body);
        writes.push(writer.file(decision.path, body, entry.mode ?? 0o644, entry.mtime));
      }
    });
    parser.on("error", (error: Error) => {
      finish(sourceUnreadable(ref, `is not a readable tar archive (${error.message})`));
    });
    parser.on("end", () => {
      finish();
    });
    input.on("error", (error) => {
      finish(
        findingOfAgeError(error, ref) ?? sourceUnreadable(ref, `cannot be read (${error.message})`),
      );
    });
    input.pipe(parser);
  });
  // A write that failed because the archive broke is already a finding; others are real I/O errors.
  const settledWrites = await Promise.allSettled(writes);
  const failed = settledWrites.find((w) => w.status === "rejected");
  if (failed && findings.length === 0) throw failed.reason;
  if (findings.length === 0 && !seen.entry)
    findings.push(sourceUnreadable(ref, "holds no entries"));
  if (findings.length === 0) await writer.sync();
  return { findings, files: writer.files, bytes: writer.bytes, written: writer.written };
}

/** A finding when the archive file is missing or not a file; null when it can be opened. */
export async function archiveFileProblem(ref: SourceRef): Promise<ClassifiedFinding | null> {
  try {
    const info = await stat(ref.location);
    return info.isFile() ? null : sourceUnreadable(ref, "is not a file");
  } catch (error) {
    return sourceUnreadable(
      ref,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** The archive's bytes: the file itself, or its plaintext when it is an `.age` file. */
async function openArchive(
  ref: SourceRef,
  identity: string | undefined,
): Promise<Readable | ClassifiedFinding> {
  const keys = isAgePath(ref.location) ? await ageKeysOf(identity) : null;
  if (keys !== null && "code" in keys) return keys;
  const problem = await archiveFileProblem(ref);
  if (problem) return problem;
  const file = createReadStream(ref.location, { highWaterMark: 1024 * 1024 });
  return keys === null ? file : decryptStream(file, keys.identities, keys.passphrase);
}

/** A tar source; an `.age` archive without an identity or a passphrase is refused before any work. */
export function createTarSource(
  ref: SourceRef,
  identity?: string,
): RestoreSource | ClassifiedFinding {
  if (isAgePath(ref.location) && identity === undefined && agePassphrase() === null)
    return identityRequired(ref);
  return {
    ref,
    resolved: () => Promise.resolve(null),
    async backupTime() {
      try {
        return (await stat(ref.location)).mtime;
      } catch {
        return null;
      }
    },
    async extract(scratch, progress): Promise<ExtractOutcome> {
      const input = await openArchive(ref, identity);
      if ("code" in input) return { findings: [input], files: 0, bytes: 0 };
      return extractTarStream(input, ref, scratch, progress);
    },
  };
}
