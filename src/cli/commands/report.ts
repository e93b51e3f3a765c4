import type { Command } from "commander";
import { reportVerify } from "../../verbs/report-verify.js";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

type ReportVerifyFlags = GlobalFlags & { key: string; release?: string; maxAge?: string };

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
}
