import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { colorsFor, emit } from "../output.js";
import { renderText } from "../render-text.js";
import { definedOnly } from "./defined-only.js";

type ReportVerifyFlags = GlobalFlags & { key: string; release?: string; maxAge?: string };
type ReportMergeFlags = GlobalFlags & {
  key: string;
  signingKey?: string;
  out?: string;
  release?: string;
};
type ReportRenderFlags = GlobalFlags & { format: string; out?: string; key?: string };

export function registerReport(program: Command): void {
  const report = program.command("report").description("signed drill reports");
  withGlobalOptions(report.command("verify <envelope>"))
    .description("check a signed drill report: signature, trusted key, release, freshness, verdict")
    .requiredOption("--key <pub>", "the trusted public key (SPKI PEM, as keygen writes drill.pub)")
    .option("--release <sha256>", "the release identity the report must be about")
    .option("--max-age <duration>", "the oldest the report may be, e.g. 36h or 7d")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable report verify out/drill.dsse.json --key keys/drill.pub\n  recoverable report verify out/drill.dsse.json --key keys/drill.pub --release $(recoverable identity --json | jq -r .releaseIdentity.sha256) --max-age 7d",
    )
    .action(async (envelope: string, flags: ReportVerifyFlags) => {
      const { reportVerify } = await import("../../verbs/report-verify.js");
      const result = await reportVerify({
        envelope,
        key: flags.key,
        ...definedOnly({ release: flags.release, maxAge: flags.maxAge }),
      });
      const predicate = result.statement?.predicate;
      const summary = result.keyId
        ? [
            `signed by key ${result.keyId}`,
            `report verdict ${String(predicate?.verdict)}, finished ${String(predicate?.finishedAt)}`,
          ]
        : [];
      emit(result, flags, summary);
    });
  withGlobalOptions(report.command("merge <envelopes...>"))
    .description(
      "check every shard report of verify --shard or drill --shard and sign one merged report",
    )
    .requiredOption("--key <pub>", "the trusted public key every shard report must be signed by")
    .option(
      "--signing-key <file>",
      "the Ed25519 private key that signs the merged report (default: signing.key of the drill config)",
    )
    .option(
      "--out <dir>",
      "where the merged report goes (default <reports.dir of the drill config, else drill-reports>/<release>-merged-<time>)",
    )
    .option("--release <sha256>", "the release identity every shard report must be about")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable report merge shards/shard-*-of-4.dsse.json --key keys/drill.pub --signing-key keys/drill.key --out merged/\n  recoverable report merge shards/*.dsse.json --key keys/drill.pub --release $(recoverable identity --json | jq -r .releaseIdentity.sha256) --json",
    )
    .action(async (envelopes: string[], flags: ReportMergeFlags) => {
      const { reportMerge } = await import("../../verbs/report-merge.js");
      const result = await reportMerge({
        envelopes,
        key: flags.key,
        ...definedOnly({
          config: flags.config,
          signingKey: flags.signingKey,
          out: flags.out,
          release: flags.release,
        }),
      });
      const summary: string[] = [];
      if (result.merged) {
        for (const shard of result.merged.shards)
          summary.push(
            `shard ${shard.index}: ${shard.verdict}, ${shard.artifacts} artifacts, ${shard.bytes} bytes (${shard.file})`,
          );
        summary.push(`signed merged report: ${result.merged.report.envelope}`);
      }
      emit(result, flags, summary);
    });
  registerRender(report);
}

function registerRender(report: Command): void {
  withGlobalOptions(report.command("render <envelope>"))
    .description(
      "render a signed drill report as HTML, Markdown, JUnit XML or text (to stdout, or a file with --out)",
    )
    .requiredOption("--format <format>", "html, markdown, junit or text")
    .option("--out <file>", "write the rendering to this file (atomically) instead of stdout")
    .option(
      "--key <pub>",
      "verify the signature with this trusted public key first and render nothing if it is bad; without it the rendering says the signature was not checked",
    )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ recoverable report render drill-reports/drill-report.dsse.json --format html --key keys/drill.pub --out drill.html",
        '  $ recoverable report render drill-reports/drill-report.dsse.json --format markdown --key keys/drill.pub >> "$GITHUB_STEP_SUMMARY"',
        "  $ recoverable report render drill-reports/drill-report.dsse.json --format junit --out junit.xml --json",
      ].join("\n"),
    )
    .action(async (envelope: string, flags: ReportRenderFlags) => {
      const { reportRender } = await import("../../verbs/report-render.js");
      const result = await reportRender({
        envelope,
        format: flags.format,
        ...definedOnly({ out: flags.out, key: flags.key }),
      });
      const rendered = result.rendered;
      const summary = rendered?.path
        ? [`wrote ${rendered.format} to ${rendered.path} (${rendered.bytes} bytes)`]
        : [];
      if (flags.json || flags.out !== undefined) {
        emit(result, flags, summary);
        return;
      }
      // The rendering is stdout's; what the verb has to say goes to stderr.
      if (rendered?.content) process.stdout.write(rendered.content);
      process.stderr.write(renderText(result, summary, colorsFor(process.stderr)));
      process.exitCode = result.exitCode;
    });
}
