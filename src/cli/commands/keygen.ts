import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";

export function registerKeygen(program: Command): void {
  withGlobalOptions(program.command("keygen"))
    .description("make an Ed25519 key pair for signing drill reports (drill.key 0600, drill.pub)")
    .requiredOption("--out <dir>", "where to write drill.key and drill.pub (never overwritten)")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable keygen --out ~/.config/recoverable\n  recoverable keygen --out keys --json",
    )
    .action(async (flags: GlobalFlags & { out: string }) => {
      const { keygen } = await import("../../verbs/keygen.js");
      const result = await keygen({ out: flags.out });
      const summary = result.keyId
        ? [
            `key id ${result.keyId}`,
            `private key ${result.privateKey ?? ""} (mode 0600, keep it secret)`,
            `public key  ${result.publicKey ?? ""}`,
          ]
        : [];
      emit(result, flags, summary);
    });
}
