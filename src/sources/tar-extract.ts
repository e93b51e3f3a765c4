// The members of a plain tar stream written into a scratch directory (tar: and restic: sources),
// each judged before its bytes are written (src/archive/entry-rules.ts). A refused member stops
// the writing; a member larger than the release's file, or a pax header larger than any real
// one, stops the reading too. The record an exported snapshot carries is read, never restored.
import { PassThrough, type Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { failed } from "../findings/checked.js";
import {
  createEntryState,
  judgeEntry,
  type BackupEntry,
  type EntryDecision,
  type EntryState,
} from "../archive/entry-rules.js";
import {
  checkAgainstRecord,
  MAX_RECORD_BYTES,
  parseRecord,
  RECORD_MEMBER,
} from "../archive/backup-record.js";
import { sourceUnreadable, type ExtractOutcome, type SourceRef } from "../archive/source.js";
import type { SealedSizes } from "../archive/sealed-sizes.js";
import { TreeWriter } from "../archive/tree-writer.js";
import type { ProgressReporter } from "../util/progress.js";
import { RunningTasks } from "../util/concurrency.js";
import { findingOfReadError } from "./tar-input.js";

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

/** One extraction: what was written and refused, the record it carries, and whether it ended. */
type Extraction = {
  readonly ref: SourceRef;
  readonly writer: TreeWriter;
  readonly state: EntryState;
  readonly sealed: SealedSizes | undefined;
  readonly findings: ClassifiedFinding[];
  readonly writes: RunningTasks;
  readonly openBodies: Set<PassThrough>;
  readonly record: { chunks: Buffer[]; bytes: number; seen: boolean };
  sawEntry: boolean;
  settled: boolean;
};

type Accepted = Extract<EntryDecision, { accept: true }>;

export async function extractPlainTar(
  input: Readable,
  ref: SourceRef,
  scratch: string,
  progress: ProgressReporter,
  sealed: SealedSizes | undefined,
): Promise<ExtractOutcome> {
  const run: Extraction = {
    ref,
    writer: new TreeWriter(scratch, { progress: progress.stage("restore files") }),
    state: createEntryState(),
    sealed,
    findings: [],
    writes: new RunningTasks(),
    openBodies: new Set(),
    record: { chunks: [], bytes: 0, seen: false },
    sawEntry: false,
    settled: false,
  };
  await parseInto(input, run);
  return outcomeOf(run);
}

/** Feeds the stream through tar's parser; resolves at the end or at the first reason to stop. */
function parseInto(input: Readable, run: Extraction): Promise<void> {
  return new Promise<void>((resolvePromise) => {
    const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META_HEADER_BYTES });
    // The first reason to stop is the one reported: a damaged stream makes the parser
    // complain about every block after it, which says nothing more.
    const finish = (finding?: ClassifiedFinding) => {
      if (run.settled) return;
      run.settled = true;
      if (finding) run.findings.push(finding);
      input.destroy();
      // A body cut off by a broken archive never ends by itself: end its writer with an error.
      if (finding)
        for (const body of run.openBodies)
          body.destroy(new Error("the archive ended inside this member"));
      resolvePromise();
    };
    parser.on("ignoredEntry", (entry: ReadEntry) => {
      if (entry.meta) finish(metaTooLarge(run.ref, entry));
    });
    parser.on("entry", (entry: ReadEntry) => {
      onEntry(run, entry, finish);
    });
    parser.on("error", (error: Error) => {
      finish(sourceUnreadable(run.ref, `is not a readable tar archive (${error.message})`));
    });
    parser.on("end", () => {
      finish();
    });
    input.on("error", (error) => {
      finish(findingOfReadError(error, run.ref));
    });
    input.pipe(parser);
  });
}

/** Every member is judged, so all refusals are named; after one, nothing more is written. */
function onEntry(
  run: Extraction,
  entry: ReadEntry,
  finish: (finding?: ClassifiedFinding) => void,
): void {
  run.sawEntry = true;
  // After the reason to stop: the parser's last buffered members.
  if (run.settled) {
    entry.resume();
    return;
  }
  const decision = judgeEntry(entryOf(entry), run.state);
  if (!decision.accept) {
    entry.resume();
    if (!decision.skip)
      run.findings.push(
        createFinding(decision.code, {
          subject: decision.path,
          message: `${run.ref.text}: member ${decision.path} ${decision.reason}`,
        }),
      );
    return;
  }
  const sealedSize = decision.kind === "file" ? run.sealed?.(decision.path) : undefined;
  if (sealedSize !== undefined && entry.size > sealedSize) {
    entry.resume();
    finish(oversized(run.ref, decision.path, entry.size, sealedSize));
  } else if (run.findings.length > 0) entry.resume();
  else writeEntry(run, entry, decision);
}

/** An accepted member: the record kept aside, a directory, a hard link, or a file streamed. */
function writeEntry(run: Extraction, entry: ReadEntry, decision: Accepted): void {
  const { writer, writes, record } = run;
  if (decision.kind === "file" && decision.path === RECORD_MEMBER) {
    record.seen = true;
    entry.on("data", (chunk: Buffer) => {
      record.bytes += chunk.length;
      if (record.bytes <= MAX_RECORD_BYTES) record.chunks.push(chunk);
    });
  } else if (decision.kind === "dir") {
    entry.resume();
    writes.add(writer.directory(decision.path, entry.mode));
  } else if (decision.kind === "hardlink") {
    entry.resume();
    const target = decision.linkPath ?? "";
    // After the earlier writes; a failed one is reported once, below.
    writes.add(writes.settled().then(() => writer.hardlink(decision.path, target)));
  } else {
    // Minipass entry -> a node stream the writer can pipe; the parser waits for it.
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    run.openBodies.add(body);
    body.on("end", () => run.openBodies.delete(body));
    body.on("error", () => undefined); // the writer reading it sees the error; keep it from being unhandled
    entry.pipe(body);
    writes.add(writer.file(decision.path, body, entry.mode ?? 0o644, entry.mtime));
  }
}

/** Once every write has ended: the findings, the files written, checked against the record. */
async function outcomeOf(run: Extraction): Promise<ExtractOutcome> {
  const { findings, writer, ref, record } = run;
  // A write that failed because the archive broke is already a finding; others are real I/O errors.
  await run.writes.settled().catch((reason: unknown) => {
    if (findings.length === 0) throw reason;
  });
  if (findings.length === 0 && !run.sawEntry)
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
      ? failed(sourceUnreadable(ref, `carries a backup record over ${MAX_RECORD_BYTES} bytes`))
      : parseRecord(Buffer.concat(record.chunks), ref);
  const outcome = { findings, files: writer.files, bytes: writer.bytes, written: writer.written };
  if (!parsed.ok) {
    findings.push(...parsed.findings);
    return outcome;
  }
  findings.push(...checkAgainstRecord(parsed.value, writer.written, ref));
  const pinned = {
    ...outcome,
    record: { name: `snapshot ${parsed.value.id}, carried by ${ref.text}` },
  };
  if (!hasErrors(findings)) await writer.sync();
  return pinned;
}
