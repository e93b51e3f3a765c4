// The Markdown summary shows report text as text: a probe answer or finding message cannot
// become a link, an image, emphasis, HTML or a broken table in a CI job summary.
import { describe, expect, it } from "vitest";
import { cell, renderMarkdown } from "../../src/report/render-markdown.js";
import { sampleReport } from "../helpers/sample-report.js";
import type { DrillReport } from "../../src/documents/drill-report.js";

const HOSTILE = [
  "[click me](https://evil.example/steal)",
  "![tracker](https://evil.example/pixel.png)",
  "<img src=x onerror=alert(1)>",
  "**loud** _quiet_ ~~gone~~",
  "a | b | c",
  "line one\nline two",
  "`code` and ``more``",
  "&lt;already escaped&gt;",
];

/** Undoes exactly what cell() does, so a test can prove nothing was lost. */
function unescape(markdown: string): string {
  return markdown
    .replace(/\\(.)/g, "$1")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

describe("Markdown of a drill report", () => {
  it("escapes every character that would make markup, and keeps the text", () => {
    for (const text of HOSTILE) {
      const escaped = cell(text);
      expect(escaped).not.toMatch(/(?<!\\)[[\]()`*_|~<>]/);
      expect(escaped).not.toContain("\n");
      expect(unescape(escaped)).toBe(text.replace(/\r?\n/g, " "));
    }
  });

  it("puts hostile findings and sources in the summary as text, one table row each", () => {
    const report: DrillReport = {
      ...sampleReport(),
      verdict: "not_proven",
      source: { text: "dir:/srv/`x` [y](z)", backupTime: null, resolved: null },
      findings: HOSTILE.map((message, i) => ({
        code: "probe_failed",
        severity: "error",
        subject: `probe-${i} [x](y)`,
        expected: null,
        actual: null,
        message,
        hint: "Fix the service.",
      })),
    };
    const markdown = renderMarkdown(report);
    const source = "Source ``dir:/srv/`x` [y](z)``"; // a code span: shown as it is
    // No link or image anywhere but inside that code span.
    expect(markdown.replace(source, "")).not.toMatch(/(?<!\\)\]\(/);
    expect(markdown).not.toContain("<img");
    expect(markdown).toContain(source);
    const rows = markdown.split("\n").filter((line) => line.startsWith("| error |"));
    expect(rows).toHaveLength(HOSTILE.length);
    // Each row keeps exactly four cells: no pipe from a message split it.
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(6);
  });

  it("counts the checks and lists those that did not pass, failed first, at most 50", () => {
    const base = sampleReport();
    const probe = base.checks.find((c) => c.kind === "probe");
    if (probe === undefined) throw new Error("the sample has a probe");
    const skipped = Array.from({ length: 60 }, (_, i) => ({
      ...probe,
      name: `probe-${i}`,
      status: "skipped" as const,
      actual: 'not run: the stage "restore" failed',
    }));
    const failed = {
      ...probe,
      name: "cities-count",
      status: "failed" as const,
      actual: "status 500",
    };
    const markdown = renderMarkdown({ ...base, checks: [...skipped, failed] });
    expect(markdown).toContain("61 checks: 1 failed, 60 skipped, 0 passed.");
    const rows = markdown.split("\n").filter((line) => /^\| (failed|skipped) \|/.test(line));
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatch(/^\| failed \| cities-count \| probe \| .* \| status 500 \| 1 ms \|$/);
    expect(markdown).toContain("…and 11 more; the HTML report lists every check.");
    expect(renderMarkdown(base)).toContain(`${base.checks.length} checks: 0 failed, 0 skipped,`);
  });
});
