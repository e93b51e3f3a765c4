// Outputs quoted in the docs, checked against real runs (test/docs-outputs.test.ts) and
// rewritten from them (`npm run docs:outputs`). A quoted block is marked by an HTML comment
// right before it:
//
//   <!-- output -->                      the block is a transcript: its `$ ` lines are run in
//                                        order and each one's output is the lines after it;
//   <!-- output: <command> -->           the whole block (indented or fenced) is what
//                                        <command> prints;
//   <!-- output                          either form, with lines of its own:
//   setup: <shell>                       run first, its output not shown (repeatable);
//   env: NAME=value                      in the environment of the setup and the commands;
//   cwd: <dir>                           where the commands run (default: the example's copy);
//   stderr: shown                        the quote shows stderr too, as a terminal would;
//   mask: <regex>                        a part that varies between runs, beyond the usual ones
//   -->
//
// Every block of one file runs in one sandbox, in the order of the file, as a reader following
// the page would: a fresh copy of the repository's example (ops/, package.json for `npm start`,
// the build), `recoverable` on PATH, and /tmp/, /srv/ and /backups/ moved into the sandbox.

export type Block = {
  /** Line numbers (0-based) of the block's first and last line, fences included. */
  readonly start: number;
  readonly end: number;
  readonly fenced: boolean;
  /** `output: <command>`: the whole block is its output; null for a transcript. */
  readonly run: string | null;
  readonly setup: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | null;
  /** Whether the quote shows what the commands write to stderr, as a terminal would. */
  readonly stderr: boolean;
  readonly masks: readonly RegExp[];
  /** The block's lines, without the indentation of an indented block. */
  readonly lines: readonly string[];
  /** Where the marker is, for messages: "docs/cli.md:418". */
  readonly where: string;
};

/**
 * One command of a block and the output quoted for it. In a transcript, a command whose output
 * is not quoted (a `$` line right before another, or last) is run for what it does (a copy, an
 * archive, a key), and its output is neither compared nor written.
 */
export type Step = {
  readonly command: string;
  readonly expected: string;
  readonly quoted: boolean;
};

const INDENT = "    ";

/** The marked blocks of a Markdown page, in order. */
export function markedBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const opening = /^<!-- output(?::\s*(.*?))?\s*(-->)?\s*$/.exec(lines[i] ?? "");
    if (opening === null) continue;
    const where = `${file}:${i + 1}`;
    const run = opening[1]?.replace(/\s*-->$/, "") || null;
    const setup: string[] = [];
    const env: Record<string, string> = {};
    let cwd: string | null = null;
    let stderr = false;
    const masks: RegExp[] = [];
    if (opening[2] === undefined) {
      for (i++; i < lines.length && !(lines[i] ?? "").includes("-->"); i++) {
        const option = /^(setup|env|cwd|stderr|mask):\s*(.*)$/.exec(lines[i] ?? "");
        const value = option?.[2] ?? "";
        if (option?.[1] === "setup") setup.push(value);
        else if (option?.[1] === "env")
          env[value.split("=")[0] ?? ""] = value.slice(value.indexOf("=") + 1);
        else if (option?.[1] === "cwd") cwd = value;
        else if (option?.[1] === "stderr" && value === "shown") stderr = true;
        else if (option?.[1] === "mask") masks.push(new RegExp(value, "g"));
        else
          throw new Error(
            `${where}: not setup:, env:, cwd:, stderr: shown or mask: ${lines[i] ?? ""}`,
          );
      }
    }
    let start = i + 1;
    while ((lines[start] ?? "x").trim() === "") start++;
    const fenced = (lines[start] ?? "").startsWith("```");
    let end = start;
    if (fenced) {
      end = start + 1;
      while (end < lines.length && !(lines[end] ?? "").startsWith("```")) end++;
    } else {
      if (!(lines[start] ?? "").startsWith(INDENT))
        throw new Error(`${where}: the marker is not followed by an indented or fenced block`);
      // An indented block goes on across blank lines while indented lines follow.
      for (let next = start + 1; next < lines.length; next++) {
        const line = lines[next] ?? "";
        if (line.startsWith(INDENT)) end = next;
        else if (line.trim() !== "") break;
      }
    }
    const body = fenced ? lines.slice(start + 1, end) : lines.slice(start, end + 1);
    blocks.push({
      start,
      end,
      fenced,
      run,
      setup,
      env,
      cwd,
      stderr,
      masks,
      lines: fenced ? body : body.map((l) => l.slice(INDENT.length)),
      where,
    });
    i = end;
  }
  return blocks;
}

