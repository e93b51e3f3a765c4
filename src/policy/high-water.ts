// The high-water mark: the newest release proven for a store, kept as TUF keeps the versions
// it has seen, so an old but correctly sealed release replayed from an old backup is not
// restored or served silently. It only ever rises, and only a proven drill raises it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { parseStrictJSON } from "../documents/strict-json.js";
import { createFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { isSHA256Hex } from "../identity/digest.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import type { HighWaterMark } from "./rules.js";

const HIGH_WATER_FILE = "high-water.json";

function highWaterPath(stateDir: string): string {
  return join(stateDir, HIGH_WATER_FILE);
}

function isMark(value: unknown): value is HighWaterMark {
  const mark = value as Partial<HighWaterMark> | null;
  return (
    typeof mark === "object" &&
    mark !== null &&
    typeof mark.releaseId === "string" &&
    typeof mark.version === "string" &&
    semver.valid(mark.version) !== null &&
    typeof mark.identity?.sha256 === "string" &&
    isSHA256Hex(mark.identity.sha256) &&
    typeof mark.provenAt === "string" &&
    typeof mark.allowDowngrade === "boolean"
  );
}

/**
 * The mark, null when none was recorded, or the finding when the file is there but unusable: a
 * damaged or tampered mark must stop the run, never read as "no mark" (that would allow any
 * rollback).
 */
export async function readHighWater(stateDir: string): Promise<Checked<HighWaterMark | null>> {
  const path = highWaterPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ok(null);
    return failed(
      createFinding("document_unreadable", {
        subject: displayPath(path),
        message: `${displayPath(path)}: the high-water mark cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      }),
    );
  }
  const parsed = parseStrictJSON(text);
  if (parsed.ok && isMark(parsed.value)) return ok(parsed.value);
  return failed(
    createFinding("document_invalid", {
      subject: displayPath(path),
      expected: "{releaseId, version (semver), identity {sha256}, provenAt, allowDowngrade}",
      message: `${displayPath(path)}: the high-water mark is damaged; it is not read as "no mark", because that would allow any rollback`,
      hint: "Restore the file from the last proven drill report (its release id, version and identity), or remove it on purpose to start over, then run again.",
    }),
  );
}

/** Raises the mark to `proven` when it is newer (or when there is none); never lowers it. */
export async function raiseHighWater(
  stateDir: string,
  current: HighWaterMark | null,
  proven: HighWaterMark,
): Promise<boolean> {
  if (current !== null && !semver.gt(proven.version, current.version)) return false;
  await writeFileAtomic(highWaterPath(stateDir), formatJSON(proven));
  return true;
}
