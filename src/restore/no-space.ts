// A full disk is a machine that could not run the restore (io_failed, exit 3), said in words a
// user can act on: where, how much the restore needs, how much is free once its files are gone.
import { statfs } from "node:fs/promises";
import { eachArtifact, type ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

const FULL = new Set(["ENOSPC", "EDQUOT"]);

export function isNoSpace(error: unknown): boolean {
  return FULL.has((error as NodeJS.ErrnoException | null)?.code ?? "");
}

/** The bytes the manifest lists: about what a restore writes (a windowed manifest is read again). */
export async function bytesNeeded(artifacts: ReleaseArtifacts): Promise<number> {
  let sum = 0;
  await eachArtifact(artifacts, (artifact) => {
    sum += artifact.size;
  });
  return sum;
}

async function bytesFree(dir: string): Promise<number | null> {
  try {
    const info = await statfs(dir);
    return info.bavail * info.bsize;
  } catch {
    return null;
  }
}

/** The finding for a write into `dir` that ran out of space (after the run's files were removed). */
export async function noSpaceLeft(
  error: unknown,
  dir: string,
  needed: number,
): Promise<ClassifiedFinding> {
  const free = await bytesFree(dir);
  const code = (error as NodeJS.ErrnoException).code ?? "ENOSPC";
  const quota = code === "EDQUOT" ? "disk quota exceeded" : "no space left";
  return createFinding("io_failed", {
    subject: dir,
    expected: `about ${needed} bytes free`,
    actual: free === null ? code : `${free} bytes free`,
    message: `${quota} on ${dir} (${code}) while restoring: the release's files take about ${needed} bytes${free === null ? "" : `, and ${free} bytes are free there now that this run's files are removed`}; nothing was swapped in`,
    hint: "Free space on that file system (or restore onto a larger one), then run again.",
  });
}
