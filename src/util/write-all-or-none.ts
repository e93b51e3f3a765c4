// Writes a set of files so that an interruption leaves all of them or none: each is written to
// a temp file beside its place and flushed (a staged file was, by its writer); then, unless the run was interrupted meanwhile,
// all are renamed into place in one synchronous step, in which no signal handler can run.
// Files already there keep their old content until that step.
import { randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncDirectory } from "./atomic-write.js";

export type FileToWrite = { readonly path: string; readonly data: string };
/** A file written and flushed already, to the temp file `staged` beside `path`. */
export type StagedFile = { readonly path: string; readonly staged: string };

/** True when every file is in place; false, with nothing changed, when `signal` aborted first. */
export async function writeAllOrNone(
  files: readonly (FileToWrite | StagedFile)[],
  signal: AbortSignal,
): Promise<boolean> {
  const staged: { temporary: string; path: string }[] = [];
  try {
    for (const file of files) {
      if (signal.aborted) return false;
      if ("staged" in file) {
        staged.push({ temporary: file.staged, path: file.path });
        continue;
      }
      const directory = dirname(file.path);
      await mkdir(directory, { recursive: true });
      const temporary = join(
        directory,
        `.${basename(file.path)}.${randomBytes(6).toString("hex")}.tmp`,
      );
      staged.push({ temporary, path: file.path });
      const handle = await open(temporary, "wx", 0o644);
      try {
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    if (signal.aborted) return false;
    for (const { temporary, path } of staged) renameSync(temporary, path);
  } finally {
    // Renamed ones are gone already; the rest were never put in place.
    for (const { temporary } of staged) await rm(temporary, { force: true });
  }
  for (const directory of new Set(staged.map((s) => dirname(s.path))))
    await syncDirectory(directory);
  return true;
}
