// report render: a signed drill report as HTML, Markdown, JUnit XML or text, to stdout or a
// file. With --key the signature is verified first and a bad one renders nothing
// (report_signature_invalid); without it the rendering and an info finding say it was not
// checked. Either way the report inside is validated against its schema before it is shown.
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { checkSchema } from "../documents/schema-validation.js";
import type { JSONValue } from "../documents/strict-json.js";
import { findingOfError } from "../findings/errors.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import { digestsEqual } from "../identity/digest.js";
import type { RenderContext } from "../report/render-context.js";
import { renderHTML } from "../report/render-html.js";
import { renderJUnit } from "../report/render-junit.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { renderReportText } from "../report/render-text.js";
import {
  loadTrustedKey,
  parseStatement,
  readEnvelope,
  verifyEnvelope,
} from "../report/trusted-reports.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import type { DrillReport } from "../documents/drill-report.js";

export const REPORT_FORMATS = ["html", "markdown", "junit", "text"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, (report: DrillReport, context: RenderContext) => string> = {
  html: renderHTML,
  markdown: renderMarkdown,
  junit: renderJUnit,
  text: renderReportText,
};

export type ReportRenderOptions = {
  readonly envelope: string;
  /** html, markdown, junit or text. */
  readonly format: string;
  /** The file to write (atomically); without it the rendering is returned as `content`. */
  readonly out?: string;
  /** A trusted public key: the signature is verified before anything is rendered. */
  readonly key?: string;
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

function usage(subject: string, expected: string, actual: string, message: string) {
  return createFinding("usage_invalid", { subject, expected, actual, message });
}

const isFormat = (text: string): text is ReportFormat =>
  (REPORT_FORMATS as readonly string[]).includes(text);

/** --out must name a file: refuses a directory before anything is read. */
async function checkOut(path: string, given: string): Promise<ClassifiedFinding | null> {
  const found = await stat(path).catch(() => null);
  if (!found?.isDirectory()) return null;
  return usage(
    "--out",
    "a file name",
    given,
    `--out ${given} is a directory; name the file to write, such as ${given.replace(/\/?$/, "/")}drill-report.html`,
  );
}

export async function reportRender(options: ReportRenderOptions): Promise<ReportRenderResult> {
  const cwd = options.cwd ?? process.cwd();
  const fail = (findings: ClassifiedFinding[]): ReportRenderResult =>
    createResult("report render", findings, NO_RELEASE, { rendered: null });

  // 1. Flags and inputs, all checked before anything is rendered.
  const inputFindings: ClassifiedFinding[] = [];
  const format = options.format;
  if (!isFormat(format))
    inputFindings.push(
      usage(
        "--format",
        REPORT_FORMATS.join(", "),
        format,
        `--format ${JSON.stringify(format)} is not one of ${REPORT_FORMATS.join(", ")}`,
      ),
    );
  const outPath = options.out === undefined ? null : resolve(cwd, options.out);
  if (outPath !== null && options.out !== undefined) {
    const bad = await checkOut(outPath, options.out);
    if (bad) inputFindings.push(bad);
  }
  const key = options.key === undefined ? null : await loadTrustedKey(resolve(cwd, options.key));
  if (key !== null && "code" in key) inputFindings.push(key);
  const read = await readEnvelope(resolve(cwd, options.envelope));
  if (!read.ok) inputFindings.push(...read.findings);
  if (inputFindings.length > 0 || !read.ok || !isFormat(format) || (key !== null && "code" in key))
    return fail(inputFindings);
  const file = read.file;

  // 2. The signature, when a trusted key was given: a bad one renders nothing.
  let payload: Buffer;
  if (key === null) {
    const decoded = read.envelope.signed?.payload ?? null;
    if (decoded === null)
      return fail([
        createFinding("document_invalid", {
          subject: `${file}#/payload`,
          expected: "standard base64",
          message: `${file}: the payload is not standard base64, so there is no report to render`,
          hint: "A drill writes the payload as standard base64: this envelope was altered or not written by recoverable. Render the drill-report.dsse.json a drill wrote, or re-run the drill.",
        }),
      ]);
    payload = decoded;
  } else {
    const verified = verifyEnvelope(read.envelope, file, [key]);
    if ("code" in verified) return fail([verified]);
    payload = verified.payload;
  }

  // 3. The statement and the drill report in it, checked against the report's schema.
  const statement = parseStatement(payload, file);
  if ("code" in statement) return fail([statement]);
  const predicate = statement.predicate as unknown as JSONValue;
  const invalid = checkSchema("drillReport", predicate, file, "/payload/predicate");
  if (invalid.length > 0) return fail(invalid);
  const report = predicate as unknown as DrillReport;
  const subject = statement.subject[0];
  if (!digestsEqual(subject.digest, report.releaseIdentity))
    return fail([
      createFinding("document_invalid", {
        subject: `${file}#/payload/predicate/releaseIdentity`,
        expected: subject.digest.sha256,
        actual: report.releaseIdentity.sha256,
        message: `${file}: the statement is about sha256:${subject.digest.sha256}, but the report inside it is about sha256:${report.releaseIdentity.sha256}`,
      }),
    ]);
  const release = { releaseId: report.releaseId, releaseIdentity: report.releaseIdentity };

  // 4. Render, saying how far the signature was checked.
  const context: RenderContext = {
    envelope: basename(file),
    signature: key === null ? "not_checked" : "verified",
    keyId: key === null ? null : key.keyId,
    ...(options.key === undefined ? {} : { publicKey: basename(options.key) }),
  };
  const text = RENDERERS[format](report, context);
  const findings: ClassifiedFinding[] = [];
  if (key === null)
    findings.push(
      createFinding("signature_not_checked", {
        subject: file,
        severity: "info",
        message: `${file}: rendered without --key, so its signature was not checked; the rendering says so`,
      }),
    );

  // 5. Write it atomically, or hand it back for stdout.
  if (outPath !== null) {
    try {
      await writeFileAtomic(outPath, text);
    } catch (error) {
      return fail([findingOfError(error)]);
    }
  }
  return createResult("report render", findings, release, {
    rendered: {
      format,
      path: outPath === null ? null : displayPath(outPath),
      bytes: Buffer.byteLength(text, "utf8"),
      signature: context.signature === "verified" ? "verified" : "not_checked",
      keyId: context.keyId,
      reportVerdict: report.verdict,
      content: outPath === null ? text : null,
    },
  });
}
