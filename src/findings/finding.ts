import {
  definitionOf,
  hintOf,
  type CauseOf,
  type FailureClass,
  type FindingCode,
} from "./catalogue.js";

export type Severity = "error" | "warning" | "info";

/** One problem, as it appears in the `--json` result and the report. */
export type Finding = {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly subject: string;
  readonly expected: string | null;
  readonly actual: string | null;
  readonly message: string;
  readonly hint: string;
};

/**
 * A finding plus the class that decides the exit code. The class is kept beside the finding,
 * not in it, so the public shape stays exactly the contract's.
 */
export type ClassifiedFinding = Finding & { readonly failureClass: FailureClass };

export type FindingInput<C extends FindingCode = FindingCode> = {
  readonly subject: string;
  readonly message: string;
  readonly expected?: string | null;
  readonly actual?: string | null;
  readonly severity?: Severity;
  readonly hint?: string;
  /** Which cause of the code this is: the catalogue's hint for it is the finding's hint. */
  readonly cause?: CauseOf<C>;
  /** Overrides the catalogue's class, e.g. `path_escapes_root` in a manifest is unusable input. */
  readonly failureClass?: FailureClass;
};

export function createFinding<C extends FindingCode>(
  code: C,
  input: FindingInput<C>,
): ClassifiedFinding {
  const definition = definitionOf(code);
  return {
    code,
    severity: input.severity ?? "error",
    subject: input.subject,
    expected: input.expected ?? null,
    actual: input.actual ?? null,
    message: input.message,
    hint: input.hint ?? hintOf(code, input.cause),
    failureClass: input.failureClass ?? definition.failureClass,
  };
}

/** The public shape of a finding, without the internal class. */
export function toPublicFinding(finding: ClassifiedFinding): Finding {
  return {
    code: finding.code,
    severity: finding.severity,
    subject: finding.subject,
    expected: finding.expected,
    actual: finding.actual,
    message: finding.message,
    hint: finding.hint,
  };
}

export function hasErrors(findings: readonly ClassifiedFinding[]): boolean {
  return findings.some((f) => f.severity === "error");
}
