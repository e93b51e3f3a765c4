// A live directory (a directory sealed at `schema` or `present`, docs/live-data.md): one
// artifact whatever it holds, as a vector index whose segments come and go. It must be there,
// hold a file for each required member glob (schema), and every file in it must be readable:
// each is read through once, unless the restore hashed it as it wrote it.
import picomatch from "picomatch";
import type { Artifact } from "../documents/types.js";
import type { CheckName } from "./check-counts.js";
import type { Report } from "./check-pgdump.js";
import type { WrittenFile } from "./file-digest.js";
import type { StorePool } from "./store-pool.js";
import { walkStore } from "./walk-store.js";

/** Files read per call to the pool: the walk never holds a whole large directory's list. */
const BATCH = 512;

/** The member globs no regular file under `directory` matches. */
export async function missingMembers(
  directory: string,
  members: readonly string[],
): Promise<string[]> {
  const pending = new Map(members.map((glob) => [glob, picomatch(glob, { dot: true })]));
  for await (const entry of walkStore(directory)) {
    if (entry.type !== "file") continue;
    for (const [glob, test] of pending) if (test(entry.path)) pending.delete(glob);
    if (pending.size === 0) break;
  }
  return [...pending.keys()];
}

export async function checkLiveDirectory(
  artifact: Artifact,
  absolutePath: string,
  pool: StorePool,
  written: ReadonlyMap<string, WrittenFile> | undefined,
  { checks }: { checks: CheckName[] },
  report: Report,
): Promise<void> {
  if (artifact.members !== undefined && artifact.members.length > 0) {
    checks.push("schema");
    for (const glob of await missingMembers(absolutePath, artifact.members))
      report("schema_mismatch", {
        expected: `a file matching ${glob}`,
        actual: "none",
        message: `${artifact.path}: no file in the directory matches its required member ${glob}`,
      });
  }
  let batch: { file: string; expectedSize: number }[] = [];
  const read = async () => {
    // A file that cannot be read rejects the call: the machine, not the backup (exit 3).
    await pool.digestAll(batch);
    batch = [];
  };
  for await (const entry of walkStore(absolutePath)) {
    if (entry.type !== "file" || written?.has(`${artifact.path}/${entry.path}`)) continue;
    batch.push({ file: entry.absolutePath, expectedSize: 0 });
    if (batch.length >= BATCH) await read();
  }
  if (batch.length > 0) await read();
}
