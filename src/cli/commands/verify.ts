import type { Command } from "commander";
import type { StoreCheckCounts } from "../../store/verify-store.js";
import { sampleLine } from "../../report/sample-line.js";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { createProgress, progressMode } from "../progress.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable verify",
    says: "check the example store (store.root of ops/drill.json) against its sealed evidence, read-only: every byte, SQLite integrity and content",
  },
  {
    command: "recoverable verify --sample 5% --seed 7",
    says: "read the content of 5% of the artifacts (window 7; every durable database always), and check every artifact's place and size; seeds 7 to 26 read them all",
  },
  {
    command: "recoverable verify --shard 1/4 --out /tmp/atlas-shards",
    says: "check only shard 1 of 4 and sign a shard report (signing.key of the drill config); run 2/4 to 4/4 as well, anywhere, then `report merge`",
  },
];

type VerifyFlags = GlobalFlags & {
  root?: string;
  ops?: string;
  strict?: boolean;
  shard?: string;
  key?: string;
  out?: string;
  sample?: string;
  seed?: string;
};

export function registerVerify(program: Command): void {
  withExamples(withGlobalOptions(program.command("verify")), EXAMPLES)
    .description("check the evidence chain and a store root against it, without restoring anything")
    .option("--root <store>", "the store root (default: store.root of the drill config)")
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .option("--strict", "files the manifest does not list are errors, not warnings")
    .option(
      "--sample <fraction>",
      "read the content of only this share of the artifacts (5% or 0.05; durable databases always in full); every artifact's place and size is still checked",
    )
    .option(
      "--seed <n>",
      "with --sample: which share, as a whole number; consecutive seeds cover the whole store (default: the day number, so daily runs rotate)",
    )
    .option(
      "--shard <i/n>",
      "check only shard i of n (1-based) and write a signed shard report; merge them with `report merge`",
    )
    .option(
      "--key <file>",
      "with --shard: the Ed25519 private key that signs the shard report, or env:NAME for its PEM text in the variable NAME (default: signing.key of the drill config)",
    )
    .option(
      "--out <dir>",
      "with --shard: where the shard report goes (default <reports.dir of the drill config, else drill-reports>/<release>-<time>)",
    )
    .action(async (flags: VerifyFlags) => {
      const { verify } = await import("../../verbs/verify.js");
      const result = await verify({
        ...definedOnly({
          config: flags.config,
          root: flags.root,
          ops: flags.ops,
          strict: flags.strict,
          shard: flags.shard,
          key: flags.key,
          out: flags.out,
          sample: flags.sample,
          seed: flags.seed,
        }),
        progress: createProgress(progressMode(flags)),
      });
      const summary = result.checked ? summarize(result.storeRoot ?? "", result.checked) : [];
      if (result.shard)
        summary.unshift(
          `shard ${result.shard.index}/${result.shard.count}: ${result.shard.artifacts} artifacts, ${result.shard.bytes} bytes`,
        );
      if (result.sample) summary.push(sampleLine(result.sample));
      if (result.report) summary.push(`signed shard report: ${result.report.envelope}`);
      emit(result, flags, summary);
    });
}

function summarize(root: string, checked: StoreCheckCounts): string[] {
  const { byRole, byCheck } = checked;
  return [
    `store ${root}: ${checked.artifacts} artifacts (${byRole.durable} durable, ${byRole.reconstructable} reconstructable, ${byRole.disposable} disposable)`,
    `checked: ${byCheck.sha256} sha256, ${byCheck.sqlite_integrity} sqlite integrity, ${byCheck.sqlite_content} sqlite content, ${byCheck.json_parse} json parse${
      byCheck.pgdump_restore > 0
        ? `, ${byCheck.pgdump_restore} pgdump restore, ${byCheck.pgdump_content} pgdump content`
        : ""
    }${liveChecks(byCheck)}`,
  ];
}

/** The checks of live data (docs/live-data.md), said only when a level asked for them. */
function liveChecks(byCheck: StoreCheckCounts["byCheck"]): string {
  const counts: [number, string][] = [
    [byCheck.json_content, "json content"],
    [byCheck.schema, "schema"],
    [byCheck.row_bounds, "row bounds"],
  ];
  return counts
    .filter(([count]) => count > 0)
    .map(([count, name]) => `, ${count} ${name}`)
    .join("");
}
