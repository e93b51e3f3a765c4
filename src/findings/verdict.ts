import type { ClassifiedFinding } from "./finding.js";

export type Verdict = "proven" | "not_proven" | "unusable_input" | "could_not_run";
/** 130 and 143: a run interrupted by SIGINT or SIGTERM (the `interrupted` finding). */
export type ExitCode = 0 | 1 | 2 | 3 | 130 | 143;

const EXIT_CODES: Record<Verdict, ExitCode> = {
  proven: 0,
  not_proven: 1,
  unusable_input: 2,
  could_not_run: 3,
};

/**
 * The verdict of a run from its findings (DESIGN.md "Exit precedence"): unusable input wins,
 * then not proven, then could not run, so a check that already failed is never hidden behind
 * "retry may help". Warnings and info never change the verdict.
 */
export function verdictOf(findings: readonly ClassifiedFinding[]): Verdict {
  const classes = new Set(
    findings.filter((f) => f.severity === "error").map((f) => f.failureClass),
  );
  if (classes.has("unusable_input")) return "unusable_input";
  if (classes.has("not_proven")) return "not_proven";
  if (classes.has("could_not_run")) return "could_not_run";
  return "proven";
}

export function exitCodeOf(verdict: Verdict): ExitCode {
  return EXIT_CODES[verdict];
}

/**
 * The exit code of a run: its verdict's, except that a run interrupted by a signal exits as a
 * shell reports a process ended by it, 130 after SIGINT and 143 after SIGTERM, whatever it had
 * found before (an `interrupted` error names the signal as its subject).
 */
export function exitCodeOfRun(verdict: Verdict, findings: readonly ClassifiedFinding[]): ExitCode {
  const interrupted = findings.find((f) => f.code === "interrupted" && f.severity === "error");
  if (interrupted?.subject === "SIGINT") return 130;
  if (interrupted?.subject === "SIGTERM") return 143;
  return exitCodeOf(verdict);
}
