// Findings as data without the CLI: what createFinding fills in from the catalogue, the public
// shape, the errors the library throws and how any thrown error becomes a finding, the
// interrupted finding, and the catalogue rendered as docs/findings.md is.
import { describe, expect, it } from "vitest";
import { FINDING_CATALOGUE, type FindingCode } from "../../src/findings/catalogue.js";
import { findingOfError, RecoverableError, toRecoverableError } from "../../src/findings/errors.js";
import { createFinding, hasErrors, toPublicFinding } from "../../src/findings/finding.js";
import { interruptedBy, interruptedFinding } from "../../src/findings/interrupted.js";
import { renderFindingsMarkdown } from "../../src/findings/render-catalogue.js";

describe("createFinding", () => {
  it("fills severity, expected, actual, hint and class from the catalogue", () => {
    const finding = createFinding("artifact_hash_mismatch", { subject: "a.db", message: "m" });
    expect(finding).toEqual({
      code: "artifact_hash_mismatch",
      severity: "error",
      subject: "a.db",
      expected: null,
      actual: null,
      message: "m",
      hint: FINDING_CATALOGUE.artifact_hash_mismatch.hint,
      failureClass: "not_proven",
    });
  });

  it("takes the hint of the cause the detector names, and an explicit hint over both", () => {
    const missing = createFinding("document_unreadable", {
      subject: "x.json",
      message: "m",
      cause: "missing",
    });
    expect(missing.hint).toBe(FINDING_CATALOGUE.document_unreadable.causes.missing.hint);
    const own = createFinding("document_unreadable", {
      subject: "x.json",
      message: "m",
      cause: "missing",
      hint: "do this",
    });
    expect(own.hint).toBe("do this");
  });

  it("keeps the class out of the public shape, and only errors count as errors", () => {
    const warning = createFinding("io_failed", { subject: "s", message: "m", severity: "warning" });
    expect(Object.keys(toPublicFinding(warning))).toEqual([
      "code",
      "severity",
      "subject",
      "expected",
      "actual",
      "message",
      "hint",
    ]);
    expect(hasErrors([warning])).toBe(false);
    expect(hasErrors([warning, { ...warning, severity: "error" }])).toBe(true);
  });
});

describe("errors as findings", () => {
  it("an errno error is io_failed naming its path, or the file system when it has none", () => {
    const withPath = Object.assign(new Error("EACCES: permission denied, open '/s/a.db'"), {
      code: "EACCES",
      path: "/s/a.db",
    });
    const finding = findingOfError(withPath);
    expect(finding).toMatchObject({
      code: "io_failed",
      subject: "/s/a.db",
      failureClass: "could_not_run",
    });
    expect(finding.message).toBe("/s/a.db: EACCES (EACCES: permission denied, open '/s/a.db')");
    const bare = findingOfError(Object.assign(new Error("no space"), { code: "ENOSPC" }));
    expect(bare.subject).toBe("file system");
    expect(bare.message).toMatch(/^a file: ENOSPC/);
  });

  it("anything else is internal_error with its message; a code that is not an errno is not io_failed", () => {
    expect(findingOfError("plain string")).toMatchObject({
      code: "internal_error",
      message: "plain string",
    });
    const coded = Object.assign(new Error("bad"), { code: "ERR_INVALID_ARG_TYPE" });
    expect(findingOfError(coded).code).toBe("internal_error");
  });

  it("RecoverableError carries the public finding, the CLI's exit code and the cause", () => {
    const cause = Object.assign(new Error("EIO"), { code: "EIO", path: "/x" });
    const error = toRecoverableError(cause);
    expect(error).toBeInstanceOf(RecoverableError);
    expect(error.code).toBe("io_failed");
    expect(error.exitCode).toBe(3);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("/x: /x: EIO (EIO)");
    expect("failureClass" in error.finding).toBe(false);
    expect(toRecoverableError(error)).toBe(error);
    expect(findingOfError(error)).toBe(error.classified);
  });

  it("writes the stack to stderr only with RECOVERABLE_DEBUG", () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    try {
      findingOfError(new Error("quiet"));
      process.env["RECOVERABLE_DEBUG"] = "1";
      findingOfError(new Error("loud"));
    } finally {
      delete process.env["RECOVERABLE_DEBUG"];
      process.stderr.write = write;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^Error: loud\n\s+at /);
  });
});

describe("interruptedFinding", () => {
  it("names the signal, or the caller's AbortSignal in a library", () => {
    expect(interruptedFinding("SIGINT", "cut")).toMatchObject({
      code: "interrupted",
      subject: "SIGINT",
      actual: "SIGINT received",
      failureClass: "could_not_run",
    });
    expect(interruptedFinding("aborted", "cut")).toMatchObject({
      subject: "AbortSignal",
      actual: "aborted",
    });
    expect(interruptedBy("SIGTERM")).toBe("SIGTERM");
    expect(interruptedBy("aborted")).toBe("its caller's AbortSignal");
  });
});

describe("renderFindingsMarkdown", () => {
  const markdown = renderFindingsMarkdown();
  const codes = Object.keys(FINDING_CATALOGUE) as FindingCode[];

  it("lists every code once in the table and gives each its section, in sorted order", () => {
    const sections = [...markdown.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual([...codes].sort());
    for (const code of codes) expect(markdown).toContain(`| [\`${code}\`](#${code}) |`);
  });

  it("gives each code its class's exit code, or the exit the catalogue spells out", () => {
    expect(markdown).toContain("## artifact_hash_mismatch");
    expect(markdown).toMatch(/## io_failed[\s\S]*?Usual exit code: 3 \(could not run\)\./);
    expect(markdown).toMatch(/## document_invalid[\s\S]*?Usual exit code: 2 \(unusable input\)\./);
    const special = codes.find((code) => "exit" in FINDING_CATALOGUE[code]);
    if (special !== undefined) {
      const exit = (FINDING_CATALOGUE[special] as { exit: string }).exit;
      expect(markdown).toContain(`| ${FINDING_CATALOGUE[special].title} | ${exit} |`);
    }
  });

  it("lists the hints of a code with causes, then the one for any other cause", () => {
    const { causes, hint } = FINDING_CATALOGUE.document_unreadable;
    expect(markdown).toContain(`- when ${causes.missing.when}: ${causes.missing.hint}`);
    expect(markdown).toContain(`- otherwise: ${hint}`);
    expect(markdown).toContain(`What to do: ${FINDING_CATALOGUE.io_failed.hint}`);
  });
});
