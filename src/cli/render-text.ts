// The human view of a result, for an operator reading at a glance: verdict first, then what
// was checked, then each finding with what to do.
import type { Finding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import type { VerbResult } from "../verbs/result.js";
import { NO_COLOR, type Paint } from "./output.js";

const VERDICT_WORDS: Record<Verdict, string> = {
  proven: "PROVEN",
  not_proven: "NOT PROVEN",
  unusable_input: "UNUSABLE INPUT",
  could_not_run: "COULD NOT RUN",
};

/** What success means differs by verb: seal and keygen make things, they do not prove them. */
const SUCCESS_WORDS: Partial<Record<VerbResult["verb"], string>> = {
  seal: "SEALED",
  keygen: "CREATED",
  init: "CREATED",
  "report render": "RENDERED",
};

function verdictLine(result: VerbResult, paint: Paint): string {
  const word =
    result.verdict === "proven"
      ? (SUCCESS_WORDS[result.verb] ?? "PROVEN")
      : VERDICT_WORDS[result.verdict];
  const mark = result.verdict === "proven" ? paint.green(`✔ ${word}`) : paint.red(`✘ ${word}`);
  const release =
    result.releaseId !== null && result.releaseIdentity !== null
      ? ` release ${paint.bold(result.releaseId)} sha256:${result.releaseIdentity.sha256}`
      : "";
  return `${mark}  recoverable ${result.verb}${release}`;
}

function findingLines(finding: Finding, paint: Paint): string[] {
  const color =
    finding.severity === "error"
      ? paint.red
      : finding.severity === "warning"
        ? paint.yellow
        : paint.dim;
  return [
    `  ${color(finding.severity.padEnd(7))} ${paint.bold(finding.code)}  ${finding.subject}`,
    `          ${finding.message}`,
    `          ${paint.dim(`→ ${finding.hint}`)}`,
  ];
}

function tally(findings: readonly Finding[]): string {
  const count = (severity: Finding["severity"]) =>
    findings.filter((f) => f.severity === severity).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}`;
}

export function renderText(
  result: VerbResult,
  summary: readonly string[],
  paint: Paint = NO_COLOR,
): string {
  const lines = [verdictLine(result, paint), ...summary.map((line) => `  ${line}`)];
  for (const finding of result.findings) lines.push(...findingLines(finding, paint));
  if (result.findings.length > 0 || result.exitCode !== 0) {
    lines.push(paint.dim(`  ${tally(result.findings)} · exit ${result.exitCode}`));
  }
  return `${lines.join("\n")}\n`;
}
