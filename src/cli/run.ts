// The recoverable command line, run by main.ts once the heap is tuned. See docs/cli.md and
// DESIGN.md "The command line: the contract".
import { CommanderError } from "commander";
import { currentRunScope, interruptionOf } from "../util/run-scope.js";
import { handleInterrupt, handleUnexpectedError, handleUsageError } from "./boundary.js";
import { createProgram } from "./program.js";

async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  // Usage errors become results (exit 2, and JSON with --json) instead of commander's exit(1).
  const commands = program.commands.flatMap((command) => [command, ...command.commands]);
  program.exitOverride();
  for (const command of commands) command.exitOverride();
  // Commander's own error text is replaced by the finding the boundary prints.
  program.configureOutput({ writeErr: () => undefined });
  for (const command of commands) command.configureOutput({ writeErr: () => undefined });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        process.exitCode = 0;
        return;
      }
      handleUsageError(argv, error);
      return;
    }
    handleUnexpectedError(argv, error);
  }
}

/**
 * Runs one command line; the exit code is left in process.exitCode, except after an
 * interruption, when the process ends here (see src/util/run-scope.ts).
 */
export async function runCLI(argv: readonly string[]): Promise<void> {
  // A reader that stops early (`| head`, quitting `less`) is not a failure: the rest of the
  // output is dropped instead of dying on EPIPE with a stack trace. The exit code stays the verb's.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  const scope = currentRunScope();
  scope?.reportWith((signal) => handleInterrupt(argv, signal));
  // A signal while the command line was loading: the run ends before its verb begins.
  const early = scope === null ? null : interruptionOf(scope.signal);
  if (scope !== null && early !== null && early !== "aborted") scope.exitNow(early);
  await main(argv);
  // An interrupted verb has reported; work it gave up may still be running, so the run ends
  // now, and the exit cleanups remove what that work may have left.
  if (scope?.signal.aborted) process.exit(process.exitCode);
}
