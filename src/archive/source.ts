// Restore sources behind one interface: a source says what it is and how old its backup is,
// and writes its tree into a fresh scratch directory, judging every entry first.
import { resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import type { WrittenFile } from "../store/file-digest.js";
import type { ProgressReporter } from "../util/progress.js";
import type { SealedSizes } from "./sealed-sizes.js";
import type { BackupRecord } from "./backup-record.js";

export type SourceScheme = "dir" | "tar" | "snapshot" | "restic";

export type SourceRef = {
  readonly scheme: SourceScheme;
  readonly location: string;
  readonly text: string;
};

export type ExtractOutcome = {
  readonly findings: ClassifiedFinding[];
  readonly files: number;
  readonly bytes: number;
  /**
   * The digest of the bytes written to each file, by store path, when the source hashed them
   * as it wrote them; the checks after the restore then do not read those files again.
   */
  readonly written?: ReadonlyMap<string, WrittenFile>;
  /**
   * The backup's own record of its bytes, when it has one (a snapshot, an archive exported from
   * one): every file written was checked against it (docs/live-data.md).
   */
  readonly record?: BackupRecord;
};

export interface RestoreSource {
  readonly ref: SourceRef;
  /** When the backup was taken, as well as the source can tell; null when it cannot. */
  backupTime(): Promise<Date | null>;
  /**
   * Exactly which backup the reference named (the snapshot `#latest` stood for), for the record;
   * null when the reference is exact already or could not be resolved.
   */
  resolved(): Promise<string | null>;
  /**
   * Whether the backup can be opened (it is there, of its kind, and names a snapshot that is),
   * without writing anything: null when it can, else the finding extract() would give.
   */
  opens(): Promise<ClassifiedFinding | null>;
  /**
   * Writes the backup's tree into `scratch` (an empty directory); findings say what was refused.
   * `sealed`: the release's sizes; a member larger than its sealed size is refused unread.
   */
  extract(
    scratch: string,
    progress?: ProgressReporter,
    sealed?: SealedSizes,
  ): Promise<ExtractOutcome>;
}

/** What a source may need beyond its reference (an age identity for `.age` archives, ...). */
export type SourceOptions = {
  /**
   * Where the age identities that decrypt `.age` archives are: an `age-keygen` file (absolute
   * path) or `env:NAME` (src/util/secret-location.ts).
   */
  readonly identity?: string;
};

const SCHEMES: readonly SourceScheme[] = ["dir", "tar", "snapshot", "restic"];

/** `dir:<path>`, `tar:<path>`, ... (DESIGN.md "Sources"); a usage finding when it is not one. */
export function parseSourceRef(text: string, cwd: string): Checked<SourceRef> {
  const colon = text.indexOf(":");
  const scheme = text.slice(0, colon) as SourceScheme;
  const rest = text.slice(colon + 1);
  if (colon <= 0 || !SCHEMES.includes(scheme) || rest === "") {
    return failed(
      createFinding("usage_invalid", {
        subject: "--source",
        expected:
          "dir:<path>, tar:<path>, snapshot:<repo>#<id|latest|label> or restic:<repository>#<id|latest>",
        actual: maskURLPassword(text),
        message: `--source ${JSON.stringify(maskURLPassword(text))} is not a source this version understands`,
      }),
    );
  }
  const location =
    scheme === "dir" || scheme === "tar"
      ? resolve(cwd, rest)
      : scheme === "snapshot"
        ? snapshotLocation(rest, cwd)
        : rest;
  // The text is shown in findings, plans and signed reports: never with a URL's password.
  return ok({ scheme, location, text: maskURLPassword(text) });
}

/**
 * `rest:https://user:secret@host/` -> `rest:https://user:***@host/`, as restic itself shows
 * repository URLs; the location handed to restic keeps the password.
 */
export function maskURLPassword(text: string): string {
  return text.replace(/(\/\/[^/@:\s]*:)[^/\s]*@/g, "$1***@");
}

/** `snapshot:<repo dir>#<id|latest|label>`: the repository resolved, `#latest` without one. */
function snapshotLocation(rest: string, cwd: string): string {
  const hash = rest.lastIndexOf("#");
  const repo = hash < 0 ? rest : rest.slice(0, hash);
  const id = hash < 0 || hash === rest.length - 1 ? "latest" : rest.slice(hash + 1);
  return `${resolve(cwd, repo)}#${id}`;
}

export function sourceUnreadable(
  ref: SourceRef,
  message: string,
  actual: string | null = null,
): ClassifiedFinding {
  return createFinding("source_unreadable", {
    subject: ref.text,
    actual,
    message: `${ref.text}: ${message}`,
  });
}
