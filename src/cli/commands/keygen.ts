import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable keygen --out ~/.config/recoverable",
    says: "make drill.key (mode 0600) and drill.pub; keep the private key in your CI secret store, commit the public one beside ops/",
  },
  {
    command: "recoverable keygen --out /tmp/oncall-keys --json | jq -r .keyId",
    says: "a second key pair, for `gate --threshold 2`; print its key id",
  },
];

export function registerKeygen(program: Command): void {
  withExamples(withGlobalOptions(program.command("keygen")), EXAMPLES)
    .description("make an Ed25519 key pair for signing drill reports (drill.key 0600, drill.pub)")
    .requiredOption("--out <dir>", "where to write drill.key and drill.pub (never overwritten)")
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
