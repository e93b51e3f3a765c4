// tar:<path> — a tar archive, plain, gzip or age-encrypted (told by its first bytes;
// decrypted with --identity or RECOVERABLE_AGE_PASSPHRASE, src/archive/age-keys.ts), streamed:
// never read whole into memory, whatever it inflates to. Each member is judged before its bytes
// are written; a refused member stops the writing, and the caller throws the scratch directory
// away. A member larger than the release's file, or a pax header larger than any real one, stops
// the reading too: nothing it holds could be the release's.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { PassThrough, type Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { isAgePath } from "../archive/age.js";
import { ageKeysOf, agePassphrase, identityRequired } from "../archive/age-keys.js";
import { createEntryState, judgeEntry, type BackupEntry } from "../archive/entry-rules.js";
import {
  checkAgainstRecord,
  MAX_RECORD_BYTES,
  parseRecord,
  RECORD_MEMBER,
} from "../archive/backup-record.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";
import type { SealedSizes } from "../archive/sealed-sizes.js";
import { findingOfReadError, plainTarOf, type TarInputOptions } from "./tar-input.js";
import { TreeWriter } from "../archive/tree-writer.js";
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

/** A pax or GNU long-name header larger than this is refused: real ones are a few hundred bytes. */
const MAX_META_HEADER_BYTES = 1024 * 1024;

/** What a tar extraction may be told beyond its stream. */
export type TarStreamOptions = TarInputOptions & {
  /** The release's sizes: a durable member larger than its sealed size stops the extraction. */
  readonly sealed?: SealedSizes | undefined;
};

/**
 * Extracts a tar stream (plain, gzip or age, told by its first bytes) into `scratch`, judging
 * every member before a byte is written. `ref` names the backup in findings. Any source that
 * can produce a tar stream (a file, `restic dump`) restores through this.
 */
export async function extractTarStream(
  input: Readable,
  ref: SourceRef,
  scratch: string,
  progress: ProgressReporter = NO_PROGRESS,
  options: TarStreamOptions = {},
): Promise<ExtractOutcome> {
  const plain = await plainTarOf(input, ref, options);
  if ("code" in plain) return { findings: [plain], files: 0, bytes: 0 };
  return extractPlainTar(plain, ref, scratch, progress, options.sealed);
}

/** A member whose header says it is larger than the release's file: not read at all. */
function oversized(ref: SourceRef, path: string, size: number, sealed: number): ClassifiedFinding {
  return createFinding("artifact_size_mismatch", {
    subject: path,
    expected: String(sealed),
    actual: String(size),
    message: `${ref.text}: member ${path} is ${size} bytes, but the release seals ${sealed}; the archive is not read further`,
  });
}

/** A pax or GNU long-name header too large to be real (a decompression bomb, or damage). */
function metaTooLarge(ref: SourceRef, entry: ReadEntry): ClassifiedFinding {
  const what = /ExtendedHeader$/.test(entry.type) ? "pax header" : "GNU long-name header";
  return createFinding("archive_entry_refused", {
    subject: ref.text,
    expected: `at most ${MAX_META_HEADER_BYTES} bytes`,
    actual: `${entry.size} bytes`,
    message: `${ref.text}: a ${what} of ${entry.size} bytes is refused (real ones are a few hundred bytes; the bound is ${MAX_META_HEADER_BYTES}); the archive is not read further`,
  });
}

