// The commander program: one registration per verb; actions only call the library and print.
import { Command, type HelpContext } from "commander";
import { VERSION } from "../util/version.js";
import { registerAudit } from "./commands/audit.js";
import { registerCompletion } from "./commands/completion.js";
import { registerDrill } from "./commands/drill.js";
import { registerGate } from "./commands/gate.js";
import { registerIdentity } from "./commands/identity.js";
import { registerInit } from "./commands/init.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerReport } from "./commands/report.js";
import { registerRestore } from "./commands/restore.js";
import { registerSeal } from "./commands/seal.js";
import { registerSnapshot } from "./commands/snapshot.js";
import { registerSnapshots } from "./commands/snapshots.js";
import { registerVerify } from "./commands/verify.js";
import { withExamples, type Example } from "./examples.js";
import { applySynopses, withUsage } from "./synopsis.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable verify",
    says: "check the example store in place against its release, read-only",
  },
  {
    command: "recoverable drill --source dir:ops/store",
    says: "the whole drill: restore, verify, start the service, probe, sign the report",
  },
  {
    command: "recoverable gate",
    says: "may this release ship: evidence, rollback policy, and a recent signed drill of it",
  },
];

/**
 * A command whose verb group given alone (`recoverable`, `recoverable report`) prints its help on
 * stdout and exits 0, as restic does; commander prints it as an error, which the CLI silences.
 * Subcommands are made by createCommand, so every group of the tree is one of these.
 */
class RecoverableCommand extends Command {
  override createCommand(name?: string): Command {
    return new RecoverableCommand(name);
  }

  override help(context?: HelpContext): never;
  override help(callback: (text: string) => string): never;
  override help(context?: HelpContext | ((text: string) => string)): never {
    // commander's deprecated callback form is handed on unchanged.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (typeof context === "function") return super.help(context);
    return super.help(context?.error === true ? { error: false } : context);
  }
}

export function createProgram(): Command {
  const program = withUsage(
    withExamples(new RecoverableCommand("recoverable"), EXAMPLES),
    "<verb> [options]",
  )
    .description("Prove that a release of a serving store can be recovered.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run the verb with --help for its flags and examples)");
  registerInit(program);
  registerSeal(program);
  registerIdentity(program);
  registerVerify(program);
  registerRestore(program);
  registerSnapshot(program);
  registerSnapshots(program);
  registerDrill(program);
  registerReport(program);
  registerGate(program);
  registerAudit(program);
  registerKeygen(program);
  registerCompletion(program);
  applySynopses(program);
  return program;
}
