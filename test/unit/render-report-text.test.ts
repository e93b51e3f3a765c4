// The plain-text and Markdown renderings of a drill report without a drill: what each says of
// the signature, a live drill (no source), objectives not measured, failed checks, who pinned
// the bytes, and the command that checks the signed report.
import { describe, expect, it } from "vitest";
import type { DrillReport, ReportCheck } from "../../src/documents/drill-report.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { pinnedLine, renderReportText } from "../../src/report/render-text.js";
import { sampleReport } from "../helpers/sample-report.js";

const NOT_CHECKED = { envelope: "r.dsse.json", signature: "not_checked", keyId: null } as const;
const VERIFIED = { envelope: "my report.dsse.json", signature: "verified", keyId: "ab12" } as const;

/** A live drill whose store checks are pinned by the backup record and the content rules. */
function liveReport(): DrillReport {
  const report = sampleReport();
  const pinned = (check: ReportCheck, i: number): ReportCheck =>
    check.kind === "store"
      ? {
          ...check,
          level: i === 0 ? "schema" : "present",
          pinnedBy: i === 0 ? "backup record" : "content rules only",
        }
      : check;
  const store = report.checks.find((c) => c.kind === "store");
  if (store === undefined) throw new Error("the sample has a store check");
  return {
    ...report,
    mode: "live",
    source: null,
    rto: { seenSeconds: null, targetSeconds: 900, status: "failed" },
    rpo: { seenSeconds: null, targetSeconds: null, status: "skipped" },
    checks: [
      pinned(store, 0),
      pinned(
        { ...store, name: "datasets/airports.sqlite", status: "failed", actual: "table gone" },
        1,
      ),
      { ...store, name: "catalog.json", pinnedBy: "release" },
      ...report.checks.filter((c) => c.kind !== "store"),
    ],
  };
}

