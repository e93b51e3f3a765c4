// report render's plan (pure): the flags and what was loaded (the key, the envelope, whether
// --out is a directory) in; the format, where it goes and what verifies it, or every problem.
import { basename, resolve } from "node:path";
import { failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { OpenedEnvelope, TrustedKey } from "../report/trusted-reports.js";

export const REPORT_FORMATS = ["html", "markdown", "junit", "text"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type ReportRenderFlags = {
  /** html, markdown, junit or text. */
  readonly format: string;
  /** The file to write (atomically); without it the rendering is returned as `content`. */
  readonly out?: string;
  /** A trusted public key: the signature is verified before anything is rendered. */
  readonly key?: string;
};

export type RenderLoaded = {
  /** The key of --key, loaded; null without --key. */
  readonly key: Checked<TrustedKey> | null;
  readonly opened: Checked<OpenedEnvelope>;
  /** Whether --out names an existing directory. */
  readonly outIsDirectory: boolean;
};

export type RenderPlan = {
  readonly format: ReportFormat;
  /** The file to write, resolved; null: the rendering is handed back. */
  readonly out: string | null;
  readonly key: TrustedKey | null;
  /** The --key file's name, as the rendering shows it. */
  readonly publicKey: string | null;
  readonly opened: OpenedEnvelope;
};

function usage(subject: string, expected: string, actual: string, message: string) {
  return createFinding("usage_invalid", { subject, expected, actual, message });
}

const isFormat = (text: string): text is ReportFormat =>
  (REPORT_FORMATS as readonly string[]).includes(text);

function flagFindings(flags: ReportRenderFlags, outIsDirectory: boolean): ClassifiedFinding[] {
  const findings: ClassifiedFinding[] = [];
  if (!isFormat(flags.format))
    findings.push(
      usage(
        "--format",
        REPORT_FORMATS.join(", "),
        flags.format,
        `--format ${JSON.stringify(flags.format)} is not one of ${REPORT_FORMATS.join(", ")}`,
      ),
    );
  // --out must name a file: a directory is refused before anything is read.
  if (flags.out !== undefined && outIsDirectory)
    findings.push(
      usage(
        "--out",
        "a file name",
        flags.out,
        `--out ${flags.out} is a directory; name the file to write, such as ${flags.out.replace(/\/?$/, "/")}drill-report.html`,
      ),
    );
  return findings;
}

export function planReportRender(
  flags: ReportRenderFlags,
  cwd: string,
  loaded: RenderLoaded,
): Checked<RenderPlan> {
  const { key, opened } = loaded;
  const findings = [
    ...flagFindings(flags, loaded.outIsDirectory),
    ...(key === null ? [] : findingsOf(key)),
    ...findingsOf(opened),
  ];
  const format = flags.format;
  if (findings.length > 0 || !isFormat(format) || key?.ok === false || !opened.ok)
    return failedWith(findings);
  return ok({
    format,
    out: flags.out === undefined ? null : resolve(cwd, flags.out),
    key: key === null ? null : key.value,
    publicKey: flags.key === undefined ? null : basename(flags.key),
    opened: opened.value,
  });
}
