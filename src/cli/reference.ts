// The reference of every command, read from the commander definitions themselves, so that
// docs/cli.md (scripts/render-cli-docs.mjs) says exactly what --help says.
import { Command, type Option } from "commander";
import { withGlobalOptions } from "./common-options.js";
import { examplesOf, type Example } from "./examples.js";

export type OptionReference = {
  readonly flags: string;
  readonly description: string;
  /** The default, from commander or from the "(default ...)" the description ends a clause with. */
  readonly default: string | null;
};

export type CommandReference = {
  /** "snapshots prune"; "" for the program itself. */
  readonly path: string;
  /** The usage line as --help prints it, after "Usage: ". */
  readonly usage: string;
  readonly description: string;
  readonly arguments: readonly { readonly name: string; readonly description: string }[];
  /** The command's own options: not --help, not the options every verb takes. */
  readonly options: readonly OptionReference[];
  /** Whether it takes -C, --json and --no-progress. */
  readonly takesGlobalOptions: boolean;
  readonly subcommands: readonly { readonly path: string; readonly description: string }[];
  readonly examples: readonly Example[];
};

/** The flags of the options every verb takes, as common-options.ts defines them. */
export const GLOBAL_OPTION_FLAGS: readonly string[] = withGlobalOptions(new Command()).options.map(
  (option) => option.flags,
);

/** Every command of the program, depth first in the order they were registered, program first. */
export function referenceOf(program: Command): CommandReference[] {
  const all: CommandReference[] = [];
  const visit = (command: Command, path: string): void => {
    all.push(referenceOfCommand(command, path));
    for (const sub of command.commands)
      visit(sub, path === "" ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, "");
  return all;
}

function referenceOfCommand(command: Command, path: string): CommandReference {
  const names = [...ancestry(command)].map((c) => c.name()).join(" ");
  const flags = command.options.map((option) => option.flags);
  return {
    path,
    usage: `${names} ${command.usage()}`,
    description: command.description(),
    arguments: command.registeredArguments.map((arg) => ({
      name: `<${arg.name()}${arg.variadic ? "..." : ""}>`,
      description: arg.description,
    })),
    options: command.options
      .filter((option) => !GLOBAL_OPTION_FLAGS.includes(option.flags))
      .map(referenceOfOption),
    takesGlobalOptions: GLOBAL_OPTION_FLAGS.every((flag) => flags.includes(flag)),
    subcommands: command.commands.map((sub) => ({
      path: path === "" ? sub.name() : `${path} ${sub.name()}`,
      description: sub.description(),
    })),
    examples: examplesOf(command),
  };
}

function* ancestry(command: Command): Generator<Command> {
  if (command.parent) yield* ancestry(command.parent);
  yield command;
}

// "the store root (default: store.root of the drill config)": one level of nested parentheses.
const DEFAULT_CLAUSE = /\s*\(default:? ((?:[^()]|\([^()]*\))*)\)/;

function referenceOfOption(option: Option): OptionReference {
  let description = option.description;
  let fallback: string | null = null;
  const clause = DEFAULT_CLAUSE.exec(description);
  if (clause) {
    description = description.replace(clause[0], "");
    fallback = clause[1] ?? null;
  }
  if (option.argChoices) description += ` (one of: ${option.argChoices.join(", ")})`;
  const declared =
    option.defaultValueDescription ??
    (option.defaultValue === undefined ? null : JSON.stringify(option.defaultValue));
  return { flags: option.flags, description, default: declared ?? fallback };
}
