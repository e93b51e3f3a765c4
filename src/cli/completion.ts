// Shell completion scripts (`recoverable completion bash|zsh|fish`), generated from the
// commander program itself, so a new verb or flag completes without anyone editing a script.
// Each script finds the command path (the verb, and a group's subcommand) in the words typed so
// far, then offers its subcommands, its flags, or the value of the flag before the cursor.
import type { Command, Option } from "commander";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** What a flag's value or a positional argument completes to. */
type Value =
  | { readonly kind: "file" | "dir" | "free" }
  | { readonly kind: "words"; readonly words: readonly string[] };

type Flag = {
  readonly names: readonly string[];
  readonly summary: string;
  /** null for a switch such as --json. */
  readonly value: Value | null;
};

type Node = {
  /** "" for the program, "drill", "report verify". */
  readonly path: string;
  readonly summary: string;
  readonly children: readonly Node[];
  readonly flags: readonly Flag[];
  readonly argument: Value | null;
};

const SOURCE_SCHEMES = ["dir:", "tar:", "snapshot:", "restic:"];

/** What a placeholder (`<file>`, `<src>`, `<envelope>`) stands for. */
function valueOf(placeholder: string): Value {
  const name = placeholder.replace(/[<>[\].]/g, "");
  if (["file", "pub", "envelope", "envelopes"].includes(name)) return { kind: "file" };
  if (["dir", "store"].includes(name)) return { kind: "dir" };
  if (name === "src") return { kind: "words", words: SOURCE_SCHEMES };
  if (name === "shell") return { kind: "words", words: SHELLS };
  return { kind: "free" };
}

