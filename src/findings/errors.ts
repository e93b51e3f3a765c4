import { createFinding, type ClassifiedFinding } from "./finding.js";

/**
 * Thrown when a run cannot go on: its findings say why. The CLI boundary turns it into a result
 * with those findings, so a stopped run reports exactly like a completed one.
 */
export class RunStopped extends Error {
  readonly findings: readonly ClassifiedFinding[];

  constructor(findings: readonly ClassifiedFinding[], options?: { cause?: unknown }) {
    super(findings.map((f) => `${f.subject}: ${f.message}`).join("; "), options);
    this.name = "RunStopped";
    this.findings = findings;
  }
}

/**
 * An error nobody turned into a finding: an errno becomes io_failed naming the path, anything
 * else internal_error. The stack goes to stderr only with RECOVERABLE_DEBUG.
 */
export function findingOfError(error: unknown): ClassifiedFinding {
  if (process.env["RECOVERABLE_DEBUG"])
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  if (error instanceof RunStopped && error.findings[0]) return error.findings[0];
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
