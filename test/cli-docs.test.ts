// docs/cli.md is rendered from the commander definitions, and says what --help says.
import { readdirSync, readFileSync } from "node:fs";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { withExamples } from "../src/cli/examples.js";
import { createProgram } from "../src/cli/program.js";
import { referenceOf } from "../src/cli/reference.js";
import { renderCLIDocs } from "../src/cli/render-cli-docs.js";
import { runCLI } from "./helpers/cli.js";
import { commandLinesIn, invocationsIn, problemsOf } from "./helpers/command-lines.js";

const REPO = new URL("..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, REPO), "utf8");
const CLI_MD = read("docs/cli.md");

type Block = { key: string; text: string; flags: string[]; examples: string[] };

/** The generated blocks of docs/cli.md, read back from the Markdown as a reader sees them. */
function blocksOf(markdown: string): Block[] {
  return [...markdown.matchAll(/<!-- cli:begin (.+?) -->\n([\s\S]*?)<!-- cli:end \1 -->/g)].map(
    ([, key = "", text = ""]) => {
      const flags: string[] = [];
      let inOptions = false;
      for (const line of text.split("\n")) {
        if (line.startsWith("| option |")) inOptions = true;
        else if (!line.startsWith("|")) inOptions = false;
        else if (inOptions && !line.startsWith("|---")) {
          const first = line.split(" | ")[0] ?? "";
          for (const [, flag = ""] of first.matchAll(/`([^`]+)`/g)) flags.push(flag);
        }
      }
      const examplesAt = text.indexOf("\nExamples");
      const examples =
        examplesAt === -1
          ? []
          : text
              .slice(examplesAt)
              .split("\n")
              .filter((line) => line.startsWith("    "))
              .map((line) => line.slice(2));
      return { key, text, flags, examples };
    },
  );
}

describe("docs/cli.md", () => {
  const blocks = blocksOf(CLI_MD);

  it("is exactly what the commander definitions render (run `npm run docs:cli` after a change)", () => {
    expect(CLI_MD).toBe(renderCLIDocs(createProgram(), CLI_MD));
  });

  it("has a generated block for the program and for every verb and subcommand", () => {
    const paths = referenceOf(createProgram()).map((r) => r.path || "recoverable");
    expect(blocks.map((b) => b.key).sort()).toEqual([...paths].sort());
    expect(paths).toEqual(expect.arrayContaining(["seal", "snapshots prune", "report merge"]));
  });

  it("matches --help for every verb: `recoverable <verb> --help`, run for real, shows every flag and every example the page lists for it", () => {
    for (const block of blocks) {
      const args = block.key === "recoverable" ? ["--help"] : [...block.key.split(" "), "--help"];
      const help = runCLI(args);
      expect(help.code, block.key).toBe(0);
      const lines = help.stdout.split("\n");
      for (const flag of block.flags) expect(help.stdout, `${block.key}: ${flag}`).toContain(flag);
      expect(block.examples.length, `${block.key} has examples`).toBeGreaterThanOrEqual(2);
      for (const example of block.examples) expect(lines, block.key).toContain(example);
      const usage = /^ {4}(recoverable .*)$/m.exec(block.text)?.[1];
      expect(help.stdout, block.key).toContain(`Usage: ${String(usage)}`);
    }
  });

  it("gives every verb and subcommand a description and two or three examples that start with `recoverable`", () => {
    for (const reference of referenceOf(createProgram())) {
      const name = reference.path || "recoverable";
      expect(reference.description.length, name).toBeGreaterThan(15);
      expect(reference.examples.length, name).toBeGreaterThanOrEqual(2);
      expect(reference.examples.length, name).toBeLessThanOrEqual(3);
      for (const example of reference.examples) {
        expect(example.says.length, example.command).toBeGreaterThan(10);
        const invocations = invocationsIn(example.command);
        expect(invocations.length, example.command).toBeGreaterThan(0);
        for (const args of invocations)
          expect(problemsOf(createProgram(), args), example.command).toEqual([]);
      }
    }
  });

  it("names, in the hand-written flag tables of a verb's section, only flags that verb takes", () => {
    const program = createProgram();
    const sections = CLI_MD.split(/^## /m).slice(1);
    let checked = 0;
    for (const section of sections) {
      const heading = section.slice(0, section.indexOf("\n"));
      const path = heading.split(" ");
      let command: Command | undefined = program;
      for (const name of path) command = command?.commands.find((c) => c.name() === name);
      if (!command) continue;
      let inFlags = false;
      for (const line of section.split("\n")) {
        if (/^\| flag \|/.test(line)) inFlags = true;
        else if (!line.startsWith("|")) inFlags = false;
        else if (inFlags && !line.startsWith("|---")) {
          const first = line.split(" | ")[0] ?? "";
          for (const [, flag = ""] of first.matchAll(/`(--[a-z][a-z-]*|-[A-Za-z](?![a-z-]))/g)) {
            checked++;
            const known = command.options.some((o) => o.long === flag || o.short === flag);
            expect(known, `## ${heading}: ${flag}`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe("renderCLIDocs", () => {
  const program = () => {
    const p = new Command("recoverable").description("the program");
    withExamples(p, [
      { command: "recoverable one", says: "run one" },
      { command: "recoverable two --fast", says: "run two, fast" },
    ]);
    p.command("one")
      .description("does one thing")
      .option("--root <store>", "a <dir> | x (default ./x)");
    p.command("two").description("does `two` things").option("--fast", "go fast");
    return p;
  };

  it("fills each block from the definitions and keeps the prose around it as written", () => {
    const page =
      "# CLI\n\n<!-- cli:begin recoverable -->\nold\n<!-- cli:end recoverable -->\n\nIntro prose.\n\n## one\n\n<!-- cli:begin one -->\n<!-- cli:end one -->\n\nProse about one.\n\n## two\n\n<!-- cli:begin two -->\n<!-- cli:end two -->\n\nProse about two.\n";
    const rendered = renderCLIDocs(program(), page);
    expect(rendered).toContain("Intro prose.\n");
    expect(rendered).toContain("Prose about one.\n");
    expect(rendered).not.toContain("\nold\n");
    expect(rendered).toContain("| `--root <store>` | a &lt;dir&gt; \\| x | ./x |");
    expect(rendered).toContain("Does `two` things.");
    expect(rendered).toContain("    $ recoverable two --fast\n        run two, fast\n");
    expect(rendered).toContain("| [`one`](#one) | does one thing |");
    expect(renderCLIDocs(program(), rendered)).toBe(rendered);
  });

  it("adds a section for a command without a block, right after the section of the one before it", () => {
    const page =
      "# CLI\n\n<!-- cli:begin recoverable -->\n<!-- cli:end recoverable -->\n\n## one\n\n<!-- cli:begin one -->\n<!-- cli:end one -->\n\nProse about one.\n\n## Sources\n\nProse about sources.\n";
    const rendered = renderCLIDocs(program(), page);
    expect(rendered).toMatch(
      /Prose about one\.\n\n## two\n\n<!-- cli:begin two -->[\s\S]*<!-- cli:end two -->\n\n## Sources\n/,
    );
  });

  it("refuses a block of a command that does not exist, and a block under another verb's heading", () => {
    expect(() =>
      renderCLIDocs(program(), "<!-- cli:begin three -->\n<!-- cli:end three -->\n"),
    ).toThrow(/"three", which is not a command of recoverable/);
    expect(() =>
      renderCLIDocs(
        program(),
        "<!-- cli:begin recoverable -->\n<!-- cli:end recoverable -->\n## two\n\n<!-- cli:begin one -->\n<!-- cli:end one -->\n",
      ),
    ).toThrow(/block of "one" stands under "## two"/);
  });
});

describe("recoverable command lines in the documentation", () => {
  const pages = [
    "README.md",
    ...readdirSync(new URL("docs", REPO), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".md"))
      .map((file) => `docs/${file}`),
  ];

  it("use only verbs and flags that exist", () => {
    const program = createProgram();
    const problems: string[] = [];
    let checked = 0;
    for (const page of pages) {
      for (const line of commandLinesIn(read(page), page)) {
        for (const args of invocationsIn(line.text)) {
          checked++;
          for (const problem of problemsOf(program, args))
            problems.push(`${line.where}: ${problem}: ${line.text}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it("are found and judged: an unknown verb, subcommand or flag is named", () => {
    const program = createProgram();
    const page =
      "Run `recoverable verify --strcit`, `recoverable <verb> --help`, `recoverable restore --source <src> --target <base dir> --frce`.\n\n    $ recoverable snapshots lsit --repo r\n    ✔ PROVEN  recoverable verify --output ignored\n\n```sh\n# a comment: recoverable drill --nope\nRELEASE=$(recoverable identity --json --bogus | jq -r .x) \\\n  recoverable gate --report r.json --treshold 2\n```\n";
    const lines = commandLinesIn(page, "page.md");
    const problems = lines.flatMap((line) =>
      invocationsIn(line.text).flatMap((args) => problemsOf(program, args)),
    );
    expect(problems).toEqual([
      '--strcit is not an option of "recoverable verify"',
      '--frce is not an option of "recoverable restore"',
      '"snapshots lsit" is not a command of recoverable',
      '--bogus is not an option of "recoverable identity"',
      '--treshold is not an option of "recoverable gate"',
    ]);
  });
});
