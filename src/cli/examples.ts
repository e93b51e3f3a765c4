// Examples that teach: every command's --help ends with real commands on the bundled example,
// each with what it does, and docs/cli.md renders the same list (scripts/render-cli-docs.mjs).
import type { Command } from "commander";

export type Example = {
  /** The whole command line as a user types it, starting with `recoverable` (or VAR=value). */
  readonly command: string;
  /** What it does and why you would run it: one sentence. */
  readonly says: string;
};

const EXAMPLES = new WeakMap<Command, readonly Example[]>();
const WIDTH = 80;
const INDENT = "      ";

/** Adds an "Examples:" block after the command's help and records the examples for the docs. */
export function withExamples(command: Command, examples: readonly Example[]): Command {
  for (const example of examples) {
    if (!/^([A-Z_]+=(\$\([^)]*\)|\S+) )*recoverable /.test(example.command))
      throw new Error(
        `an example of ${command.name()} must start with "recoverable ": ${example.command}`,
      );
    if (example.says.includes("\n"))
      throw new Error(`the explanation of an example must be one line: ${example.says}`);
  }
  EXAMPLES.set(command, examples);
  return command.addHelpText("after", `\n${formatExamples(examples)}`);
}

export function examplesOf(command: Command): readonly Example[] {
  return EXAMPLES.get(command) ?? [];
}

/** The block --help prints: `  $ <command>` then the explanation, wrapped, six spaces in. */
export function formatExamples(examples: readonly Example[]): string {
  const lines = ["Examples:"];
  for (const { command, says } of examples) {
    lines.push(`  $ ${command}`, ...wrap(says, WIDTH - INDENT.length).map((l) => INDENT + l));
  }
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
