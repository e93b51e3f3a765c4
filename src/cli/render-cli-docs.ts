// docs/cli.md is hand-written prose around generated blocks: between `<!-- cli:begin <path> -->`
// and `<!-- cli:end <path> -->` stands the reference of one command (usage, description,
// arguments, options, examples) rendered from its commander definition; everything outside the
// blocks is kept as it is. A command without a block gets a new section after the one before it.
import type { Command } from "commander";
import { formatExamples } from "./examples.js";
import { GLOBAL_OPTION_FLAGS, referenceOf, type CommandReference } from "./reference.js";

const PROGRAM = "recoverable";
const BLOCK = /<!-- cli:begin (.+?) -->\n[\s\S]*?<!-- cli:end \1 -->\n/g;

class CLIDocsError extends Error {
  readonly code = "cli_docs_invalid";
}

/** docs/cli.md as it must be: `current` with every generated block rendered again. */
export function renderCLIDocs(program: Command, current: string): string {
  const references = referenceOf(program);
  const keyOf = (reference: CommandReference) => reference.path || PROGRAM;
  const known = new Set(references.map(keyOf));
  for (const match of current.matchAll(BLOCK)) {
    const key = match[1] ?? "";
    if (!known.has(key))
      throw new CLIDocsError(
        `docs/cli.md has a generated block for "${key}", which is not a command of ${PROGRAM}: remove that block (and its section, if the command is gone)`,
      );
  }
  let text = current.replace(BLOCK, (_block, key: string) =>
    renderBlock(references.find((r) => keyOf(r) === key) as CommandReference),
  );
  let previous: string | null = null;
  for (const reference of references) {
    const key = keyOf(reference);
    if (!text.includes(`<!-- cli:begin ${key} -->`))
      text = insertSection(text, reference, previous);
    assertUnderItsHeading(text, reference);
    previous = key;
  }
  return text;
}

function renderBlock(reference: CommandReference): string {
  const key = reference.path || PROGRAM;
  const lines = [
    `<!-- cli:begin ${key} -->`,
    "<!-- Generated from the commander definitions in src/cli by `npm run docs:cli`: edit those, not this block. -->",
    "",
    `    ${reference.usage}`,
    "",
    sentence(reference.description),
    "",
  ];
  if (reference.subcommands.length > 0) {
    lines.push(reference.path === "" ? "| verb | does |" : "| command | does |", "|---|---|");
    for (const sub of reference.subcommands)
      lines.push(`| [\`${sub.path}\`](#${anchorOf(sub.path)}) | ${cell(sub.description)} |`);
    lines.push("");
  }
  if (reference.arguments.length > 0) {
    lines.push("| argument | meaning |", "|---|---|");
    for (const arg of reference.arguments)
      lines.push(`| \`${arg.name}\` | ${cell(arg.description)} |`);
    lines.push("");
  }
  if (reference.options.length > 0 || reference.takesGlobalOptions) {
    lines.push("| option | meaning | default |", "|---|---|---|");
    for (const option of reference.options)
      lines.push(
        `| \`${option.flags}\` | ${cell(option.description)} | ${option.default === null ? "" : cell(option.default)} |`,
      );
    if (reference.takesGlobalOptions)
      lines.push(
        `| ${GLOBAL_OPTION_FLAGS.map((f) => `\`${f}\``).join(", ")} | [as for every verb](#options-every-verb-takes) | |`,
      );
    lines.push("");
  }
  if (reference.examples.length > 0) {
    // The lines of --help's "Examples:" block, as an indented code block.
    const examples = formatExamples(reference.examples).split("\n").slice(1);
    lines.push("Examples, run from the directory that holds `ops/` of the bundled example:", "");
    lines.push(...examples.map((line) => `  ${line}`), "");
  }
  lines.push(`<!-- cli:end ${key} -->`, "");
  return lines.join("\n");
}

/** A new command's section goes after the section of the command before it, else at the end. */
function insertSection(text: string, reference: CommandReference, previous: string | null): string {
  const section = `## ${reference.path}\n\n${renderBlock(reference)}\n`;
  const after = previous === null ? -1 : text.indexOf(`<!-- cli:end ${previous} -->`);
  if (after === -1) return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  const next = text.slice(after).search(/^## /m);
  if (next === -1) return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  return text.slice(0, after + next) + section + text.slice(after + next);
}

function assertUnderItsHeading(text: string, reference: CommandReference): void {
  if (reference.path === "") return;
  const at = text.indexOf(`<!-- cli:begin ${reference.path} -->`);
  const headings = [...text.slice(0, at).matchAll(/^## (.+)$/gm)];
  const heading = headings.at(-1)?.[1];
  if (heading !== reference.path)
    throw new CLIDocsError(
      `docs/cli.md: the generated block of "${reference.path}" stands under "## ${heading ?? "(none)"}"; put it right under "## ${reference.path}"`,
    );
}

/** GitHub's anchor of a heading: lower case, spaces to dashes, punctuation dropped. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return cell(/[.!?]$/.test(capital) ? capital : `${capital}.`);
}

/** Markdown for plain text: code spans kept, and outside them nothing read as HTML or a table. */
function cell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/\|/g, "\\|")
        : part
            .replace(/&/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;")
            .replace(/\|/g, "\\|")
            .replace(/\*/g, "\\*"),
    )
    .join("");
}
