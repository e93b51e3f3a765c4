import type { Command } from "commander";
import { createFinding } from "../../findings/finding.js";
import { createResult, NO_RELEASE } from "../../verbs/result.js";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { completionScript, SHELLS, type Shell } from "../completion.js";
import { withExamples, type Example } from "../examples.js";
import { emit } from "../output.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable completion bash > ~/.local/share/bash-completion/completions/recoverable",
    says: "complete verbs and flags in new bash shells (bash-completion loads it); or put `source <(recoverable completion bash)` in ~/.bashrc",
  },
  {
    command: "recoverable completion zsh > ~/.zfunc/_recoverable",
    says: "the same for zsh, with `fpath+=(~/.zfunc)` before `compinit` in ~/.zshrc",
  },
  {
    command: "recoverable completion fish > ~/.config/fish/completions/recoverable.fish",
    says: "the same for fish, which loads it in new shells",
  },
];

function isShell(text: string): text is Shell {
  return (SHELLS as readonly string[]).includes(text);
}

export function registerCompletion(program: Command): void {
  withExamples(
    withGlobalOptions(program.command("completion").argument("<shell>", SHELLS.join(", "))),
    EXAMPLES,
  )
    .description("print the shell completion script of recoverable for bash, zsh or fish")
    .action((shell: string, flags: GlobalFlags) => {
      const script = isShell(shell) ? completionScript(program, shell) : null;
      const findings =
        script === null
          ? [
              createFinding("usage_invalid", {
                subject: "<shell>",
                expected: SHELLS.join(", "),
                actual: shell,
                message: `no completion for the shell ${JSON.stringify(shell)}: bash, zsh and fish have one`,
              }),
            ]
          : [];
      const result = createResult("completion", findings, NO_RELEASE, { shell, script });
      // The script is stdout's, as the shells read it; --json wraps it in the result.
      if (script === null || flags.json) emit(result, flags);
      else process.stdout.write(script);
    });
}
