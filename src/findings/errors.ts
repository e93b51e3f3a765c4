import type { FindingCode } from "./catalogue.js";
import { createFinding, toPublicFinding, type ClassifiedFinding, type Finding } from "./finding.js";
import { exitCodeOf, verdictOf, type ExitCode } from "./verdict.js";

/**
 * What the library API throws, and only when a run could not complete for a reason no check
 * anticipated: an I/O error mid-run, a bug. A bad backup, bad evidence or bad options are never
 * thrown; they are findings in the result. `finding` is what the CLI would have printed
 * (`io_failed` naming the path, or `internal_error`), `exitCode` the CLI's exit code for it, and
 * `cause` the original error.
 */
export class RecoverableError extends Error {
  readonly code: FindingCode;
  readonly finding: Finding;
  readonly exitCode: ExitCode;
  /** The classified finding, for the CLI boundary. */
  readonly classified: ClassifiedFinding;

  constructor(finding: ClassifiedFinding, options?: { cause?: unknown }) {
    super(`${finding.subject}: ${finding.message}`, options);
    this.name = "RecoverableError";
    this.code = finding.code;
    this.finding = toPublicFinding(finding);
    this.exitCode = exitCodeOf(verdictOf([finding]));
    this.classified = finding;
  }
}

/** Any error as a RecoverableError (kept as it is when it already is one). */
export function toRecoverableError(error: unknown): RecoverableError {
  if (error instanceof RecoverableError) return error;
  return new RecoverableError(findingOfError(error), { cause: error });
}

/**
 * An error nobody turned into a finding: an errno becomes io_failed naming the path, anything
 * else internal_error. The stack goes to stderr only with RECOVERABLE_DEBUG.
 */
export function findingOfError(error: unknown): ClassifiedFinding {
  if (process.env["RECOVERABLE_DEBUG"])
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  if (error instanceof RecoverableError) return error.classified;
  const errno = (error as NodeJS.ErrnoException).code;
  if (typeof errno === "string" && /^E[A-Z]+$/.test(errno)) {
    const path = (error as NodeJS.ErrnoException).path;
    return createFinding("io_failed", {
      subject: path ?? "file system",
      message: `${path ?? "a file"}: ${errno} (${(error as Error).message})`,
    });
  }
  return createFinding("internal_error", {
    subject: "recoverable",
    message: error instanceof Error ? error.message : String(error),
  });
}
