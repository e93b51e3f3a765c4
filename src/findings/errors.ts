import type { ClassifiedFinding } from "./finding.js";

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