describe("renderReportText", () => {
  it("a proven drill: the verdict line, the source, RTO and RPO, every stage, the check count", () => {
    const text = renderReportText(sampleReport());
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "✔ PROVEN  drill of release atlas-2026.11.1 sha256:737eb2830ab2cbfcedc80c83d3215062742ba70f3b2d2a5ee3947f9c2b536bcb",
    );
    expect(lines[1]).toBe(
      "  restored from dir:ops/store (backup 2026-11-26T06:49:44.940Z), finished 2026-11-26T06:49:45.752Z",
    );
    expect(lines[2]).toBe("  RTO 0.4s (target 15m) passed");
    expect(lines[3]).toBe("  RPO 0.4s (target 1d) passed");
    expect(text).toContain("  ✔ restore                0.18s\n");
    expect(text).toContain("checks: 0 failed, 0 skipped\n");
    expect(text).not.toContain("verify it:");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("a live drill: the store, objectives not measured, who pinned the bytes, the failed check", () => {
    const text = renderReportText(liveReport());
    expect(text).toContain("  live store /tmp/recoverable-drill-YjGAW3/store, finished ");
    expect(text).toContain("  RTO not measured (target 15m) failed\n");
    expect(text).toContain("  RPO not measured (no target) skipped\n");
    expect(text).toContain(
      "  bytes pinned by: the release 1, the backup record 1, content rules only 1\n",
    );
    expect(text).toContain(
      "  ✘ store datasets/airports.sqlite: expected sqlite, 270336 bytes, sha256 " +
        "e9".repeat(32) +
        ", got table gone\n",
    );
  });

  it("says how far the signature was checked, and the exact command that checks it", () => {
    const report = sampleReport();
    const unchecked = renderReportText(report, NOT_CHECKED);
    expect(unchecked.split("\n")[1]).toMatch(/^ {2}! Signature not checked/);
    expect(unchecked).toContain(
      `  verify it: recoverable report verify r.dsse.json --key drill.pub --release ${report.releaseIdentity.sha256}\n`,
    );
    const verified = renderReportText(report, VERIFIED);
    expect(verified.split("\n")[1]).toBe("  signature verified with trusted key ab12");
    expect(verified).toContain("verify it: recoverable report verify 'my report.dsse.json' --key");
    const signed = renderReportText(report, {
      envelope: "d.dsse.json",
      signature: "signed",
      keyId: null,
    });
    expect(signed.split("\n")[1]).toMatch(/^ {2}restored from/);
  });

  it("lists every finding with what to do, and no value can drive the terminal", () => {
    const report: DrillReport = {
      ...sampleReport(),
      verdict: "could_not_run",
      stages: [
        {
          name: "restore",
          status: "skipped",
          startedAt: "2026-11-26T06:49:45.355Z",
          durationMs: 0,
        },
      ],
      findings: [
        {
          code: "io_failed",
          severity: "error",
          subject: "store\u001b[2J",
          expected: null,
          actual: null,
          message: "line one\nline two",
          hint: "Check the disk.",
        },
      ],
    };
    const text = renderReportText(report);
    expect(text.split("\n")[0]).toMatch(/^✘ COULD NOT RUN {2}drill/);
    expect(text).toContain("  · restore                skipped\n");
    expect(text).toContain(
      "  error   io_failed  store\\x1b[2J\n          line one line two\n          → Check the disk.\n",
    );
    expect(text).not.toContain("\u001b");
  });

  it("pinnedLine is null when the release pins every store check, and names the record", () => {
    expect(pinnedLine(sampleReport())).toBeNull();
    const live = liveReport();
    expect(
      pinnedLine({
        checks: live.checks,
        source: { text: "restic:r", backupTime: null, resolved: null, record: "snapshot 1a2b\n" },
      }),
    ).toBe(
      "bytes pinned by: the release 1, the backup record (snapshot 1a2b ) 1, content rules only 1",
    );
  });
});

describe("renderMarkdown", () => {
  it("a live drill: no source, objectives unknown, and a table of the artifacts the release does not pin", () => {
    const markdown = renderMarkdown(liveReport());
    expect(markdown).toContain("Live store and service.");
    expect(markdown).toContain("| RTO | unknown | 900s | failed |");
    expect(markdown).toContain("| RPO | unknown | unknown | skipped |");
    expect(markdown).toContain(
      "Bytes of the 3 store checks pinned by: the release 1, the backup record 1, content rules only 1.",
    );
    expect(markdown).toContain("| artifact | level | bytes pinned by | status |");
    expect(markdown).toContain("| datasets/cities.sqlite | schema | backup record | passed |");
    expect(markdown).toContain(
      "| datasets/airports.sqlite | present | content rules only | failed |",
    );
    expect(markdown).not.toContain("| catalog.json | bytes | release |");
  });

  it("names the backup record, and lists no pin table when the release pins every check", () => {
    const report = sampleReport();
    const checks = report.checks.map((c) =>
      c.kind === "store" ? { ...c, pinnedBy: "release" as const } : c,
    );
    const markdown = renderMarkdown({
      ...report,
      checks,
      source: {
        text: "restic:/r#latest",
        backupTime: null,
        resolved: null,
        record: "snapshot [1a2b]",
      },
    });
    expect(markdown).toContain("backup from an unknown time.");
    expect(markdown).toContain("the backup record (snapshot \\[1a2b\\]) 0,");
    expect(markdown).not.toContain("| artifact | level |");
  });

  it("heads the summary with the verdict and says how far the signature was checked", () => {
    const report = sampleReport();
    expect(renderMarkdown(report).split("\n")[0]).toBe(
      "## Recovery drill: atlas-2026.11.1 — ✅ proven",
    );
    expect(renderMarkdown({ ...report, verdict: "could_not_run" }).split("\n")[0]).toMatch(
      /⚠️ could not run$/,
    );
    expect(renderMarkdown(report, NOT_CHECKED)).toContain("> **Signature not checked:");
    expect(renderMarkdown(report, VERIFIED)).toContain(
      "Signature verified with trusted key `ab12`.",
    );
    expect(renderMarkdown(report, { ...VERIFIED, keyId: null })).toContain(
      "trusted key `unknown`.",
    );
  });
});
