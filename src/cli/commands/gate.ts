import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

type GateFlags = GlobalFlags & {
  key: string[];
  report: string[];
  reports?: string;
  threshold?: string;
  allowDowngrade?: boolean;
  ops?: string;
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerGate(program: Command): void {
  withGlobalOptions(program.command("gate"))
    .description(
      "pass or refuse a release: evidence complete and consistent, the rollback policy allows it, and a recent, proven drill of it signed by a trusted key",
    )
    .option(
      "--key <pub>",
      "a trusted public key (SPKI PEM, as keygen writes drill.pub); repeatable, added to reports.trustedKeys of the drill config",
      collect,
      [],
    )
    .option("--report <envelope>", "a signed drill report (DSSE envelope); repeatable", collect, [])
    .option(
      "--reports <dir>",
      "the folder searched for *.dsse.json reports, recursively (default: reports.dir of the drill config, else drill-reports)",
    )
    .option(
      "--threshold <n>",
      "how many qualifying reports are needed, each signed by a different trusted key (default 1)",
    )
    .option(
      "--allow-downgrade",
      "allow a release older than the newest one proven for this store, when the policy allows downgrades",
    )
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable gate --key keys/drill.pub\n  recoverable gate --key keys/drill.pub --report drill-reports/nightly/drill-report.dsse.json --json\n  recoverable gate --key ci.pub --key oncall.pub --threshold 2 --reports /srv/atlas/drill-reports",
    )
    .action(async (flags: GateFlags) => {
      const { gate } = await import("../../verbs/gate.js");
      const result = await gate({
        keys: flags.key,
        reports: flags.report,
        ...definedOnly({
          config: flags.config,
          ops: flags.ops,
          reportsDir: flags.reports,
          threshold: flags.threshold,
          allowDowngrade: flags.allowDowngrade,
        }),
      });
      const summary = result.requirements.map(
        (r) => `${r.passed ? "✔" : "✘"} ${r.name.padEnd(20)} ${r.why}`,
      );
      emit(result, flags, summary);
    });
}
