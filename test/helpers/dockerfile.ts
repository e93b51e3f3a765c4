// A Dockerfile and its .dockerignore read as Docker reads them, far enough to check them
// without a Docker engine: stages, instructions, COPY sources, and which context paths the
// ignore file lets through.
import picomatch from "picomatch";

export type Instruction = {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
};
export type Stage = {
  readonly base: string;
  readonly name: string | null;
  readonly instructions: Instruction[];
};
export type Dockerfile = {
  /** ARGs declared before the first FROM, with their defaults. */
  readonly globalArgs: Readonly<Record<string, string>>;
  readonly stages: Stage[];
};

/** The instructions of a Dockerfile: comments dropped, backslash continuations joined. */
function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === null && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== null && line.trimStart().startsWith("#")) return;
    const continued = line.endsWith("\\");
    const part = continued ? line.slice(0, -1) : line;
    pending =
      pending === null
        ? { text: part, line: index + 1 }
        : { ...pending, text: `${pending.text} ${part.trim()}` };
    if (!continued) {
      const match = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(pending.text);
      if (match === null) throw new Error(`Dockerfile line ${pending.line}: not an instruction`);
      found.push({
        keyword: (match[1] ?? "").toUpperCase(),
        args: (match[2] ?? "").trim(),
        line: pending.line,
      });
      pending = null;
    }
  });
  return found;
}

/** `${NAME}` and `$NAME` from `args`; an unknown name is left as it is. */
export function substitute(text: string, args: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (whole, a?: string, b?: string) => {
    const value = args[a ?? b ?? ""];
    return value ?? whole;
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === "FROM") {
      const [base, as, name] = substitute(instruction.args, globalArgs).split(/\s+/);
      if (as !== undefined && as.toUpperCase() !== "AS")
        throw new Error(`Dockerfile line ${instruction.line}: FROM <image> [AS <name>]`);
      stages.push({ base: base ?? "", name: name ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== "ARG")
        throw new Error(`Dockerfile line ${instruction.line}: only ARG may come before FROM`);
      const [name, value] = instruction.args.split("=", 2);
      globalArgs[name ?? ""] = (value ?? "").replace(/^"(.*)"$/, "$1");
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export type Copy = {
  readonly from: string | null;
  readonly sources: string[];
  readonly destination: string;
};

/** A COPY instruction's --from, sources and destination (the shell form). */
export function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.split(/\s+/);
  let from: string | null = null;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift() ?? "";
    if (flag.startsWith("--from=")) from = flag.slice("--from=".length);
  }
  const destination = words.pop();
  if (destination === undefined || words.length === 0)
    throw new Error(`Dockerfile line ${instruction.line}: COPY needs a source and a destination`);
  return { from, sources: words, destination };
}

/** The exec form of ENTRYPOINT or CMD (a JSON array), or null for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | null {
  if (instruction === undefined || !instruction.args.startsWith("[")) return null;
  return JSON.parse(instruction.args) as string[];
}

/**
 * Whether a context path (relative, `/`-separated) is left out of the build context, by
 * Docker's rules: patterns in order, the last one that matches the path or one of its parent
 * directories decides, `!` lets a path back in.
 */
export function createDockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const include = line.startsWith("!");
      const pattern = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
      return { include, match: picomatch(pattern, { dot: true }) };
    });
  return (path) => {
    const parts = path.split("/");
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.match(p))) excluded = !rule.include;
    return excluded;
  };
}
