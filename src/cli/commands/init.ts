import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable init --root data",
    says: "propose ops/drill.json and ops/datasets/rollback-policy.json for the store in data/ (an AtoCore-like service's, say), and print the commands that seal, snapshot and drill it",
  },
  {
    command: "recoverable init --root data --ops ops-draft --json | jq '.proposals.datasets'",
    says: "write the proposal into ops-draft/ instead, and show the datasets init found (SQLite databases and pg_dumps, by content) and the names it gave them",
  },
];

type InitFlags = GlobalFlags & { root?: string; ops?: string };

export function registerInit(program: Command): void {
  withExamples(withGlobalOptions(program.command("init")), EXAMPLES)
    .description(
      "scaffold the drill config and rollback policy of an existing store (never overwrites): datasets, roles, identity levels and placeholder probes from what is in it",
    )
    .option("--root <store>", "the store root (default ./ops/store)")
    .option(
      "--ops <dir>",
      "where drill.json and datasets/rollback-policy.json go, and later the evidence (default ./ops)",
    )
    .action(async (flags: InitFlags) => {
      const { init } = await import("../../verbs/init.js");
      const result = await init(
        definedOnly({ root: flags.root, ops: flags.ops, config: flags.config }),
      );
      const datasets = result.proposals.datasets.map(
        (d) => `dataset ${d.name}: ${d.path} (${d.kind}, level ${d.level})`,
      );
      emit(result, flags, [
        ...result.written.map((path) => `wrote ${path}`),
        ...datasets,
        ...(result.next.length > 0 ? ["next:", ...result.next.map((c) => `  ${c}`)] : []),
      ]);
    });
}
