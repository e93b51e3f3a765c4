// The audit as Markdown (pure): a page for a runbook, a ticket or a CI job summary, with the
// three questions as sections, their facts, and a table of gaps with what to do.
import type { AuditResult } from "../verbs/audit.js";
import type { AnswerStatus, PublicAnswer } from "../audit/answer.js";
import { otherFindings } from "./render-audit-text.js";
import { formatDuration } from "../util/duration.js";

const STATUS: Record<AnswerStatus, string> = {
  answered: "✅ Answered",
  stale: "⚠️ Stale",
  missing: "❌ Missing",
};

/** Text inside a table cell or a list item: no pipes, no line breaks, no stray HTML. */
function inline(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function answerSection(answer: PublicAnswer, index: number): string[] {
  const lines = [`## ${index + 1}. ${answer.question}`, "", `**${STATUS[answer.status]}**`, ""];
  for (const fact of answer.facts) lines.push(`- ${inline(fact)}`);
  if (answer.gaps.length > 0) {
    lines.push(
      "",
      "| gap | code | subject | what is wrong | what to do |",
      "|---|---|---|---|---|",
    );
    for (const gap of answer.gaps)
      lines.push(
        `| ${gap.kind} | ${code(gap.code)} | ${code(gap.subject)} | ${inline(gap.message)} | ${inline(gap.hint)} |`,
      );
  }
  lines.push("");
  return lines;
}

export function renderAuditMarkdown(result: AuditResult): string {
  const title =
    result.releaseId === null ? "Readiness audit" : `Readiness audit: ${result.releaseId}`;
  const verdict =
    result.verdict === "proven"
      ? "✅ **Ready**: every question is answered from evidence."
      : result.verdict === "not_proven"
        ? "❌ **Not ready**: the gaps below are what an incident would find first."
        : `❌ **${result.verdict.replace(/_/g, " ")}**: the audit could not answer (exit ${result.exitCode}).`;
  const lines = [`# ${title}`, "", verdict, ""];
  if (result.releaseIdentity !== null)
    lines.push(`Release identity: ${code(`sha256:${result.releaseIdentity.sha256}`)}  `);
  if (result.auditedAt !== null) lines.push(`Audited: ${result.auditedAt}`, "");
  result.answers.forEach((answer, index) => lines.push(...answerSection(answer, index)));
  if (result.counts !== null) {
    const { artifacts, durable, reconstructable, disposable } = result.counts;
    lines.push(
      "## Artifacts of the release",
      "",
      "| durable | reconstructable | disposable | total |",
      "|---|---|---|---|",
      `| ${durable} | ${reconstructable} | ${disposable} | ${artifacts} |`,
      "",
    );
  }
  if (result.scenarios.length > 0) {
    lines.push(
      "## Failure scenarios",
      "",
      "| scenario | RTO | RPO | backups | newest backup | last drill |",
      "|---|---|---|---|---|---|",
    );
    for (const row of result.scenarios) {
      const newest =
        row.newestBackup === null
          ? "none reachable"
          : `${row.newestBackup.name}, ${formatDuration(row.newestBackup.ageSeconds * 1000)} old${row.newestBackup.withinRpo ? "" : " (OVER the RPO)"}`;
      const drill =
        row.lastDrill === null
          ? "none"
          : `${row.lastDrill.verdict}, ${row.lastDrill.finishedAt}${row.lastDrill.rtoSeconds === null ? "" : `, RTO ${row.lastDrill.rtoSeconds}s`}`;
      lines.push(
        `| ${inline(row.name)} | ${row.rto} | ${row.rpo} | ${inline(row.backups.join(", "))} | ${inline(newest)} | ${inline(drill)} |`,
      );
    }
    lines.push("");
  }
  const others = otherFindings(result);
  if (others.length > 0) {
    lines.push("## Other findings", "", "| severity | code | subject | message | what to do |");
    lines.push("|---|---|---|---|---|");
    for (const f of others)
      lines.push(
        `| ${f.severity} | ${code(f.code)} | ${code(f.subject)} | ${inline(f.message)} | ${inline(f.hint)} |`,
      );
    lines.push("");
  }
  lines.push(`_recoverable audit · exit ${result.exitCode}_`, "");
  return lines.join("\n");
}
