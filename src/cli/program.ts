// The commander program: one registration per verb; actions only call the library and print.
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerAudit } from "./commands/audit.js";
import { registerDrill } from "./commands/drill.js";
import { registerGate } from "./commands/gate.js";
import { registerIdentity } from "./commands/identity.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerReport } from "./commands/report.js";
import { registerRestore } from "./commands/restore.js";
import { registerSeal } from "./commands/seal.js";
import { registerSnapshot } from "./commands/snapshot.js";
import { registerSnapshots } from "./commands/snapshots.js";
import { registerVerify } from "./commands/verify.js";

export function createProgram(): Command {
  const program = new Command("recoverable")
    .description("Prove that a release of a serving store can be recovered.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run the verb with --help for its flags and examples)");
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
  return program;
}
