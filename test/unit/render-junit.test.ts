// JUnit XML of a drill report without a drill: one test case per stage and per check, a failed
// check a <failure> typed by its finding, a drill that could not run an <error>, later stages
// skipped with the stage that stopped them, and the service's output where CI shows it.
import { describe, expect, it } from "vitest";
import type { DrillReport } from "../../src/documents/drill-report.js";
import { escapeXML, renderJUnit } from "../../src/report/render-junit.js";
import { sampleReport } from "../helpers/sample-report.js";

/** The sample report after the probe cities-count failed with a finding. */
function failedProbe(): DrillReport {
  const report = sampleReport();
  return {
    ...report,
    verdict: "not_proven",
    stages: report.stages.map((s) => (s.name === "probes" ? { ...s, status: "failed" } : s)),
    checks: report.checks.map((c) =>
      c.name === "cities-count" ? { ...c, status: "failed", actual: "/count = 2999" } : c,
    ),
    findings: [
      {
        code: "probe_failed",
        severity: "error",
        subject: "probe:cities-count",
        expected: "/count = 3000",
        actual: "/count = 2999",
        message: "the probe cities-count got 2999 rows",
        hint: "Look at the service.",
      },
    ],
  };
}

const testcase = (xml: string, name: string) =>
  new RegExp(`<testcase classname="[^"]*" name="${name}"[^>]*>[\\s\\S]*?</testcase>`).exec(
    xml,
  )?.[0] ?? "";

describe("renderJUnit", () => {
  it("a proven drill: every stage and check passes, with totals and the suite's time", () => {
    const report = sampleReport();
    const xml = renderJUnit(report);
    const cases = report.stages.length + report.checks.length;
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="recoverable drill"/,
    );
    expect(xml).toContain(
      `<testsuites name="recoverable drill" tests="${cases}" failures="0" errors="0" time="0.397">`,
    );
    expect(xml).toContain(
      `<testsuite name="drill atlas-2026.11.1" tests="${cases}" failures="0" errors="0" skipped="0" time="0.397" timestamp="2026-11-26T06:49:45.355Z">`,
    );
    expect(xml).toContain(
      '<testcase classname="recoverable.stage" name="restore" time="0.181"></testcase>',
    );
    expect(xml).toContain(
      '<testcase classname="recoverable.probe" name="cities-count" time="0.001"></testcase>',
    );
    expect(xml).toContain(
      '<testcase classname="recoverable.store" name="datasets/cities.sqlite"></testcase>',
    );
    expect(xml).toContain(
      "    <system-out>atlas-service: listening on 127.0.0.1:38383\n</system-out>",
    );
    expect(xml).not.toContain("<properties>");
  });

  it("a failed check is a failure typed by its finding, with expected, actual and what to do", () => {
    const xml = renderJUnit(failedProbe());
    const probe = testcase(xml, "cities-count");
    expect(probe).toContain(
      '<failure type="probe_failed" message="expected status 200, /count = 3000, got /count = 2999">',
    );
    expect(probe).toContain(
      "probe_failed probe:cities-count\nthe probe cities-count got 2999 rows\nexpected: /count = 3000\nactual: /count = 2999\nWhat to do: Look at the service.",
    );
    const stage = testcase(xml, "probes");
    expect(stage).toContain(
      '<failure type="probe_failed" message="the probe cities-count got 2999 rows">failed checks: cities-count</failure>',
    );
    // The service's output goes with the stage whose failure it explains.
    expect(stage).toContain("<system-out>atlas-service: listening");
    expect(xml).toMatch(/tests="\d+" failures="2" errors="0"/);
  });

  it("a drill that could not run is an error, and the stages after it are skipped naming it", () => {
    const report = sampleReport();
    const failedAt = report.stages.findIndex((s) => s.name === "start service");
    const xml = renderJUnit({
      ...report,
      verdict: "could_not_run",
      stages: report.stages.map((s, i) =>
        i === failedAt
          ? { ...s, status: "failed" }
          : i > failedAt
            ? { ...s, status: "skipped", durationMs: 0 }
            : s,
      ),
      findings: [
        {
          code: "service_failed_to_start",
          severity: "error",
          subject: "service",
          expected: null,
          actual: null,
          message: "the service exited with code 1",
          hint: "Run it by hand.",
        },
      ],
    });
    const stage = testcase(xml, "start service");
    expect(stage).toContain(
      '<error type="service_failed_to_start" message="the service exited with code 1">',
    );
    expect(stage).toContain(
      "service_failed_to_start service\nthe service exited with code 1\nWhat to do: Run it by hand.",
    );
    expect(stage).not.toContain("expected:");
    expect(testcase(xml, "probes")).toContain(
      '<skipped message="not run: the stage &quot;start service&quot; failed"/>',
    );
    expect(xml).toMatch(/failures="0" errors="1" skipped="3"/);
  });

  it("a stage skipped with nothing to do, a skipped check, and a failure with no finding", () => {
    const report = sampleReport();
    const xml = renderJUnit({
      ...report,
      stages: report.stages.map((s) =>
        s.name === "check rollback policy"
          ? { ...s, status: "skipped" }
          : s.name === "verify store"
            ? { ...s, status: "failed" }
            : s,
      ),
      checks: report.checks.map((c) =>
        c.kind === "policy" ? { ...c, status: "skipped", actual: "no policy given" } : c,
      ),
      service: null,
    });
    expect(testcase(xml, "check rollback policy")).toContain(
      '<skipped message="skipped: nothing to do"/>',
    );
    expect(testcase(xml, "policy versionFloor")).toContain('<skipped message="no policy given"/>');
    expect(testcase(xml, "verify store")).toContain(
      '<failure message="0 checks failed"></failure>',
    );
    expect(xml).not.toContain("<system-out>");
  });

  it("says how far the signature was checked as suite properties", () => {
    const report = sampleReport();
    const verified = renderJUnit(report, {
      envelope: "r.dsse.json",
      signature: "verified",
      keyId: "ab12",
    });
    expect(verified).toContain('<property name="recoverable.signature" value="verified"/>');
    expect(verified).toContain('<property name="recoverable.keyId" value="ab12"/>');
    const unchecked = renderJUnit(report, {
      envelope: null,
      signature: "not_checked",
      keyId: null,
    });
    expect(unchecked).toContain('<property name="recoverable.note" value="Signature not checked');
    expect(unchecked).not.toContain("recoverable.keyId");
  });

  it("a report without a parseable time has no time attribute; a store check's pins are its output", () => {
    const report = sampleReport();
    const xml = renderJUnit({
      ...report,
      finishedAt: "not a time",
      checks: report.checks.map((c) =>
        c.kind === "store" ? { ...c, level: "schema", pinnedBy: "backup record" } : c,
      ),
    });
    expect(xml).toContain('<testsuites name="recoverable drill" tests="');
    expect(xml).not.toMatch(/<testsuites[^>]* time=/);
    expect(testcase(xml, "datasets/cities.sqlite")).toContain(
      "<system-out>level schema · bytes pinned by backup record</system-out>",
    );
  });
});

describe("escapeXML", () => {
  it("escapes the five specials and drops what XML 1.0 cannot hold", () => {
    expect(escapeXML(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
    );
    expect(escapeXML("bell\u0007 nul\u0000 tab\t ok \u{1F600} \uFFFE")).toBe(
      "bell nul tab\t ok \u{1F600} ",
    );
  });
});
