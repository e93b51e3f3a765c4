// dir:<path> — a directory holding a store root (a copy, a ZFS or btrfs snapshot directory).
// Its backup time is the newest modification time in it: when its data last changed. A path that
// is itself a symlink to a directory is followed (as `<path>/` would be); links inside never are.
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { StorePool } from "../store/store-pool.js";
import { isAbsent, walkStore } from "../store/walk-store.js";
import { createEntryState, judgeEntry, type EntryKind } from "../archive/entry-rules.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";
import { TreeWriter } from "../archive/tree-writer.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";

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
      const judged = await judgeTree(ref, await realpath(ref.location));
      if (judged.findings.length > 0) return { findings: judged.findings, files: 0, bytes: 0 };
      return writeTree(judged.entries, scratch, progress);
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

type DirEntry = {
  readonly path: string;
  readonly absolutePath: string;
  readonly kind: EntryKind;
  readonly mtime: Date;
  readonly mode: number;
  readonly size: number;
};

/** Every entry judged before a byte is written: the accepted ones, or why some were refused. */
async function judgeTree(
  ref: SourceRef,
  root: string,
): Promise<{ entries: DirEntry[]; findings: ClassifiedFinding[] }> {
  const state = createEntryState();
  const findings: ClassifiedFinding[] = [];
  const entries: DirEntry[] = [];
  for await (const entry of walkStore(root)) {
    const kind: EntryKind = entry.type === "other" ? "special" : entry.type;
    const decision = judgeEntry(
      { name: entry.path, kind, detail: "special file (FIFO, socket or device)" },
      state,
    );
    if (!decision.accept) {
      if (!decision.skip)
        findings.push(
          createFinding(decision.code, {
            subject: decision.path,
            message: `${ref.text}: ${decision.path} ${decision.reason}`,
          }),
        );
      continue;
    }
    const info = await lstat(entry.absolutePath);
    const { mtime, mode, size } = info;
    entries.push({
      path: decision.path,
      absolutePath: entry.absolutePath,
      kind,
      mtime,
      mode,
      size,
    });
  }
  return { entries, findings };
}

/** The directories made, then the files copied and hashed on every core, one pass each. */
async function writeTree(
  entries: readonly DirEntry[],
  scratch: string,
  progress: ProgressReporter,
): Promise<ExtractOutcome> {
  const files = entries.filter((entry) => entry.kind !== "dir");
  const writer = new TreeWriter(scratch, {
    progress: progress.stage("restore files", {
      files: files.length,
      bytes: files.reduce((sum, entry) => sum + entry.size, 0),
    }),
  });
  for (const entry of entries)
    if (entry.kind === "dir") await writer.directory(entry.path, entry.mode);
  const pool = new StorePool();
  try {
    await writer.copyFiles(
      files.map((entry) => ({
        path: entry.path,
        from: entry.absolutePath,
        size: entry.size,
        mode: entry.mode,
        mtime: entry.mtime,
      })),
      pool,
    );
  } finally {
    await pool.close();
  }
  await writer.sync();
  return { findings: [], files: writer.files, bytes: writer.bytes, written: writer.written };
}