/** A block as the commands to run and what each is quoted as printing. */
export function stepsOf(block: Block): Step[] {
  if (block.run !== null)
    return [{ command: block.run, expected: block.lines.join("\n"), quoted: true }];
  const steps: { command: string; output: string[] }[] = [];
  let continued = false;
  for (const line of block.lines) {
    const last = steps.at(-1);
    if (continued && last !== undefined) {
      last.command = `${last.command}\n${line}`;
      continued = line.endsWith("\\");
    } else if (line.startsWith("$ ")) {
      steps.push({ command: line.slice(2), output: [] });
      continued = line.endsWith("\\");
    } else if (last === undefined) {
      throw new Error(`${block.where}: a transcript starts with a $ line`);
    } else last.output.push(line);
  }
  return steps.map((s) => ({
    command: s.command,
    expected: s.output.join("\n"),
    quoted: s.output.length > 0,
  }));
}

/** The block's text with each step's output replaced by `outputs` (same order as stepsOf). */
export function renderBlock(block: Block, steps: readonly Step[]): string[] {
  const body =
    block.run !== null
      ? (steps[0]?.expected ?? "").split("\n")
      : steps.flatMap((s) => [
          ...s.command.split("\n").map((l, i) => (i === 0 ? `$ ${l}` : l)),
          ...(s.quoted ? s.expected.split("\n") : []),
        ]);
  if (block.fenced) return body;
  return body.map((l) => (l === "" ? "" : `${INDENT}${l}`));
}

/** The page with the blocks' bodies replaced (fences and markers kept). */
export function rewritePage(markdown: string, rendered: ReadonlyMap<Block, string[]>): string {
  const lines = markdown.split("\n");
  const blocks = [...rendered.keys()].sort((a, b) => b.start - a.start);
  for (const block of blocks) {
    const from = block.fenced ? block.start + 1 : block.start;
    const to = block.fenced ? block.end : block.end + 1;
    lines.splice(from, to - from, ...(rendered.get(block) ?? []));
  }
  return lines.join("\n");
}

// What varies between two runs of the same command, masked before comparing. Stable parts
// (counts, sizes, digests of the example, verdicts, findings, messages) are compared exactly.
const USUAL_MASKS: [RegExp, string][] = [
  // RFC 3339 times and the compact times of ids, report folders and safety copies.
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, "<time>"],
  [/\d{8}T\d{6}Z(?:-[0-9a-f]{6,8})?/g, "<stamp>"],
  // Measured durations (1.91s, RTO 2.3s, RPO 3m 7s) and ages (3m 12s ago, 25d 3h old); not the
  // targets and schedules a policy sets ("target 900s", "every 7d").
  [/\b\d+\.\d+s\b/g, "<duration>"],
  [/(?<!target |every )\b\d+[wdhms](?: \d+[wdhms])*(?= ago| old|\)|;|,)/g, "<duration>"],
  [/\b(RPO|RTO) \d+[wdhms](?: \d+[wdhms])*\b/g, "$1 <duration>"],
  [/"(ageSeconds|seenSeconds|durationMs|rtoSeconds|rpoSeconds)": [\d.]+/g, '"$1": <n>'],
  // A key made for this run: its id, whole or cut.
  [/\b(key(?: id)?|keyid|keyId)("?:? "?)[0-9a-f]{12}(?:[0-9a-f]{52}|…)/g, "$1$2<key>"],
  // Temp names chosen at random.
  [/\brecoverable-(drill|pg|restore)-[A-Za-z0-9]{6}\b/g, "recoverable-$1-<random>"],
];

export function normalize(text: string, masks: readonly RegExp[]): string {
  let out = text.replace(/[ \t]+$/gm, "").replace(/\n+$/, "");
  for (const mask of masks) out = out.replace(mask, "<masked>");
  for (const [pattern, replacement] of USUAL_MASKS) out = out.replace(pattern, replacement);
  return out;
}

/** Ids a later command may name (snapshot ids, report folders, key ids), in order of appearance. */
export function identifiersIn(text: string): string[] {
  const found = text.match(/\d{8}T\d{6}Z(?:-[0-9a-f]{6,8})?|\b[0-9a-f]{64}\b/g) ?? [];
  return [...new Set(found)];
}
