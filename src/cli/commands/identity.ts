import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

export function registerIdentity(program: Command): void {
  withGlobalOptions(program.command("identity"))
    .description("validate the evidence documents and their links, and print the release identity")
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable identity\n  recoverable identity --ops ops --json | jq -r .releaseIdentity.sha256",
    )
    .action(async (flags: GlobalFlags & { ops?: string }) => {
      const { identity } = await import("../../verbs/identity.js");
      const result = await identity(definedOnly({ config: flags.config, ops: flags.ops }));
      emit(
        result,
        flags,
        result.documents ? ["evidence chain: manifest -> packet -> provenance holds"] : [],
      );
    });
}
