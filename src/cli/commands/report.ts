import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

type ReportVerifyFlags = GlobalFlags & { key: string; release?: string; maxAge?: string };
type ReportMergeFlags = GlobalFlags & {
  key: string;
  signingKey?: string;
  out?: string;
  release?: string;
};

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
}
