import type { ClassifiedFinding } from "./finding.js";

export type Verdict = "proven" | "not_proven" | "unusable_input" | "could_not_run";
export type ExitCode = 0 | 1 | 2 | 3;

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
