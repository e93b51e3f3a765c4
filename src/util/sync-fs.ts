// Makes a restored tree durable with one flush of its file system (Linux `syncfs(2)`, through
// coreutils' `sync -f`) instead of one fsync per file: on the benchmark's 19 363 files the
// per-file fsyncs cost more than the copy itself, and by the time the last file is written the
// kernel has written back most of the rest. Node has no syncfs binding, hence the command.
import { execFile } from "node:child_process";
import { open } from "node:fs/promises";
import { mapWithConcurrency } from "./concurrency.js";
import { syncDirectory } from "./atomic-write.js";

/** Flushes the file system holding `path`; false when `sync -f` is not available here. */
export function syncFileSystem(path: string, command = "sync"): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, ["-f", path], { timeout: 10 * 60_000 }, (error) => {
      resolve(error === null);
    });
  });
}

/** The slow, portable way: fsync every file, then every directory (deepest first). */
export async function syncEach(
  files: readonly string[],
  directories: readonly string[],
): Promise<void> {
  await mapWithConcurrency(files, 8, async (file) => {
    const handle = await open(file, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  for (const directory of directories) await syncDirectory(directory);
}
