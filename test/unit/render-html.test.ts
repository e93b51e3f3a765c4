// The renderers without a browser: hostile values in every field a document, a probe, a
// service or a finding can fill leave the page's markup exactly as it is for benign values;
// the CSP hashes are those of the page's own style and script; the timeline has every stage.
// test/html-report.test.ts looks at the same pages in a real browser.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/finding.js";
import type { RenderContext } from "../../src/report/render-context.js";
import { escapeHTML, renderHTML } from "../../src/report/render-html.js";
import { renderReportText } from "../../src/report/render-text.js";
import { sampleReport } from "../helpers/sample-report.js";
import type { DrillReport, ReportCheck } from "../../src/documents/drill-report.js";

const HOSTILE = [
  `<script>window.__pwned = "script"</script>`,
  `"><img src=x onerror="window.__pwned='img'">`,
  `' onmouseover='window.__pwned=1' x='`,
  `</style><style>body{display:none}</style>`,
  `</svg><svg onload="window.__pwned='svg'">`,
  `</title></textarea><!-- --><iframe src="javascript:alert(1)"></iframe>`,
  `&lt;already escaped&gt; &amp; `,
].join(" ");

/** The report with `text` in every string a document, a probe, a service or a finding sets. */
function filledWith(text: string): DrillReport {
  const report = sampleReport();
  return {
    ...report,
    releaseId: `atlas-${text}`,
    source: { text: `dir:${text}`, backupTime: text, resolved: text },
    storeRoot: text,
    serviceURL: text,
    stages: report.stages.map((s) => ({ ...s, name: `${s.name} ${text}` })),
    checks: report.checks.map((c) => ({
      ...c,
      name: text,
      subject: text,
      expected: text,
      actual: text,
      ...(c.request ? { request: { method: text, headers: { [text]: text } } } : {}),
    })),
    service: { command: [text, text], exit: text, log: `${text}\n${text}\n` },
    findings: [
      {
        code: text as Finding["code"],
        severity: "error",
        subject: text,
        expected: text,
        actual: text,
        message: text,
        hint: text,
      },
    ],
    tool: { name: "recoverable", version: text },
  };
}

/** Every tag of a page, its attribute values blanked: the page's structure, not its text. */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<[^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
}

const CONTEXT: RenderContext = {
  envelope: "drill-report.dsse.json",
  signature: "not_checked",
  keyId: null,
};

describe("renderHTML, given hostile strings in every value from a document, a probe, a service or a finding", () => {
  const benign = renderHTML(filledWith("plain words"), CONTEXT);
  const hostile = renderHTML(filledWith(HOSTILE), CONTEXT);

  it("keeps the page's markup exactly as for benign values: no tag and no attribute added", () => {
    expect(tagsOf(hostile)).toEqual(tagsOf(benign));
  });

  it("shows them as text: escaped in place, never raw", () => {
    expect(hostile).not.toContain(HOSTILE);
    expect(hostile).toContain(escapeHTML(HOSTILE));
    expect(hostile.match(/<script/g)).toHaveLength(1);
    expect(hostile).not.toMatch(/<img|<iframe|<svg onload/);
  });

  it("takes class names only from fixed lists, never from the report", () => {
    const weird = sampleReport();
    const html = renderHTML({
      ...weird,
      verdict: `x" onclick="y` as DrillReport["verdict"],
      stages: weird.stages.map((s) => ({ ...s, status: `a"b` as "passed" })),
    });
    expect(tagsOf(html)).toEqual(
      tagsOf(renderHTML(weird)).map((t) => t.replace("proven", "not_proven")),
    );
  });
});

describe("renderHTML's Content-Security-Policy", () => {
  const html = renderHTML(sampleReport());
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

  it("allows exactly the page's own style and script, by hash, and nothing else", () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    expect(csp).toBe(
      `default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; base-uri 'none'; form-action 'none'`,
    );
  });

  it("loads nothing: no src, href, action or CSS url() or @import", () => {
    expect(html).not.toMatch(/\s(src|href|xlink:href|srcset|action)=/);
    expect(html).not.toMatch(/url\(|@import/);
  });
});

describe("renderHTML's page", () => {
  it("draws one timeline group per stage, with its name and duration, and a skipped one as skipped", () => {
    const report = sampleReport();
    const stages = report.stages.map((s, i) =>
      i === 6 ? { ...s, status: "skipped" as const, durationMs: 0 } : s,
    );
    const html = renderHTML({ ...report, stages });
    const groups = [
      ...html.matchAll(/<g class="stage (\w+)" data-stage="([^"]*)">([\s\S]*?)<\/g>/g),
    ];
    expect(groups.map((g) => g[2])).toEqual(stages.map((s) => s.name));
    expect(groups[2]?.[3]).toContain(">181 ms</tspan>");
    expect(groups[6]?.[1]).toBe("skipped");
    expect(groups[6]?.[3]).toContain(">skipped</tspan>");
  });

  it("lists every check as a row, and hides the filter buttons until the script shows them", () => {
    const report = sampleReport();
    const html = renderHTML(report);
    expect(html.match(/<tr class="\w+" data-status="\w+">/g)).toHaveLength(report.checks.length);
    expect(html).toMatch(/<div class="filters" id="check-filters"[^>]* hidden>/);
  });

  it("says the signature was not checked, and gives the exact verify command", () => {
    const html = renderHTML(sampleReport(), { ...CONTEXT, envelope: "my report.dsse.json" });
    expect(html).toContain("Signature not checked.");
    expect(html).toContain(
      `recoverable report verify &#39;my report.dsse.json&#39; --key drill.pub --release ${sampleReport().releaseIdentity.sha256}`,
    );
  });
});

describe("renderReportText", () => {
  it("shows control characters as \\xNN and keeps one line per value, so a report cannot drive the terminal", () => {
    const report = sampleReport();
    const text = renderReportText({
      ...report,
      verdict: "not_proven",
      checks: [
        {
          ...(report.checks[0] as ReportCheck),
          status: "failed",
          actual: "red \u001b[31mALERT\u001b[0m\nsecond",
        },
      ],
    });
    expect(text).not.toContain("\u001b");
    expect(text).toContain("red \\x1b[31mALERT\\x1b[0m second");
  });
});