async function extractPlainTar(
  input: Readable,
  ref: SourceRef,
  scratch: string,
  progress: ProgressReporter,
  sealed: SealedSizes | undefined,
): Promise<ExtractOutcome> {
  const writer = new TreeWriter(scratch, { progress: progress.stage("restore files") });
  const state = createEntryState();
  const findings: ClassifiedFinding[] = [];
  const writes: Promise<void>[] = [];
  const openBodies = new Set<PassThrough>();
  // The record an exported snapshot carries (docs/live-data.md): read, never restored.
  const record = { chunks: [] as Buffer[], bytes: 0, seen: false };
  const seen = { entry: false }; // an object: TypeScript does not track writes in callbacks
  await new Promise<void>((resolvePromise) => {
    const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META_HEADER_BYTES });
    let settled = false;
    // The first reason to stop is the one reported: a damaged stream makes the parser
    // complain about every block after it, which says nothing more.
    const finish = (finding?: ClassifiedFinding) => {
      if (settled) return;
      settled = true;
      if (finding) findings.push(finding);
      input.destroy();
      // A body cut off by a broken archive never ends by itself: end its writer with an error.
      if (finding)
        for (const body of openBodies)
          body.destroy(new Error("the archive ended inside this member"));
      resolvePromise();
    };
    parser.on("ignoredEntry", (entry: ReadEntry) => {
      if (entry.meta) finish(metaTooLarge(ref, entry));
    });
    parser.on("entry", (entry: ReadEntry) => {
      seen.entry = true;
      if (settled) {
        entry.resume(); // the parser's last buffered members, after the reason to stop
        return;
      }
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
      const sealedSize = decision.kind === "file" ? sealed?.(decision.path) : undefined;
      if (sealedSize !== undefined && entry.size > sealedSize) {
        entry.resume();
        finish(oversized(ref, decision.path, entry.size, sealedSize));
        return;
      }
      if (findings.length > 0) {
        entry.resume();
        return;
      }
      if (decision.kind === "file" && decision.path === RECORD_MEMBER) {
        record.seen = true;
        entry.on("data", (chunk: Buffer) => {
          record.bytes += chunk.length;
          if (record.bytes <= MAX_RECORD_BYTES) record.chunks.push(chunk);
        });
        return;
      }
      if (decision.kind === "dir") {
        entry.resume();
        writes.push(writer.directory(decision.path, entry.mode));
      } else if (decision.kind === "hardlink") {
        entry.resume();
        const target = decision.linkPath ?? "";
        const linked = Promise.all(writes).then(() => writer.hardlink(decision.path, target));
        linked.catch(() => undefined); // a failed earlier write is reported once, below
        writes.push(linked);
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
      finish(findingOfReadError(error, ref));
    });
    input.pipe(parser);
  });
  // A write that failed because the archive broke is already a finding; others are real I/O errors.
  const settledWrites = await Promise.allSettled(writes);
  const failed = settledWrites.find((w) => w.status === "rejected");
  if (failed && findings.length === 0) throw failed.reason;
  if (findings.length === 0 && !seen.entry)
    findings.push(sourceUnreadable(ref, "holds no entries"));
  if (findings.length === 0 && record.seen) return checkRecord(record, { findings, writer, ref });
  if (findings.length === 0) await writer.sync();
  return { findings, files: writer.files, bytes: writer.bytes, written: writer.written };
}

/** The restored files against the record the archive carried; nothing is kept if one differs. */
async function checkRecord(
  record: { chunks: Buffer[]; bytes: number },
  { findings, writer, ref }: { findings: ClassifiedFinding[]; writer: TreeWriter; ref: SourceRef },
): Promise<ExtractOutcome> {
  const parsed =
    record.bytes > MAX_RECORD_BYTES
      ? sourceUnreadable(ref, `carries a backup record over ${MAX_RECORD_BYTES} bytes`)
      : parseRecord(Buffer.concat(record.chunks), ref);
  if ("code" in parsed) findings.push(parsed);
  else findings.push(...checkAgainstRecord(parsed, writer.written, ref));
  const outcome = { findings, files: writer.files, bytes: writer.bytes, written: writer.written };
  if ("code" in parsed) return outcome;
  const pinned = { ...outcome, record: { name: `snapshot ${parsed.id}, carried by ${ref.text}` } };
  if (!hasErrors(findings)) await writer.sync();
  return pinned;
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
    async opens() {
      const keys = isAgePath(ref.location) ? await ageKeysOf(identity) : null;
      if (keys !== null && "code" in keys) return keys;
      return archiveFileProblem(ref);
    },
    async extract(scratch, progress, sealed): Promise<ExtractOutcome> {
      const problem = await archiveFileProblem(ref);
      if (problem) return { findings: [problem], files: 0, bytes: 0 };
      const file = createReadStream(ref.location, { highWaterMark: 1024 * 1024 });
      return extractTarStream(file, ref, scratch, progress, {
        namedAge: isAgePath(ref.location),
        identityFile: identity,
        sealed,
      });
    },
  };
}
