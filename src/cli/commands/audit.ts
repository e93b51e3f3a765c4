import { Option, type Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { colorsFor, emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable audit",
    says: "the three readiness questions, answered from the example's evidence, backups and signed drills; restores and writes nothing",
  },
  {
    command:
      "recoverable audit --repo /tmp/atlas-snapshots --format markdown > /tmp/atlas-audit.md",
    says: "audit a snapshot repository as a backup too, as a Markdown page for a runbook, a ticket or $GITHUB_STEP_SUMMARY",
  },
  {
    command: "recoverable audit --json | jq '.answers[] | {question, status}'",
    says: "each question and whether it is answered, missing or stale",
  },
];

type AuditFlags = GlobalFlags & {
  repo?: string;
  format?: "text" | "markdown" | "json";
  key?: string[];
  ops?: string;
};

export function registerAudit(program: Command): void {
  withExamples(withGlobalOptions(program.command("audit")), EXAMPLES)
    .description(
      "the pre-incident readiness audit: where the authoritative backup is and how fresh, how catalog integrity is kept, which checks prove a recovered instance ready",
    )
    .option(
      "--repo <dir>",
      "a snapshot repository to audit as a backup too (its newest valid snapshot)",
    )
    .addOption(
      new Option("--format <format>", "text, markdown or json (--json is --format json)").choices([
        "text",
        "markdown",
        "json",
      ]),
    )
    .option(
      "--key <pub...>",
      "public keys trusted to sign drill reports, besides reports.trustedKeys of the drill config",
    )
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .action(async (flags: AuditFlags, command: Command) => {
      const { audit } = await import("../../verbs/audit.js");
      const { renderAuditMarkdown } = await import("../render-audit-markdown.js");
      const { renderAuditText } = await import("../render-audit-text.js");
      if (flags.json && flags.format !== undefined && flags.format !== "json")
        command.error(
          `--json prints the JSON result, which --format ${flags.format} contradicts: drop one of them`,
        );
      const result = await audit(
        definedOnly({
          config: flags.config,
          ops: flags.ops,
          repo: flags.repo,
          keys: flags.key,
        }),
      );
      const format = flags.json ? "json" : (flags.format ?? "text");
      if (format === "json") {
        emit(result, { json: true });
        return;
      }
      process.stdout.write(
        format === "markdown"
          ? renderAuditMarkdown(result)
          : renderAuditText(result, colorsFor(process.stdout)),
      );
      process.exitCode = result.exitCode;
    });
}
