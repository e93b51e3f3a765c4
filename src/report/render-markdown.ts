// Markdown of a drill report: what a CI job summary shows.
import { CHECK_COLUMNS } from "./check-columns.js";
import { NOT_CHECKED_NOTE, type RenderContext } from "./render-context.js";
import type { DrillReport } from "../documents/drill-report.js";
import { sampleLine } from "./sample-line.js";

const VERDICT: Record<DrillReport["verdict"], string> = {
  proven: "✅ proven",
  not_proven: "❌ not proven",
  unusable_input: "⛔ unusable input",
  could_not_run: "⚠️ could not run",
};

/** What turns text into markup in (GitHub-flavoured) Markdown, or ends a table cell. */
const MARKDOWN_SPECIAL = /[\\`*_[\]()!|~#<>&]/g;

/**
 * Text from a report (a probe's answer, a finding's message) as Markdown that shows exactly
 * that text: no link, image, emphasis, HTML or code can be smuggled in, and a table cell is
 * never broken (newlines become spaces, pipes are escaped).
 */
export function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(MARKDOWN_SPECIAL, (c) =>
      c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`,
    );
}

/** A code span holding `text` as it is: its fence is longer than any run of backticks in it. */
function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** What `report render` knows of the signature; a drill's own summary says nothing of it. */
function signatureLines(context: RenderContext | undefined): string[] {
  if (context?.signature === "not_checked") return [`> **${NOT_CHECKED_NOTE}**`, ""];
  if (context?.signature === "verified")
    return [`Signature verified with trusted key \`${context.keyId ?? "unknown"}\`.`, ""];
  return [];
}

export function renderMarkdown(report: DrillReport, context?: RenderContext): string {
  const show = (s: number | null) => (s === null ? "unknown" : `${s}s`);
  const lines = [
    `## Recovery drill: ${cell(report.releaseId)} — ${VERDICT[report.verdict]}`,
    "",
    ...signatureLines(context),
    `Release identity \`sha256:${report.releaseIdentity.sha256}\`. ${report.source ? `Source ${codeSpan(report.source.text)}, backup from ${report.source.backupTime ?? "an unknown time"}.` : "Live store and service."}`,
    "",
    `| objective | seen | target | status |`,
    `|---|---|---|---|`,
    `| RTO | ${show(report.rto.seenSeconds)} | ${show(report.rto.targetSeconds)} | ${report.rto.status} |`,
    `| RPO | ${show(report.rpo.seenSeconds)} | ${show(report.rpo.targetSeconds)} | ${report.rpo.status} |`,
    "",
    "| stage | status | duration |",
    "|---|---|---|",
    ...report.stages.map(
      (s) => `| ${cell(s.name)} | ${s.status} | ${(s.durationMs / 1000).toFixed(2)}s |`,
    ),
    "",
  ];
  if (report.findings.length > 0) {
    lines.push("| severity | code | subject | message |", "|---|---|---|---|");
    for (const f of report.findings)
      lines.push(`| ${f.severity} | \`${f.code}\` | ${cell(f.subject)} | ${cell(f.message)} |`);
    lines.push("");
  }
  if (report.sample !== undefined)
    lines.push(`Sampled check: ${cell(sampleLine(report.sample))}.`, "");
  lines.push(...checkLines(report));
  lines.push(...pinLines(report));
  return lines.join("\n");
}

/** A CI job summary is capped (GitHub's at 1 MiB): the table lists this many checks at most. */
const MAX_CHECK_ROWS = 50;

/** The counts of the checks, then those that did not pass (failed first), as a table. */
function checkLines(report: DrillReport): string[] {
  const count = (status: string) => report.checks.filter((c) => c.status === status).length;
  const summary = `${report.checks.length} checks: ${count("failed")} failed, ${count("skipped")} skipped, ${count("passed")} passed.`;
  const notPassed = [
    ...report.checks.filter((c) => c.status === "failed"),
    ...report.checks.filter((c) => c.status === "skipped"),
  ];
  if (notPassed.length === 0) return [summary, ""];
  const shown = notPassed.slice(0, MAX_CHECK_ROWS);
  return [
    summary,
    "",
    `| status | ${CHECK_COLUMNS.map((c) => c.header.toLowerCase()).join(" | ")} |`,
    `|---|${CHECK_COLUMNS.map(() => "---|").join("")}`,
    ...shown.map(
      (check) =>
        `| ${cell(check.status)} | ${CHECK_COLUMNS.map((c) => cell(c.text(check))).join(" | ")} |`,
    ),
    "",
    ...(notPassed.length > shown.length
      ? [`…and ${notPassed.length - shown.length} more; the HTML report lists every check.`, ""]
      : []),
  ];
}

/**
 * Who pinned the bytes of the store checks (docs/live-data.md): the count for each, and the
 * artifacts the release does not pin by their bytes, each with its level.
 */
function pinLines(report: DrillReport): string[] {
  const store = report.checks.filter((c) => c.pinnedBy !== undefined);
  if (store.length === 0) return [];
  // A summarised check counts the artifacts it stands for.
  const count = (by: string) =>
    store.filter((c) => c.pinnedBy === by).reduce((n, c) => n + (c.artifacts ?? 1), 0);
  const record = report.source?.record === undefined ? "" : ` (${cell(report.source.record)})`;
  const lines = [
    `Bytes of the ${store.reduce((n, c) => n + (c.artifacts ?? 1), 0)} store checks pinned by: the release ${count("release")}, the backup record${record} ${count("backup record")}, content rules only ${count("content rules only")}.`,
    "",
  ];
  const live = store.filter((c) => c.pinnedBy !== "release");
  if (live.length === 0) return lines;
  lines.push("| artifact | level | bytes pinned by | status |", "|---|---|---|---|");
  for (const c of live)
    lines.push(`| ${cell(c.name)} | ${c.level ?? "bytes"} | ${c.pinnedBy ?? ""} | ${c.status} |`);
  lines.push("");
  return lines;
}
