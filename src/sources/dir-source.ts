// dir:<path> — a directory holding a store root (a copy, a ZFS or btrfs snapshot directory).
// Its backup time is the newest modification time in it: when its data last changed. A path that
// is itself a symlink to a directory is followed (as `<path>/` would be); links inside never are.
import { lstatSync } from "node:fs";
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { StorePool } from "../store/store-pool.js";
import { isAbsent, walkStore } from "../store/walk-store.js";
import { createWalkState, judgeEntry, type EntryKind } from "../archive/entry-rules.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";
import { TreeWriter, type FileToCopy } from "../archive/tree-writer.js";
import { writtenBudget } from "../archive/written-digests.js";
import { NO_PROGRESS, type StageProgress } from "../util/progress.js";
import { RunningTasks } from "../util/concurrency.js";

/** What a dir: source's path is, following it when it is itself a symlink. */
export async function dirSourceKind(location: string): Promise<"dir" | "absent" | "other"> {
  try {
    return (await stat(location)).isDirectory() ? "dir" : "other";
  } catch (error) {
    if (isAbsent(error)) return "absent";
    throw error;
  }
}

/** Null when the source's directory can be listed, else the finding that says why not. */
async function dirSourceProblem(ref: SourceRef): Promise<ClassifiedFinding | null> {
  try {
    if ((await dirSourceKind(ref.location)) === "other")
      return sourceUnreadable(ref, "is not a directory");
    await (await opendir(ref.location)).close();
    return null;
  } catch (error) {
    return sourceUnreadable(
      ref,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

export function createDirSource(ref: SourceRef): RestoreSource {
  return {
    ref,
    resolved: () => Promise.resolve(null),
    opens: () => dirSourceProblem(ref),
    backupTime: () => newestChange(ref.location),
    async extract(scratch, progress = NO_PROGRESS): Promise<ExtractOutcome> {
      const problem = await dirSourceProblem(ref);
      if (problem) return { findings: [problem], files: 0, bytes: 0 };
      // The link given as the source is resolved once; the tree below it is walked unfollowed.
      const root = await realpath(ref.location);
      const judged = await judgeTree(ref, root);
      if (judged.findings.length > 0) return { findings: judged.findings, files: 0, bytes: 0 };
      const stage = progress.stage("restore files", { files: judged.files, bytes: judged.bytes });
      return writeTree(ref, root, scratch, stage);
    },
  };
}

/** The newest modification time of any file or directory; null when there is none to read. */
async function newestChange(location: string): Promise<Date | null> {
  let newest = 0;
  try {
    for await (const entry of walkStore(location)) {
      if (entry.type === "file" || entry.type === "dir")
        newest = Math.max(newest, (await lstat(entry.absolutePath)).mtimeMs);
    }
  } catch {
    return null; // a missing or unreadable source: extract() says so as a finding
  }
  return newest === 0 ? null : new Date(newest);
}

/** An entry of the walk, judged: accepted, or the finding that says why not (or skipped). */
type Judged =
  | {
      readonly accept: true;
      readonly path: string;
      readonly absolutePath: string;
      readonly kind: EntryKind;
    }
  | { readonly accept: false; readonly finding: ClassifiedFinding | null };

/** The tree's entries, each judged as the walk reaches it; nothing is kept per entry. */
async function* judgedEntries(ref: SourceRef, root: string): AsyncGenerator<Judged> {
  const state = createWalkState();
  for await (const entry of walkStore(root)) {
    const kind: EntryKind = entry.type === "other" ? "special" : entry.type;
    const decision = judgeEntry(
      { name: entry.path, kind, detail: "special file (FIFO, socket or device)" },
      state,
    );
    if (decision.accept)
      yield { accept: true, path: decision.path, absolutePath: entry.absolutePath, kind };
    else
      yield {
        accept: false,
        finding: decision.skip
          ? null
          : createFinding(decision.code, {
              subject: decision.path,
              message: `${ref.text}: ${decision.path} ${decision.reason}`,
            }),
      };
  }
}

/**
 * Every entry judged before a byte is written, in a first walk that keeps only the findings
 * and the totals (for progress): the files and bytes to copy, or why some were refused.
 */
async function judgeTree(
  ref: SourceRef,
  root: string,
): Promise<{ files: number; bytes: number; findings: ClassifiedFinding[] }> {
  const findings: ClassifiedFinding[] = [];
  let files = 0;
  let bytes = 0;
  for await (const judged of judgedEntries(ref, root)) {
    if (!judged.accept) {
      if (judged.finding) findings.push(judged.finding);
    } else if (judged.kind !== "dir") {
      files++;
      bytes += lstatSync(judged.absolutePath).size;
    }
  }
  return { files, bytes, findings };
}

/**
 * A second walk writes the tree: each directory made as it is reached, the files copied and
 * hashed on every core a batch at a time, so what is held is a few batches, never the tree.
 * An entry refused now (the source changed since the first walk) stops it with its finding.
 */
async function writeTree(
  ref: SourceRef,
  root: string,
  scratch: string,
  progress: StageProgress,
): Promise<ExtractOutcome> {
  const writer = new TreeWriter(scratch, { progress, writtenBudget: writtenBudget() });
  const pool = new StorePool();
  const copying = new CopyQueue(writer, pool);
  try {
    for await (const judged of judgedEntries(ref, root)) {
      if (!judged.accept) {
        if (judged.finding === null) continue;
        await copying.drain();
        return { findings: [judged.finding], files: writer.files, bytes: writer.bytes };
      }
      const info = await lstat(judged.absolutePath);
      if (judged.kind === "dir") await writer.directory(judged.path, info.mode);
      else await copying.add({ path: judged.path, from: judged.absolutePath, ...pick(info) });
    }
    await copying.drain();
  } finally {
    await copying.settled();
    await pool.close();
  }
  await writer.sync();
  return { findings: [], files: writer.files, bytes: writer.bytes, written: writer.written };
}

const pick = ({ size, mode, mtime }: { size: number; mode: number; mtime: Date }) => ({
  size,
  mode,
  mtime,
});

/** Files a batch copies, and bytes: enough for every worker, few enough to hold. */
const BATCH_FILES = 1024;
const BATCH_BYTES = 64 * 1024 * 1024;
/** Batches copied at once: while one waits on a large file, the others keep the workers busy. */
const IN_FLIGHT = 3;

/** Files copied on the pool in batches, a few at once, as they are added. */
class CopyQueue {
  private batch: FileToCopy[] = [];
  private bytes = 0;
  private readonly copies = new RunningTasks();

  constructor(
    private readonly writer: TreeWriter,
    private readonly pool: StorePool,
  ) {}

  async add(file: FileToCopy): Promise<void> {
    this.batch.push(file);
    this.bytes += file.size;
    if (this.batch.length >= BATCH_FILES || this.bytes >= BATCH_BYTES) await this.flush();
  }

  /** Copies what is added so far; rejects with the first copy that failed. */
  async drain(): Promise<void> {
    await this.flush();
    await this.copies.settled();
  }

  /** Waits for every batch started, whether it failed or not. */
  async settled(): Promise<void> {
    await this.copies.ended();
  }

  private async flush(): Promise<void> {
    this.copies.throwIfFailed();
    if (this.batch.length === 0) return;
    const files = this.batch;
    this.batch = [];
    this.bytes = 0;
    this.copies.add(this.writer.copyFiles(files, this.pool));
    if (this.copies.size >= IN_FLIGHT) await this.copies.race();
  }
}
