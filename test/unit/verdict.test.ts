// The exit precedence (DESIGN.md "Exit precedence") as a pure function of the findings:
// unusable input (2) wins over not proven (1), which wins over could not run (3); warnings and
// info never change it; an interrupted run exits 130 or 143 whatever it had found.
import { describe, expect, it } from "vitest";
import type { FindingCode } from "../../src/findings/catalogue.js";
import { createFinding, type Severity } from "../../src/findings/finding.js";
import { interruptedFinding } from "../../src/findings/interrupted.js";
import { exitCodeOf, exitCodeOfRun, verdictOf } from "../../src/findings/verdict.js";

const UNUSABLE: FindingCode = "document_invalid";
const NOT_PROVEN: FindingCode = "artifact_hash_mismatch";
const COULD_NOT_RUN: FindingCode = "io_failed";

const finding = (code: FindingCode, severity: Severity = "error") =>
  createFinding(code, { subject: code, message: code, severity });

describe("verdictOf and exitCodeOf", () => {
  it("is proven (0) with no findings, or only warnings and info of any class", () => {
    expect(verdictOf([])).toBe("proven");
    const quiet = [finding(UNUSABLE, "warning"), finding(NOT_PROVEN, "info")];
    expect(verdictOf(quiet)).toBe("proven");
    expect(exitCodeOf(verdictOf(quiet))).toBe(0);
  });

  it.each([
    [[NOT_PROVEN], "not_proven", 1],
    [[UNUSABLE], "unusable_input", 2],
    [[COULD_NOT_RUN], "could_not_run", 3],
    [[COULD_NOT_RUN, NOT_PROVEN], "not_proven", 1],
    [[NOT_PROVEN, UNUSABLE], "unusable_input", 2],
    [[COULD_NOT_RUN, UNUSABLE], "unusable_input", 2],
    [[COULD_NOT_RUN, NOT_PROVEN, UNUSABLE], "unusable_input", 2],
  ] as const)("errors of %j give %s, exit %i", (codes, verdict, exit) => {
    const findings = codes.map((code) => finding(code));
    expect(verdictOf(findings)).toBe(verdict);
    expect(verdictOf([...findings].reverse())).toBe(verdict);
    expect(exitCodeOf(verdictOf(findings))).toBe(exit);
  });

  it("follows a finding's own class over its code's, such as a manifest's escaping path", () => {
    const escaping = createFinding("path_escapes_root", {
      subject: "../x",
      message: "escapes",
      failureClass: "unusable_input",
    });
    expect(verdictOf([finding(NOT_PROVEN), escaping])).toBe("unusable_input");
  });
});

describe("exitCodeOfRun", () => {
  it("is the verdict's exit code when nothing was interrupted", () => {
    const findings = [finding(NOT_PROVEN)];
    expect(exitCodeOfRun(verdictOf(findings), findings)).toBe(1);
    expect(exitCodeOfRun("proven", [])).toBe(0);
  });

  it("is 130 after SIGINT and 143 after SIGTERM, even over unusable input", () => {
    const sigint = [finding(UNUSABLE), interruptedFinding("SIGINT", "stopped")];
    expect(verdictOf(sigint)).toBe("unusable_input");
    expect(exitCodeOfRun(verdictOf(sigint), sigint)).toBe(130);
    const sigterm = [interruptedFinding("SIGTERM", "stopped")];
    expect(exitCodeOfRun(verdictOf(sigterm), sigterm)).toBe(143);
  });

  it("ignores an interrupted finding that is only a warning", () => {
    const warned = [{ ...interruptedFinding("SIGINT", "stopped"), severity: "warning" as const }];
    expect(exitCodeOfRun(verdictOf(warned), warned)).toBe(0);
  });
});
