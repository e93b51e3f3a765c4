// The "Usage:" line of every command says what must be given: its arguments and its required
// options, then [options]; commander's default ("[options] <id>") hides the required options.
import type { Command } from "commander";

const CUSTOM = new WeakSet<Command>();

/** Sets a usage line written by hand (for commands with two forms, such as drill). */
export function withUsage(command: Command, usage: string): Command {
  CUSTOM.add(command);
  return command.usage(usage);
}

/** Arguments, then required options, then [options]: `<envelope> --key <pub> [options]`. */
function synopsisOf(command: Command): string {
  const args = command.registeredArguments.map((arg) => {
    const name = `${arg.name()}${arg.variadic ? "..." : ""}`;
    return arg.required ? `<${name}>` : `[${name}]`;
  });
  const required = command.options
    .filter((option) => option.mandatory)
    .map((option) => option.flags.replace(/^-\w, /, ""));
  const rest = command.commands.length > 0 ? ["<command>", "[options]"] : ["[options]"];
  return [...args, ...required, ...rest].join(" ");
}

/** Gives every command of the tree below `program` its synopsis, unless it has a custom one. */
export function applySynopses(program: Command): void {
  for (const command of program.commands) {
    if (!CUSTOM.has(command)) command.usage(synopsisOf(command));
    applySynopses(command);
  }
}
