// tar:<path> — a tar archive, plain, gzip or age-encrypted (told by its first bytes;
// decrypted with --identity or RECOVERABLE_AGE_PASSPHRASE, src/archive/age-keys.ts), streamed:
// never read whole into memory, whatever it inflates to. Each member is judged before its bytes
// are written; a refused member stops the writing, and the caller throws the scratch directory
// away. A member larger than the release's file, or a pax header larger than any real one, stops
// the reading too: nothing it holds could be the release's.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { ClassifiedFinding } from "../findings/finding.js";
import { failed, firstFinding, ok, type Checked } from "../findings/checked.js";
import { isAgePath } from "../archive/age.js";
import { ageKeysOf, agePassphrase, identityRequired } from "../archive/age-keys.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";
import type { SealedSizes } from "../archive/sealed-sizes.js";
import { plainTarOf, type TarInputOptions } from "./tar-input.js";
import { extractPlainTar } from "./tar-extract.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";

/** What a tar extraction may be told beyond its stream. */
export type TarStreamOptions = TarInputOptions & {
  /** The release's sizes: a durable member larger than its sealed size stops the extraction. */
  readonly sealed?: SealedSizes | undefined;
};

/**
 * Extracts a tar stream (plain, gzip or age, told by its first bytes) into `scratch`, judging
 * every member before a byte is written. `ref` names the backup in findings. Any source that
 * can produce a tar stream (a file, `restic dump`) restores through this.
 */
export async function extractTarStream(
  input: Readable,
  ref: SourceRef,
  scratch: string,
  progress: ProgressReporter = NO_PROGRESS,
  options: TarStreamOptions = {},
): Promise<ExtractOutcome> {
  const plain = await plainTarOf(input, ref, options);
  if (!plain.ok) return { findings: [...plain.findings], files: 0, bytes: 0 };
  return extractPlainTar(plain.value, ref, scratch, progress, options.sealed);
}

/** A finding when the archive file is missing or not a file; null when it can be opened. */
export async function archiveFileProblem(ref: SourceRef): Promise<ClassifiedFinding | null> {
  try {
    const info = await stat(ref.location);
    return info.isFile() ? null : sourceUnreadable(ref, "is not a file");
  } catch (error) {
    return sourceUnreadable(
      ref,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** A tar source; an `.age` archive without an identity or a passphrase is refused before any work. */
export function createTarSource(ref: SourceRef, identity?: string): Checked<RestoreSource> {
  if (isAgePath(ref.location) && identity === undefined && agePassphrase() === null)
    return failed(identityRequired(ref));
  return ok({
    ref,
    resolved: () => Promise.resolve(null),
    async backupTime() {
      try {
        return (await stat(ref.location)).mtime;
      } catch {
        return null;
      }
    },
    async opens() {
      const keys = isAgePath(ref.location) ? await ageKeysOf(identity) : null;
      if (keys !== null && !keys.ok) return firstFinding(keys);
      return archiveFileProblem(ref);
    },
    async extract(scratch, progress, sealed): Promise<ExtractOutcome> {
      const problem = await archiveFileProblem(ref);
      if (problem) return { findings: [problem], files: 0, bytes: 0 };
      const file = createReadStream(ref.location, { highWaterMark: 1024 * 1024 });
      return extractTarStream(file, ref, scratch, progress, {
        namedAge: isAgePath(ref.location),
        identityFile: identity,
        sealed,
      });
    },
  });
}
