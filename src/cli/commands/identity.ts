import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable identity",
    says: "validate the example's four evidence documents and the links between them, and print its release identity",
  },
  {
    command: "recoverable identity --json | jq -r .releaseIdentity.sha256",
    says: "only the identity (64 hex digits), for a pipeline variable or `report verify --release`",
  },
];

export function registerIdentity(program: Command): void {
  withExamples(withGlobalOptions(program.command("identity")), EXAMPLES)
    .description("validate the evidence documents and their links, and print the release identity")
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
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
