import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable gate",
    says: "may the example release ship? Trusts reports.trustedKeys and reads the reports under reports.dir of ops/drill.json (after `npm start`: yes)",
  },
  {
    command:
      "recoverable gate --key .recoverable/keys/drill.pub --report /tmp/atlas-drill/drill-report.dsse.json --json | jq '.requirements[] | select(.passed | not)'",
    says: "consider that report too, and print only the requirements that fail (none when it exits 0)",
  },
];

type GateFlags = GlobalFlags & {
  key?: string[];
  report?: string[];
  reports?: string;
  threshold?: string;
  allowDowngrade?: boolean;
  ops?: string;
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerGate(program: Command): void {
  withExamples(withGlobalOptions(program.command("gate")), EXAMPLES)
    .description(
      "pass or refuse a release: evidence complete and consistent, the rollback policy allows it, and a recent, proven drill of it signed by a trusted key",
    )
    .option(
      "--key <pub>",
      "a trusted public key (SPKI PEM, as keygen writes drill.pub); repeatable, added to reports.trustedKeys of the drill config",
      collect,
    )
    .option("--report <envelope>", "a signed drill report (DSSE envelope); repeatable", collect)
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
    .action(async (flags: GateFlags) => {
      const { gate } = await import("../../verbs/gate.js");
      const result = await gate({
        keys: flags.key ?? [],
        reports: flags.report ?? [],
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
