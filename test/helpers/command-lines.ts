// Finds the `recoverable ...` command lines of a Markdown page and checks them against the
// commander program: the verb exists and every flag is one it takes. Docs cannot then show a
// command that the CLI would refuse as a usage error.
import type { Command } from "commander";

export type CommandLine = {
  /** Where it was found, for the failure message: "docs/runbooks/ci-drill.md:42". */
  readonly where: string;
  readonly text: string;
};

const SHELL_FENCES = /^(sh|bash|shell)$/;

/**
 * The shell lines of a page that may run recoverable: every line of a fenced sh/bash/shell
 * block but comments, the `$ ` lines of other code blocks and their lines that start with
 * `recoverable` (the rest is output), and inline code spans that
 * start with `recoverable ` or `npx recoverable `. Lines ending in a backslash are joined.
 */
export function commandLinesIn(markdown: string, file: string): CommandLine[] {
  const found: CommandLine[] = [];
  const lines = markdown.split("\n");
  let fence: string | null = null;
  const carried: { line: { where: string; text: string } | null } = { line: null };
  const push = (where: string, text: string) => {
    const joined = carried.line ? `${carried.line.text} ${text.trim()}` : text.trim();
    const at = carried.line?.where ?? where;
    if (joined.endsWith("\\")) carried.line = { where: at, text: joined.slice(0, -1).trimEnd() };
    else {
      carried.line = null;
      found.push({ where: at, text: joined });
    }
  };
  for (const [index, line] of lines.entries()) {
    const where = `${file}:${index + 1}`;
    const opening = /^\s*```(\S*)/.exec(line);
    const prompt = /^\s*\$ (.*)$/.exec(line);
    const indented = /^ {4,}(?:\$ (.*)|((?:[A-Z_]+=\S+ )*(?:npx )?recoverable .*))$/.exec(line);
    if (opening) fence = fence === null ? (opening[1] ?? "") : null;
    else if (carried.line) push(where, line);
    else if (fence !== null && prompt) push(where, prompt[1] ?? "");
    else if (fence !== null) {
      if (SHELL_FENCES.test(fence) && !/^\s*(#|$)/.test(line)) push(where, line);
    } else if (indented) push(where, indented[1] ?? indented[2] ?? "");
    else
      for (const span of line.matchAll(/`((?:npx )?recoverable [^`]+)`/g))
        found.push({ where, text: span[1] ?? "" });
  }
  return found;
}

/** Splits a shell line into words and operators; `$(...)` and quotes stay inside one word. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let i = 0;
  const flush = () => {
    if (word !== "") words.push(word);
    word = "";
  };
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === "#" && word === "") break;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      const stop = end === -1 ? line.length : end;
      word += line.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === "$" && line.charAt(i + 1) === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < line.length; j++) {
        if (line.charAt(j) === "(") depth++;
        if (line.charAt(j) === ")" && --depth === 0) break;
      }
      word += line.slice(i, j + 1);
      i = j + 1;
    } else if (c === "<" && /^<[A-Za-z][^<>]*>/.test(line.slice(i))) {
      // A placeholder such as <src> or <base URL>, not a redirection.
      const end = line.indexOf(">", i);
      word += line.slice(i, end + 1);
      i = end + 1;
    } else if (/\s/.test(c)) {
      flush();
      i++;
    } else if (/[|;&<>]/.test(c)) {
      flush();
      const operator = /^(\|\||&&|>>|[|;&<>])/.exec(line.slice(i))?.[0] ?? c;
      words.push(operator);
      i += operator.length;
    } else {
      word += c;
      i++;
    }
  }
  flush();
  return words;
}

/** The arguments after `recoverable` of every invocation in a shell line, nested ones too. */
export function invocationsIn(line: string): string[][] {
  const invocations: string[][] = [];
  const words = shellWords(line);
  for (const word of words) {
    for (const inner of word.matchAll(/\$\((.*)\)/g))
      invocations.push(...invocationsIn(inner[1] ?? ""));
  }
  let simple: string[] = [];
  const finish = () => {
    let start = 0;
    while (/^[A-Z_][A-Z0-9_]*=/.test(simple[start] ?? "")) start++;
    if (simple[start] === "npx") start++;
    if (simple[start] === "recoverable") invocations.push(simple.slice(start + 1));
    simple = [];
  };
  for (const word of words) {
    if (/^(\|\||&&|>>|[|;&<>])$/.test(word)) finish();
    else simple.push(word);
  }
  finish();
  return invocations;
}

/** What is wrong with `recoverable <args>`: an unknown verb or a flag the verb does not take. */
export function problemsOf(program: Command, args: readonly string[]): string[] {
  const tokens = args
    .map((t) => t.replace(/^[[(]+/, "").replace(/[\])]+$|\.\.\.$/g, ""))
    .filter((t) => t !== "");
  let command = program;
  let i = 0;
  while (command.commands.length > 0 && i < tokens.length && !tokens[i]?.startsWith("-")) {
    const name = tokens[i] ?? "";
    if (name.startsWith("<")) return []; // `recoverable <verb> --help`: any verb
    const sub = command.commands.find((c) => c.name() === name);
    if (!sub) {
      const path = [...(command.name() === "recoverable" ? [] : [command.name()]), name].join(" ");
      return [`"${path}" is not a command of recoverable`];
    }
    command = sub;
    i++;
  }
  const problems: string[] = [];
  for (; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (!/^--?[A-Za-z]/.test(token)) continue;
    const name = token.split("=")[0] ?? token;
    if (name === "--help" || name === "-h") continue;
    const option = command.options.find((o) => o.long === name || o.short === name);
    if (!option) {
      problems.push(`${name} is not an option of "recoverable ${pathOf(command)}"`);
      continue;
    }
    if ((option.required || option.optional) && !token.includes("=")) i++;
  }
  return problems;
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command = command; c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
