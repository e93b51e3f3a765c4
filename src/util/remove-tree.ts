// Removes a directory tree a directory at a time, so memory does not grow with its files:
// `fs.promises.rm` with `recursive` (Node 20) starts the removal of every entry of the tree at
// once, which on a tree of a hundred thousand files held over 100 MiB of pending requests.
import { lstat, opendir, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Files unlinked at once within a directory. */
const AT_ONCE = 64;

const isAbsent = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** As `rm(path, { recursive: true, force: true })`: nothing there is not an error. */
export async function removeTree(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isDirectory()) await removeDirectory(path);
    else await unlink(path);
  } catch (error) {
    if (!isAbsent(error)) throw error;
  }
}

/** Depth first: a directory's files a few at a time, its directories one at a time. */
async function removeDirectory(dir: string): Promise<void> {
  let files: string[] = [];
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await removeDirectory(path);
    else files.push(path);
    if (files.length < AT_ONCE) continue;
    await unlinkAll(files);
    files = [];
  }
  await unlinkAll(files);
  await rmdir(dir);
}

async function unlinkAll(paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths.map((path) =>
      unlink(path).catch((error: unknown) => {
        if (!isAbsent(error)) throw error;
      }),
    ),
  );
}
