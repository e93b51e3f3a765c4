import type { Command } from "commander";

/** The options of DESIGN.md that every verb takes. */
export type GlobalFlags = {
  readonly config?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
};

export function withGlobalOptions(command: Command): Command {
  return command
    .option(
      "-C, --config <file>",
      "the drill config (default: the file $RECOVERABLE_CONFIG names, else ops/drill.json in this directory or the nearest one above it that has one)",
    )
    .option("--json", "print exactly one JSON result object on stdout")
    .option("--no-progress", "no progress bars (also off when stderr is not a TTY or CI is set)");
}
