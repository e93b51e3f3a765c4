// report render: a signed drill report as HTML, Markdown, JUnit XML or text, to stdout or a
// file. With --key the signature is verified first and a bad one renders nothing
// (report_signature_invalid); without it the rendering and an info finding say it was not
// checked. Either way the report inside is validated against its schema before it is shown.
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { DrillReport } from "../documents/drill-report.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { findingOfError } from "../findings/errors.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import { drillReportOf, unverifiedPayload } from "../report/open-drill-report.js";
import type { RenderContext } from "../report/render-context.js";
import { renderHTML } from "../report/render-html.js";
import { renderJUnit } from "../report/render-junit.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { renderReportText } from "../report/render-text.js";
import { loadTrustedKey, readEnvelope, verifyEnvelope } from "../report/trusted-reports.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import {
  planReportRender,
  type RenderLoaded,
  type RenderPlan,
  type ReportFormat,
  type ReportRenderFlags,
} from "./report-render-plan.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

const RENDERERS: Record<ReportFormat, (report: DrillReport, context: RenderContext) => string> = {
  html: renderHTML,
  markdown: renderMarkdown,
  junit: renderJUnit,
  text: renderReportText,
};

export type ReportRenderOptions = ReportRenderFlags & {
  readonly envelope: string;
  readonly cwd?: string;
};

export type Rendered = {
  readonly format: ReportFormat;
  /** Where it was written (display path), or null when it is in `content`. */
  readonly path: string | null;
  readonly bytes: number;
  readonly signature: "verified" | "not_checked";
  readonly keyId: string | null;
  /** The verdict the report carries; render does not judge it (report verify and gate do). */
  readonly reportVerdict: Verdict;
  /** The rendering itself when there is no --out; null when it was written to a file. */
  readonly content: string | null;
};

export type ReportRenderResult = VerbResult<{ rendered: Rendered | null }>;

async function loadRender(options: ReportRenderOptions, cwd: string): Promise<RenderLoaded> {
  const out = options.out === undefined ? null : resolve(cwd, options.out);
  const found = out === null ? null : await stat(out).catch(() => null);
  const key = options.key === undefined ? null : await loadTrustedKey(resolve(cwd, options.key));
  const opened = await readEnvelope(resolve(cwd, options.envelope));
  return { key, opened, outIsDirectory: found?.isDirectory() ?? false };
}

/** The payload: verified by the trusted key when one was given (a bad signature renders nothing). */
function payloadOf(plan: RenderPlan): Checked<Buffer> {
  if (plan.key === null) return unverifiedPayload(plan.opened);
  const verified = verifyEnvelope(plan.opened.envelope, plan.opened.file, [plan.key]);
  return verified.ok ? ok(verified.value.payload) : verified;
}

/** Renders, saying how far the signature was checked; writes it atomically when --out is set. */
async function render(plan: RenderPlan, report: DrillReport): Promise<Checked<Rendered>> {
  const context: RenderContext = {
    envelope: basename(plan.opened.file),
    signature: plan.key === null ? "not_checked" : "verified",
    keyId: plan.key?.keyId ?? null,
    ...(plan.publicKey === null ? {} : { publicKey: plan.publicKey }),
  };
  const text = RENDERERS[plan.format](report, context);
  if (plan.out !== null) {
    try {
      await writeFileAtomic(plan.out, text);
    } catch (error) {
      return failed(findingOfError(error));
    }
  }
  return ok({
    format: plan.format,
    path: plan.out === null ? null : displayPath(plan.out),
    bytes: Buffer.byteLength(text, "utf8"),
    signature: context.signature === "verified" ? "verified" : "not_checked",
    keyId: context.keyId,
    reportVerdict: report.verdict,
    content: plan.out === null ? text : null,
  });
}

function notChecked(file: string): ClassifiedFinding {
  return createFinding("signature_not_checked", {
    subject: file,
    severity: "info",
    message: `${file}: rendered without --key, so its signature was not checked; the rendering says so`,
  });
}

export async function reportRender(options: ReportRenderOptions): Promise<ReportRenderResult> {
  const cwd = options.cwd ?? process.cwd();
  const fail = (findings: readonly ClassifiedFinding[]): ReportRenderResult =>
    createResult("report render", findings, NO_RELEASE, { rendered: null });
  const plan = planReportRender(options, cwd, await loadRender(options, cwd));
  if (!plan.ok) return fail(plan.findings);
  const payload = payloadOf(plan.value);
  if (!payload.ok) return fail(payload.findings);
  const { file } = plan.value.opened;
  const report = drillReportOf(payload.value, file);
  if (!report.ok) return fail(report.findings);
  const rendered = await render(plan.value, report.value);
  if (!rendered.ok) return fail(rendered.findings);
  const { releaseId, releaseIdentity } = report.value;
  const findings = plan.value.key === null ? [notChecked(file)] : [];
  return createResult(
    "report render",
    findings,
    { releaseId, releaseIdentity },
    {
      rendered: rendered.value,
    },
  );
}
