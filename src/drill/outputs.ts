// Writes a drill's outputs side by side: the report JSON, its signed envelope, Markdown
// (appended to $GITHUB_STEP_SUMMARY when set), JUnit XML and HTML.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { IN_TOTO_PAYLOAD_TYPE } from "../report/dsse.js";
import type { DrillReport } from "../report/drill-report.js";
import type { RenderContext } from "../report/render-context.js";
import { renderHTML } from "../report/render-html.js";
import { renderJUnit } from "../report/render-junit.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { signEnvelope, type Signer } from "../report/signing.js";
import { createStatement } from "../report/statement.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";

export type ReportPaths = {
  json: string;
  envelope: string | null;
  markdown: string;
  junit: string;
  html: string;
};

export async function writeDrillOutputs(
  report: DrillReport,
  outDir: string,
  signer: Signer | null,
): Promise<ReportPaths> {
  const path = (name: string) => join(outDir, name);
  const markdown = renderMarkdown(report);
  await writeFileAtomic(path("drill-report.json"), formatJSON(report));
  let envelope: string | null = null;
  if (signer) {
    const statement = createStatement(report.releaseId, report.releaseIdentity, report);
    const signed = signEnvelope(
      IN_TOTO_PAYLOAD_TYPE,
      Buffer.from(JSON.stringify(statement), "utf8"),
      signer,
    );
    await writeFileAtomic(path("drill-report.dsse.json"), formatJSON(signed));
    envelope = displayPath(path("drill-report.dsse.json"));
  }
  await writeFileAtomic(path("drill-report.md"), markdown);
  await writeFileAtomic(path("drill-report.junit.xml"), renderJUnit(report));
  // The page names the envelope beside it and the key that signed it, for its verify command.
  const context: RenderContext = signer
    ? { envelope: "drill-report.dsse.json", signature: "signed", keyId: signer.keyId }
    : { envelope: null, signature: "unsigned", keyId: null };
  await writeFileAtomic(path("drill-report.html"), renderHTML(report, context));
  const summary = process.env["GITHUB_STEP_SUMMARY"];
  if (summary) await appendFile(summary, `${markdown}\n`);
  return {
    json: displayPath(path("drill-report.json")),
    envelope,
    markdown: displayPath(path("drill-report.md")),
    junit: displayPath(path("drill-report.junit.xml")),
    html: displayPath(path("drill-report.html")),
  };
}
