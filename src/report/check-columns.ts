// The columns of a check as every rendering shows them (pure): the HTML table, the Markdown
// table of the checks that did not pass, and the text of a JUnit failure. A column added here
// (who pinned a store check's bytes, say) appears in all three.
import { stageSeconds } from "./html-timeline.js";
import type { ReportCheck } from "../documents/drill-report.js";

export type CheckColumn = {
  readonly header: string;
  /** The cell as plain text; each rendering escapes it its own way. */
  readonly text: (check: ReportCheck) => string;
  /** In the HTML table: a long value wraps anywhere, a tight one never, a number aligns right. */
  readonly fit: "plain" | "tight" | "long" | "num";
  /** A second, smaller line under the cell, where there is one. */
  readonly detail?: (check: ReportCheck) => string | null;
};

/** What an HTTP probe sent, secret header values already redacted: "GET · Authorization: [redacted]". */
function requestLine(check: ReportCheck): string | null {
  if (check.request === undefined) return null;
  return [
    check.request.method,
    ...Object.entries(check.request.headers).map(([name, value]) => `${name}: ${value}`),
  ].join(" · ");
}

/** A store check's level and who pinned its bytes (docs/live-data.md): "level schema · bytes pinned by backup record". */
export function pinsLine(check: ReportCheck): string | null {
  if (check.pinnedBy === undefined) return null;
  return `level ${check.level ?? "bytes"} · bytes pinned by ${check.pinnedBy}`;
}

export const CHECK_COLUMNS: readonly CheckColumn[] = [
  { header: "Check", text: (c) => c.name, fit: "plain" },
  { header: "Kind", text: (c) => c.kind, fit: "tight" },
  {
    header: "Subject",
    text: (c) => c.subject,
    fit: "long",
    detail: (c) => requestLine(c) ?? pinsLine(c),
  },
  { header: "Expected", text: (c) => c.expected, fit: "long" },
  { header: "Actual", text: (c) => c.actual, fit: "long" },
  {
    header: "Time",
    text: (c) => (c.durationMs === undefined ? "" : stageSeconds(c.durationMs)),
    fit: "num",
  },
];