/** The first clause of a description, for a one-line hint beside a completion. */
function summarize(text: string): string {
  const clause = text.split(/;| \(/)[0] ?? "";
  return clause.length > 70 ? `${clause.slice(0, 69)}…` : clause;
}

function flagOf(option: Option): Flag {
  const placeholder = /<[^>]+>/.exec(option.flags)?.[0];
  return {
    names: [option.short, option.long].filter((n): n is string => n !== undefined),
    summary: summarize(option.description),
    value: placeholder === undefined ? null : valueOf(placeholder),
  };
}

const HELP: Flag = { names: ["-h", "--help"], summary: "display help for command", value: null };

function nodeOf(command: Command, path: string): Node {
  const argument = command.registeredArguments[0];
  return {
    path,
    summary: summarize(command.description()),
    children: command.commands.map((c) =>
      nodeOf(c, path === "" ? c.name() : `${path} ${c.name()}`),
    ),
    flags: [...command.options.map(flagOf), HELP],
    argument: argument === undefined ? null : valueOf(argument.name()),
  };
}

function allNodes(node: Node): Node[] {
  return [node, ...node.children.flatMap(allNodes)];
}

const nameOf = (node: Node) => node.path.split(" ").at(-1) ?? "";
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Every (path, flag) whose value completes to `kind`, as `"path|--flag"` case patterns. */
function flagCases(root: Node, test: (value: Value) => boolean): string[] {
  return allNodes(root).flatMap((node) =>
    node.flags
      .filter((flag) => flag.value !== null && test(flag.value))
      .flatMap((flag) => flag.names.map((name) => `"${node.path}|${name}"`)),
  );
}

/** `case "$cmd/$word" in ...` lines that move the command path one word down. */
function pathCases(root: Node, indent: string, open = "", close = ""): string[] {
  return allNodes(root).flatMap((node) =>
    node.children.map(
      (c) => `${indent}${open}"${node.path}/${nameOf(c)}"${close}) cmd="${c.path}" ;;`,
    ),
  );
}

function wordsValues(root: Node): Map<string, readonly string[]> {
  const values = new Map<string, readonly string[]>();
  for (const node of allNodes(root))
    for (const flag of node.flags)
      if (flag.value?.kind === "words")
        for (const name of flag.names) values.set(`"${node.path}|${name}"`, flag.value.words);
  return values;
}

function bashScript(root: Node): string {
  const lines = [
    "# recoverable completion for bash. Load it in this shell, or from ~/.bashrc, with",
    "#   source <(recoverable completion bash)",
    "# or save it as ~/.local/share/bash-completion/completions/recoverable.",
    "_recoverable() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" word i',
    "  for ((i = 1; i < COMP_CWORD; i++)); do",
    '    word="${COMP_WORDS[i]}"',
    '    case "$cmd/$word" in',
    ...pathCases(root, "      "),
    "    esac",
    "  done",
    "  COMPREPLY=()",
    '  case "$cmd|$prev" in',
  ];
  for (const [pattern, words] of wordsValues(root))
    lines.push(
      `    ${pattern}) COMPREPLY=($(compgen -W "${words.join(" ")}" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;`,
    );
  const files = flagCases(root, (v) => v.kind === "file");
  const dirs = flagCases(root, (v) => v.kind === "dir");
  const free = flagCases(root, (v) => v.kind === "free");
  lines.push(
    `    ${files.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;`,
    `    ${dirs.join("|")}) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;`,
    `    ${free.join("|")}) return ;;`,
    "  esac",
    '  if [[ "$cur" == -* ]]; then',
    '    case "$cmd" in',
    ...allNodes(root).map(
      (n) =>
        `      "${n.path}") COMPREPLY=($(compgen -W "${n.flags.flatMap((f) => f.names).join(" ")}" -- "$cur")) ;;`,
    ),
    "    esac",
    "    return",
    "  fi",
    '  case "$cmd" in',
  );
  for (const node of allNodes(root)) {
    const body =
      node.children.length > 0
        ? `COMPREPLY=($(compgen -W "${node.children.map(nameOf).join(" ")}" -- "$cur"))`
        : node.argument?.kind === "file"
          ? 'COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null'
          : node.argument?.kind === "words"
            ? `COMPREPLY=($(compgen -W "${node.argument.words.join(" ")}" -- "$cur"))`
            : null;
    if (body !== null) lines.push(`    "${node.path}") ${body} ;;`);
  }
  lines.push("  esac", "}", "complete -F _recoverable recoverable", "");
  return lines.join("\n");
}

function zshScript(root: Node): string {
  const describe = (items: string[], tag: string) =>
    `local -a items; items=(${items.join(" ")}); _describe -t ${tag}s ${tag} items`;
  const lines = [
    "#compdef recoverable",
    "# recoverable completion for zsh. Load it after compinit, in this shell or ~/.zshrc, with",
    "#   source <(recoverable completion zsh)",
    "# or save it as _recoverable in a directory of $fpath.",
    "_recoverable() {",
    '  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" cmd="" word i',
    "  for ((i = 2; i < CURRENT; i++)); do",
    '    word="${words[i]}"',
    '    case "$cmd/$word" in',
    ...pathCases(root, "      ", "(", ""),
    "    esac",
    "  done",
    '  case "$cmd|$prev" in',
  ];
  for (const [pattern, words] of wordsValues(root))
    lines.push(`    (${pattern}) compadd -S '' -- ${words.join(" ")}; return ;;`);
  lines.push(
    `    (${flagCases(root, (v) => v.kind === "file").join("|")}) _files; return ;;`,
    `    (${flagCases(root, (v) => v.kind === "dir").join("|")}) _files -/; return ;;`,
    `    (${flagCases(root, (v) => v.kind === "free").join("|")}) return 1 ;;`,
    "  esac",
    '  if [[ "$cur" == -* ]]; then',
    '    case "$cmd" in',
    ...allNodes(root).map(
      (n) =>
        `      ("${n.path}") ${describe(
          n.flags.flatMap((f) => f.names.map((name) => quote(`${name}:${f.summary}`))),
          "option",
        )} ;;`,
    ),
    "    esac",
    "    return",
    "  fi",
    '  case "$cmd" in',
  );
  for (const node of allNodes(root)) {
    const body =
      node.children.length > 0
        ? describe(
            node.children.map((c) => quote(`${nameOf(c)}:${c.summary}`)),
            node.path === "" ? "verb" : "command",
          )
        : node.argument?.kind === "file"
          ? "_files"
          : node.argument?.kind === "words"
            ? `compadd -- ${node.argument.words.join(" ")}`
            : null;
    if (body !== null) lines.push(`    ("${node.path}") ${body} ;;`);
  }
  lines.push(
    "  esac",
    "}",
    "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then",
    '  _recoverable "$@"',
    "else",
    "  compdef _recoverable recoverable",
    "fi",
    "",
  );
  return lines.join("\n");
}

function fishScript(root: Node): string {
  const lines = [
    "# recoverable completion for fish. Load it in this shell with",
    "#   recoverable completion fish | source",
    "# or save it as ~/.config/fish/completions/recoverable.fish.",
    "function __recoverable_path",
    "    set -l cmd ''",
    "    for word in (commandline -opc)[2..-1]",
    '        switch "$cmd/$word"',
    ...allNodes(root).flatMap((node) =>
      node.children.map(
        (c) => `            case '${node.path}/${nameOf(c)}'\n                set cmd '${c.path}'`,
      ),
    ),
    "        end",
    "    end",
    '    echo "$cmd"',
    "end",
    "function __recoverable_at",
    "    set -l cmd (__recoverable_path)",
    '    test "$cmd" = "$argv[1]"',
    "end",
    "complete -c recoverable -f",
  ];
  for (const node of allNodes(root)) {
    const at = `-n ${quote(`__recoverable_at ${quote(node.path)}`)}`;
    for (const child of node.children)
      lines.push(`complete -c recoverable ${at} -a ${nameOf(child)} -d ${quote(child.summary)}`);
    for (const flag of node.flags) {
      const names = flag.names
        .map((n) => (n.startsWith("--") ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`))
        .join(" ");
      const value =
        flag.value === null
          ? ""
          : flag.value.kind === "file" || flag.value.kind === "dir"
            ? " -r -F"
            : flag.value.kind === "words"
              ? ` -x -a ${quote(flag.value.words.join(" "))}`
              : " -x";
      lines.push(`complete -c recoverable ${at} ${names}${value} -d ${quote(flag.summary)}`);
    }
    if (node.children.length === 0 && node.argument?.kind === "file")
      lines.push(`complete -c recoverable ${at} -F`);
    if (node.children.length === 0 && node.argument?.kind === "words")
      lines.push(`complete -c recoverable ${at} -a ${quote(node.argument.words.join(" "))}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The completion script of `program` for `shell`. */
export function completionScript(program: Command, shell: Shell): string {
  const root = nodeOf(program, "");
  switch (shell) {
    case "bash":
      return bashScript(root);
    case "zsh":
      return zshScript(root);
    case "fish":
      return fishScript(root);
  }
}
