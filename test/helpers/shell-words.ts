// The command lines of the deployment examples (workflow steps, container args, systemd
// ExecStart), read as sh reads them, far enough to run them: words with their quotes removed,
// $VAR, ${VAR} and $(...) expanded through the test's own tables, and operators (&&, ||, |, ;,
// >, >>) ending a command. No globbing and no word splitting of expansions: the examples
// quote what they expand.

export type Expansions = {
  /** The value of $NAME or ${NAME}; throw for a name the test does not know. */
  readonly variable: (name: string) => string;
  /** The output of $(text); throw for a command the test does not know. */
  readonly command: (text: string) => string;
};

/** One simple command: its words, and the operator that ended it (null at the end). */
export type SimpleCommand = { readonly words: string[]; readonly operator: string | null };

const OPERATORS = ["&&", "||", ">>", "|", ";", ">", "<"];

/** `$(`...`)` from `start` (at the `$`), nested parentheses counted: [inner text, end index]. */
function commandSubstitution(line: string, start: number): [string, number] {
  let depth = 0;
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === "(") depth++;
    else if (line[i] === ")" && --depth === 0) return [line.slice(start + 2, i), i + 1];
  }
  throw new Error(`unclosed $( in: ${line}`);
}

/** An expansion at `i` (a `$`): its value and the index after it. */
function expansion(line: string, i: number, expand: Expansions): [string, number] {
  if (line[i + 1] === "(") {
    const [inner, end] = commandSubstitution(line, i);
    return [expand.command(inner), end];
  }
  if (line[i + 1] === "{") {
    const end = line.indexOf("}", i);
    if (end < 0) throw new Error(`unclosed \${ in: ${line}`);
    return [expand.variable(line.slice(i + 2, end)), end + 1];
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1))?.[0];
  if (name === undefined) return ["$", i + 1];
  return [expand.variable(name), i + 1 + name.length];
}

/** Every simple command of one line (backslash-newline continuations already joined). */
export function shellCommands(line: string, expand: Expansions): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  while (i < line.length) {
    const c = line[i] ?? "";
    const operator = OPERATORS.find((op) => line.startsWith(op, i));
    if (operator !== undefined) {
      endWord();
      commands.push({ words, operator });
      words = [];
      i += operator.length;
    } else if (c === "#" && word === null) {
      break;
    } else if (/\s/.test(c)) {
      endWord();
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word ??= "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && /["\\$`]/.test(line[i + 1] ?? "")) {
          word += line[i + 1] ?? "";
          i += 2;
        } else if (line[i] === "$") {
          const [value, next] = expansion(line, i, expand);
          word += value;
          i = next;
        } else {
          word += line[i] ?? "";
          i++;
        }
      }
      if (i >= line.length) throw new Error(`unclosed " in: ${line}`);
      i++;
    } else if (c === "\\") {
      word = (word ?? "") + (line[i + 1] ?? "");
      i += 2;
    } else if (c === "$") {
      const [value, next] = expansion(line, i, expand);
      word = (word ?? "") + value;
      i = next;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  endWord();
  if (words.length > 0) commands.push({ words, operator: null });
  return commands;
}

/** The logical lines of a script: backslash-newline continuations joined. */
export function logicalLines(script: string): string[] {
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/**
 * The arguments of each `recoverable` invocation in a script: `recoverable ...`,
 * `npx recoverable ...`, `exec recoverable ...` or a path ending in /recoverable.
 */
export function recoverableInvocations(script: string, expand: Expansions): string[][] {
  const found: string[][] = [];
  for (const line of logicalLines(script))
    for (const { words } of shellCommands(line, expand)) {
      const start = words.findIndex((w) => w === "recoverable" || w.endsWith("/recoverable"));
      const before = words.slice(0, Math.max(0, start));
      if (start >= 0 && before.every((w) => w === "npx" || w === "exec"))
        found.push(words.slice(start + 1));
    }
  return found;
}
