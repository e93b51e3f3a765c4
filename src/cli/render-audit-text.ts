// The audit for an on-call engineer's terminal (pure): each question, its status, the facts
// that answer it and every gap with what to do; then anything else found, and the tally.
import { NO_COLOR, type Paint } from "./output.js";
import type { Finding } from "../findings/finding.js";
import type { AuditResult } from "../verbs/audit.js";
import type { AnswerStatus, PublicAnswer } from "../audit/answer.js";
import { describeScenario } from "../audit/scenario-table.js";

function headline(result: AuditResult, paint: Paint): string {
  const word =
    result.verdict === "proven"
      ? paint.green("✔ READY")
      : result.verdict === "not_proven"
        ? paint.red("✘ NOT READY")
        : paint.red(`✘ ${result.verdict.replace(/_/g, " ").toUpperCase()}`);
  const release =
    result.releaseId !== null && result.releaseIdentity !== null
      ? `  release ${paint.bold(result.releaseId)} sha256:${result.releaseIdentity.sha256}`
      : "";
  return `${word}  recoverable audit${release}`;
}

function statusWord(status: AnswerStatus, paint: Paint): string {
  switch (status) {
    case "answered":
      return paint.green("✔ answered");
    case "stale":
      return paint.yellow("⚠ stale");
    case "missing":
      return paint.red("✘ missing");
  }
}

function answerLines(answer: PublicAnswer, index: number, paint: Paint): string[] {
  const lines = [
    "",
    `${paint.bold(`${index + 1}. ${answer.question}`)}  ${statusWord(answer.status, paint)}`,
  ];
  for (const fact of answer.facts) lines.push(`   · ${fact}`);
  for (const gap of answer.gaps) {
    const mark = gap.kind === "stale" ? paint.yellow("⚠ stale  ") : paint.red("✘ missing");
    lines.push(`   ${mark} ${paint.bold(gap.code)}  ${gap.subject}`);
    lines.push(`             ${gap.message}`);
    lines.push(`             ${paint.dim(`→ ${gap.hint}`)}`);
  }
  return lines;
}

/** Findings that belong to no answer: unusable input, warnings about the config's keys. */
export function otherFindings(result: AuditResult): Finding[] {
  const key = (f: { code: string; subject: string; message: string }) =>
    `${f.code}\u0000${f.subject}\u0000${f.message}`;
  const inAnswers = new Set(result.answers.flatMap((a) => a.gaps.map(key)));
  return result.findings.filter((f) => !inAnswers.has(key(f)));
}

export function renderAuditText(result: AuditResult, paint: Paint = NO_COLOR): string {
  const lines = [headline(result, paint)];
  if (result.auditedAt !== null) lines.push(paint.dim(`  audited ${result.auditedAt}`));
  result.answers.forEach((answer, index) => lines.push(...answerLines(answer, index, paint)));
  if (result.counts !== null) {
    const { artifacts, durable, reconstructable, disposable } = result.counts;
    lines.push(
      "",
      `Artifacts of the release: ${artifacts} (${durable} durable, ${reconstructable} reconstructable, ${disposable} disposable)`,
    );
  }
  if (result.scenarios.length > 0) {
    lines.push("", "Failure scenarios (the rollback policy's RTO and RPO per scenario):");
    for (const row of result.scenarios) lines.push(`  · ${describeScenario(row)}`);
  }
  const others = otherFindings(result);
  if (others.length > 0) lines.push("");
  for (const finding of others) {
    const color = finding.severity === "error" ? paint.red : paint.yellow;
    lines.push(
      `  ${color(finding.severity.padEnd(7))} ${paint.bold(finding.code)}  ${finding.subject}`,
    );
    lines.push(`          ${finding.message}`);
    lines.push(`          ${paint.dim(`→ ${finding.hint}`)}`);
  }
  const count = (status: AnswerStatus) => result.answers.filter((a) => a.status === status).length;
  const tally =
    result.answers.length > 0
      ? `${count("answered")} answered, ${count("stale")} stale, ${count("missing")} missing · `
      : "";
  lines.push("", paint.dim(`${tally}exit ${result.exitCode}`));
  return `${lines.join("\n")}\n`;
}
