// The files beside an SQLite database that are part of what SQLite reads from it: a -wal's
// committed frames are read before the main file's pages, and a hot -journal is rolled back
// into the main file by the first connection that opens it. A database's content is therefore
// never its main file alone while one of them is there. (The -shm is only an index SQLite
// rebuilds from the -wal; it changes nothing that is read.)
import { entryTypeAt } from "./walk-store.js";

export const CONTENT_SIDECARS = ["-wal", "-journal"] as const;

export type ContentSidecar = (typeof CONTENT_SIDECARS)[number];

/** The sidecars beside `file` that SQLite would read, or why they cannot be read safely. */
export type SidecarsFound =
  { readonly read: readonly ContentSidecar[] } | { readonly refused: string };

const WHAT = { dir: "a directory", symlink: "a symlink", other: "a special file" } as const;

/**
 * What lies beside `file`, by lstat only. A sidecar that is not a regular file is refused:
 * SQLite would open it (through a link, too), and recoverable never follows or opens one.
 */
export async function findSidecars(file: string): Promise<SidecarsFound> {
  const read: ContentSidecar[] = [];
  for (const suffix of CONTENT_SIDECARS) {
    const type = await entryTypeAt(file + suffix);
    if (type === null) continue;
    if (type !== "file")
      return {
        refused: `the ${suffix} beside it is ${WHAT[type]}, which SQLite would read as part of the database and recoverable never follows or opens`,
      };
    read.push(suffix);
  }
  return { read };
}

/** "the -wal", "the -wal and the -journal": how a finding names the sidecars read. */
export function nameSidecars(sidecars: readonly string[]): string {
  return sidecars.map((suffix) => `the ${suffix}`).join(" and ");
}
