// dir:<path> — a directory holding a store root (a copy, a ZFS or btrfs snapshot directory).
// Its backup time is the newest modification time in it: when its data last changed.
import { lstat } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { StorePool } from "../store/store-pool.js";
import { walkStore } from "../store/walk-store.js";
import { createEntryState, judgeEntry, type EntryKind } from "./entry-rules.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "./source.js";
import { TreeWriter } from "./tree-writer.js";
import { NO_PROGRESS } from "../util/progress.js";

export function createDirSource(ref: SourceRef): RestoreSource {
  return {
    ref,
    resolved: () => Promise.resolve(null),
    async backupTime() {
      let newest = 0;
      try {
        for await (const entry of walkStore(ref.location)) {
          if (entry.type === "file" || entry.type === "dir")
            newest = Math.max(newest, (await lstat(entry.absolutePath)).mtimeMs);
        }
      } catch {
        return null; // a missing or unreadable source: extract() says so as a finding
      }
      return newest === 0 ? null : new Date(newest);
    },
    async extract(scratch, progress = NO_PROGRESS): Promise<ExtractOutcome> {
      try {
        const info = await lstat(ref.location);
        if (!info.isDirectory())
          return { findings: [sourceUnreadable(ref, "is not a directory")], files: 0, bytes: 0 };
      } catch (error) {
        return {
          findings: [
            sourceUnreadable(
              ref,
              `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
            ),
          ],
          files: 0,
          bytes: 0,
        };
      }

      const state = createEntryState();
      const findings: ClassifiedFinding[] = [];
      const entries: {
        path: string;
        absolutePath: string;
        kind: EntryKind;
        mtime: Date;
        mode: number;
        size: number;
      }[] = [];
      // Judge every entry before a byte is written.
      for await (const entry of walkStore(ref.location)) {
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
        entries.push({
          path: decision.path,
          absolutePath: entry.absolutePath,
          kind,
          mtime: info.mtime,
          mode: info.mode,
          size: info.size,
        });
      }
      if (findings.length > 0) return { findings, files: 0, bytes: 0 };
      const files = entries.filter((entry) => entry.kind !== "dir");
      const writer = new TreeWriter(scratch, {
        progress: progress.stage("restore files", {
          files: files.length,
          bytes: files.reduce((sum, entry) => sum + entry.size, 0),
        }),
      });
      for (const entry of entries)
        if (entry.kind === "dir") await writer.directory(entry.path, entry.mode);
      // The files are copied and hashed on every core, each in one pass over its bytes.
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
      return { findings, files: writer.files, bytes: writer.bytes, written: writer.written };
    },
  };
}
