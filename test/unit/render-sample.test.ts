// A sampled drill report (drill --sample): its store checks of artifacts left out of the sample
// say place and size only, and every rendering (text, Markdown, HTML, JUnit) states the sample
// in the same words; a report without a sample renders as before.
import { describe, expect, it } from "vitest";
import type { DrillReport } from "../../src/documents/drill-report.js";
import type { Artifact } from "../../src/documents/types.js";
import { createFinding } from "../../src/findings/finding.js";
import { PLACE_ONLY, storeChecks } from "../../src/report/drill-report.js";
import { renderHTML } from "../../src/report/render-html.js";
import { renderJUnit } from "../../src/report/render-junit.js";
import { cell, renderMarkdown } from "../../src/report/render-markdown.js";
import { renderReportText } from "../../src/report/render-text.js";
import { sampleLine } from "../../src/report/sample-line.js";
import { inSample } from "../../src/store/sample.js";
import { sampleReport } from "../helpers/sample-report.js";

const SAMPLE = { fraction: 0.5, seed: 3, contentChecked: 9, placeOnly: 7, runsToCover: 2 };
const LINE =
  "sampled 50% (seed 3): 9 artifacts checked in full, 7 for place and size only; seeds 3 to 4 check them all";

const sampled: DrillReport = { ...sampleReport(), sample: SAMPLE };

const file = (path: string, role: Artifact["role"], kind: Artifact["kind"]): Artifact => ({
  path,
  role,
  kind,
  size: 10,
  digest: { sha256: "e9".repeat(32) },
});

describe("storeChecks of a sampled drill", () => {
  const spec = { fraction: 0.5, seed: 3 };
  const names = Array.from({ length: 40 }, (_, i) => `files/f${i}.txt`);
  const outside = names.find((n) => !inSample(n, spec)) as string;
  const inside = names.find((n) => inSample(n, spec)) as string;

  it("says place and size only for an artifact left out, as expected for one in the sample or a durable database", () => {
    const checks = storeChecks(
      [
        file(outside, "durable", "file"),
        file(inside, "durable", "file"),
        file("datasets/cities.sqlite", "durable", "sqlite"),
        file(`cache/${outside}`, "disposable", "file"),
      ],
      [],
      true,
      null,
      spec,
    );
    expect(checks.map((c) => [c.status, c.actual])).toEqual([
      ["passed", PLACE_ONLY],
      ["passed", "as expected"],
      ["passed", "as expected"],
      ["passed", "not required"],
    ]);
    expect(PLACE_ONLY).toBe("checked for place and size only (not in this sample): as expected");
  });

  it("still fails a left-out artifact whose size differs, and says nothing of sampling without a sample", () => {
    const shorter = createFinding("artifact_size_mismatch", {
      subject: outside,
      expected: "10",
      actual: "2",
      message: `${outside}: size expected 10 bytes, got 2`,
    });
    const [failed] = storeChecks([file(outside, "durable", "file")], [shorter], true, null, spec);
    expect(failed).toMatchObject({ status: "failed", actual: "2" });
    const [whole] = storeChecks([file(outside, "durable", "file")], [], true);
    expect(whole?.actual).toBe("as expected");
  });
});

describe("rendering a sampled report", () => {
  it("sampleLine says the share, the seed, the counts and the seeds that cover the store", () => {
    expect(sampleLine(SAMPLE)).toBe(LINE);
    expect(sampleLine({ ...SAMPLE, fraction: 0.005, seed: 20, runsToCover: 200 })).toMatch(
      /^sampled 0\.5% \(seed 20\): .*; seeds 20 to 219 check them all$/,
    );
  });

  it("text, Markdown, HTML and JUnit each state the sample", () => {
    expect(renderReportText(sampled)).toContain(`\n  ${LINE}\n`);
    expect(renderMarkdown(sampled)).toContain(`Sampled check: ${cell(LINE)}.`);
    expect(renderHTML(sampled)).toContain(`<dt>Sampled</dt><dd>${LINE}</dd>`);
    expect(renderJUnit(sampled)).toContain(
      `    <properties>\n      <property name="recoverable.sample" value="${LINE}"/>\n    </properties>`,
    );
  });

  it("a report without a sample says nothing of one", () => {
    const whole = sampleReport();
    for (const rendered of [
      renderReportText(whole),
      renderMarkdown(whole),
      renderHTML(whole),
      renderJUnit(whole),
    ])
      expect(rendered).not.toMatch(/sampled|Sampled|recoverable\.sample/);
  });
});
