// A drill report as plain text (pure), for a terminal or a log: the verdict line first, then
// how far the signature was checked, the source, RTO and RPO, the stages, the failed checks
// and every finding with what to do. Laid out like the drill's own summary.
import { formatDuration } from "../util/duration.js";
import { NOT_CHECKED_NOTE, verifyCommand, type RenderContext } from "./render-context.js";
import type { DrillReport, Objective } from "../documents/drill-report.js";
import { sampleLine } from "./sample-line.js";

const VERDICT_WORDS: Record<string, string> = {
  proven: "✔ PROVEN",
  not_proven: "✘ NOT PROVEN",
  unusable_input: "✘ UNUSABLE INPUT",
  could_not_run: "✘ COULD NOT RUN",
};

/**
 * A report value on one line that cannot drive a terminal: line breaks become spaces, and
 * control characters (ESC of a colour or cursor sequence among them) are shown as \xNN.
 */
function one(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

const MARKS: Record<string, string> = { passed: "✔", failed: "✘", skipped: "·" };

const seconds = (value: number | null) =>
  value === null ? "not measured" : value < 60 ? `${value}s` : formatDuration(value * 1000);

function objective(name: string, o: Objective): string {
  const target = o.targetSeconds === null ? "no target" : `target ${seconds(o.targetSeconds)}`;
  return `${name} ${seconds(o.seenSeconds)} (${target}) ${one(o.status)}`;
}

function signatureLine(context: RenderContext | undefined): string[] {
  switch (context?.signature) {
    case undefined:
    case "signed":
    case "unsigned":
      return [];
    case "verified":
      return [`signature verified with trusted key ${context.keyId ?? ""}`.trimEnd()];
    case "not_checked":
      return [`! ${NOT_CHECKED_NOTE}`];
  }
}

/** Who pinned the bytes of the store checks, when the release does not pin them all. */
export function pinnedLine(report: Pick<DrillReport, "checks" | "source">): string | null {
  const store = report.checks.filter((c) => c.pinnedBy !== undefined);
  // A summarised check counts the artifacts it stands for.
  const count = (by: string) =>
    store.filter((c) => c.pinnedBy === by).reduce((n, c) => n + (c.artifacts ?? 1), 0);
  if (store.every((c) => c.pinnedBy === "release")) return null;
  const record = report.source?.record === undefined ? "" : ` (${one(report.source.record)})`;
  return `bytes pinned by: the release ${count("release")}, the backup record${record} ${count("backup record")}, content rules only ${count("content rules only")}`;
}

export function renderReportText(report: DrillReport, context?: RenderContext): string {
  const lines = [
    `${VERDICT_WORDS[report.verdict] ?? one(report.verdict)}  drill of release ${one(report.releaseId)} sha256:${one(report.releaseIdentity.sha256)}`,
  ];
  const indent = (line: string) => `  ${line}`;
  const body: string[] = [...signatureLine(context)];
  body.push(
    report.source === null
      ? `live store ${one(report.storeRoot)}, finished ${one(report.finishedAt)}`
      : `restored from ${one(report.source.text)} (backup ${one(report.source.backupTime ?? "of unknown time")}), finished ${one(report.finishedAt)}`,
    objective("RTO", report.rto),
    objective("RPO", report.rpo),
    ...report.stages.map(
      (s) =>
        `${MARKS[s.status] ?? "?"} ${one(s.name).padEnd(22)} ${s.status === "skipped" ? "skipped" : `${(s.durationMs / 1000).toFixed(2)}s`}`,
    ),
  );
  const failed = report.checks.filter((c) => c.status === "failed");
  const skipped = report.checks.filter((c) => c.status === "skipped").length;
  body.push(`${report.checks.length} checks: ${failed.length} failed, ${skipped} skipped`);
  const pins = pinnedLine(report);
  if (pins !== null) body.push(pins);
  if (report.sample !== undefined) body.push(one(sampleLine(report.sample)));
  for (const check of failed)
    body.push(
      `✘ ${one(check.kind)} ${one(check.name)}: expected ${one(check.expected)}, got ${one(check.actual)}`,
    );
  lines.push(...body.map(indent));
  for (const f of report.findings) {
    lines.push(
      `  ${one(f.severity).padEnd(7)} ${one(f.code)}  ${one(f.subject)}`,
      `          ${one(f.message)}`,
      `          → ${one(f.hint)}`,
    );
  }
  if (context !== undefined)
    lines.push(indent(`verify it: ${verifyCommand(context, report.releaseIdentity.sha256)}`));
  return `${lines.join("\n")}\n`;
}
