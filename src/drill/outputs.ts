// A drill's outputs side by side: the report JSON, its signed envelope, Markdown (appended to
// $GITHUB_STEP_SUMMARY when set), JUnit XML and HTML. They are put in place all together, and
// not at all when the run is interrupted first: an interrupted drill leaves no report.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { RenderContext } from "../report/render-context.js";
import { renderHTML } from "../report/render-html.js";
import { renderJUnit } from "../report/render-junit.js";
import { renderMarkdown } from "../report/render-markdown.js";
import type { Signer } from "../report/signing.js";
import { signedFiles } from "../report/write-signed.js";
import { formatJSON } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { writeAllOrNone, type FileToWrite } from "../util/write-all-or-none.js";
import type { DrillReport } from "../documents/drill-report.js";

export type ReportPaths = {
  json: string;
  envelope: string | null;
  markdown: string;
  junit: string;
  html: string;
};

/** Files to write, and the paths the result names. */
export type DrillOutputs = {
  readonly files: FileToWrite[];
  readonly paths: ReportPaths;
  /** For $GITHUB_STEP_SUMMARY, once the files are in place. */
  readonly markdown: string;
};

export function drillOutputs(
  report: DrillReport,
  outDir: string,
  signer: Signer | null,
): DrillOutputs {
  const path = (name: string) => join(outDir, name);
  const markdown = renderMarkdown(report);
  const reportFiles = signer
    ? signedFiles({
        json: path("drill-report.json"),
        envelope: path("drill-report.dsse.json"),
        releaseId: report.releaseId,
        releaseIdentity: report.releaseIdentity,
        report,
        signer,
      })
    : [{ path: path("drill-report.json"), data: formatJSON(report) }];
  // The page names the envelope beside it and the key that signed it, for its verify command.
  const context: RenderContext = signer
    ? { envelope: "drill-report.dsse.json", signature: "signed", keyId: signer.keyId }
    : { envelope: null, signature: "unsigned", keyId: null };
  return {
    files: [
      ...reportFiles,
      { path: path("drill-report.md"), data: markdown },
      { path: path("drill-report.junit.xml"), data: renderJUnit(report) },
      { path: path("drill-report.html"), data: renderHTML(report, context) },
    ],
    paths: {
      json: displayPath(path("drill-report.json")),
      envelope: signer ? displayPath(path("drill-report.dsse.json")) : null,
      markdown: displayPath(path("drill-report.md")),
      junit: displayPath(path("drill-report.junit.xml")),
      html: displayPath(path("drill-report.html")),
    },
    markdown,
  };
}

/** Writes the outputs all together; false, with nothing written, when interrupted first. */
export async function writeDrillOutputs(
  outputs: DrillOutputs,
  signal: AbortSignal,
): Promise<boolean> {
  if (!(await writeAllOrNone(outputs.files, signal))) return false;
  const summary = process.env["GITHUB_STEP_SUMMARY"];
  if (summary) await appendFile(summary, `${outputs.markdown}\n`);
  return true;
}
