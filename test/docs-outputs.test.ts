// The outputs quoted in README.md, docs/cli.md and docs/concepts.md are what the commands print
// now: every block marked `<!-- output -->` (test/helpers/doc-outputs.ts) is run in a sandbox
// holding a fresh copy of the example, and its output compared with the quote, times, durations,
// random ids and key ids masked. A quote that no longer matches fails here;
// `npm run docs:outputs` (RECOVERABLE_UPDATE_DOC_OUTPUTS=1) rewrites every marked block from
// the runs instead.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";
import { cleanEnv } from "./helpers/clean-env.js";
import {
  identifiersIn,
  markedBlocks,
  normalize,
  renderBlock,
  rewritePage,
  stepsOf,
  type Block,
  type Step,
} from "./helpers/doc-outputs.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const UPDATE = process.env["RECOVERABLE_UPDATE_DOC_OUTPUTS"] === "1";
const PAGES = ["README.md", "docs/concepts.md", "docs/cli.md"];
/** Absolute places the docs name, moved into the sandbox. */
const ROOTS = ["tmp", "srv", "backups"];

type Sandbox = { readonly dir: string; readonly work: string; readonly env: NodeJS.ProcessEnv };

/** A fresh clone's worth of the repository: the example, package.json and the build. */
function createSandbox(): Sandbox {
  const dir = makeTempDir("recoverable-docs-");
  const work = join(dir, "work");
  cpSync(join(REPO, "ops"), join(work, "ops"), { recursive: true });
  mkdirSync(join(work, "scripts"));
  copyFileSync(join(REPO, "scripts", "start.mjs"), join(work, "scripts", "start.mjs"));
  copyFileSync(join(REPO, "package.json"), join(work, "package.json"));
  symlinkSync(join(REPO, "dist"), join(work, "dist"), "dir");
  symlinkSync(join(REPO, "node_modules"), join(work, "node_modules"), "dir");
  for (const root of [...ROOTS, "home", "bin"]) mkdirSync(join(dir, root));
  const bin = join(dir, "bin");
  writeFileSync(join(bin, "recoverable"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  // `npx recoverable` is the installed command, as in a project that depends on it.
  const npx = spawnSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(
    join(bin, "npx"),
    `#!/bin/sh\n[ "$1" = recoverable ] && shift && exec recoverable "$@"\nexec "${npx}" "$@"\n`,
  );
  for (const name of ["recoverable", "npx"]) chmodSync(join(bin, name), 0o755);
  const env = cleanEnv({
    PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    HOME: join(dir, "home"),
    TMPDIR: join(dir, "tmp"),
  });
  delete env["CI"];
  return { dir, work, env };
}

/** The sandbox's places in a command: /tmp/x is <sandbox>/tmp/x. */
function intoSandbox(text: string, sandbox: Sandbox): string {
  return text.replace(
    new RegExp(`(^|[\\s:='"(])/(${ROOTS.join("|")})/`, "g"),
    (_, before: string, root: string) => `${before}${sandbox.dir}/${root}/`,
  );
}

/** The sandbox's places in an output, as the docs write them. */
function outOfSandbox(text: string, sandbox: Sandbox): string {
  let out = text.replaceAll(`${sandbox.dir}/home`, "~");
  for (const root of ROOTS) out = out.replaceAll(`${sandbox.dir}/${root}/`, `/${root}/`);
  return out.replaceAll(`${sandbox.work}/`, "");
}

/** One command line of a block, through bash, where and with what the block says. */
function bash(command: string, sandbox: Sandbox, block: Block, options: string[] = []) {
  return spawnSync("bash", [...options, "-o", "pipefail", "-c", intoSandbox(command, sandbox)], {
    cwd: block.cwd === null ? sandbox.work : intoSandbox(block.cwd, sandbox),
    env: { ...sandbox.env, ...block.env },
    encoding: "utf8",
    timeout: 300_000,
  });
}

for (const page of PAGES) {
  describe(`the outputs quoted in ${page}`, () => {
    const markdown = readFileSync(join(REPO, page), "utf8");
    const blocks = markedBlocks(markdown, page);
    const rendered = new Map<Block, string[]>();
    // Ids the quotes name, as they are in this run: a later command names the id an earlier
    // output printed (the snapshot it made, the report folder).
    const ids = new Map<string, string>();
    let sandbox: Sandbox;

    beforeAll(() => {
      sandbox = createSandbox();
    });

    afterAll(() => {
      if (UPDATE && rendered.size === blocks.length)
        writeFileSync(join(REPO, page), rewritePage(markdown, rendered));
    });

    const withIds = (command: string) => {
      let out = command;
      for (const [quoted, now] of ids) {
        out = out.replaceAll(quoted, now);
        // A unique prefix of a snapshot id (20261126T024012Z) names it too.
        const prefix = /^\d{8}T\d{6}Z/.exec(quoted)?.[0];
        const nowPrefix = /^\d{8}T\d{6}Z/.exec(now)?.[0];
        if (prefix !== undefined && nowPrefix !== undefined)
          out = out.replaceAll(prefix, nowPrefix);
      }
      return out;
    };

    it(`has marked blocks (${blocks.length})`, () => {
      expect(blocks.length).toBeGreaterThan(0);
    });

    for (const block of blocks) {
      it(`${block.where}: ${stepsOf(block)[0]?.command.split("\n")[0] ?? ""}`, () => {
        for (const setup of block.setup) {
          // Setup runs where the example is, as the reader who prepared the block did.
          const run = bash(withIds(setup), sandbox, { ...block, cwd: null }, ["-eu"]);
          expect(run.status, `${block.where}: setup: ${setup}\n${run.stderr}`).toBe(0);
        }
        // One shell for the block, as a reader types it: a variable set by one line is there
        // for the next. Each command's output ends at a line of its own. (So an id a command
        // prints can be named by the commands of later blocks, not of the same one.)
        const steps = stepsOf(block);
        const commands = steps.map((step) => withIds(step.command));
        const separator = (i: number) => `@@ recoverable docs step ${i} @@`;
        const script = commands.map((c, i) => `${c}\nprintf '\\n%s\\n' '${separator(i)}'`);
        const run = bash(
          [...(block.stderr ? ["exec 2>&1"] : []), ...script].join("\n"),
          sandbox,
          block,
        );
        let rest = run.stdout;
        const now: Step[] = steps.map((step, i) => {
          const end = rest.indexOf(`\n${separator(i)}\n`);
          expect(
            end,
            `${block.where}: the block stopped before \`${commands[i] ?? ""}\`\n${run.stderr}`,
          ).toBeGreaterThanOrEqual(0);
          const output = outOfSandbox(rest.slice(0, end), sandbox).replace(/\n+$/, "");
          rest = rest.slice(end + separator(i).length + 2);
          const quoted = identifiersIn(step.expected);
          const seen = identifiersIn(output);
          if (quoted.length === seen.length) quoted.forEach((id, j) => ids.set(id, seen[j] ?? id));
          return { command: commands[i] ?? "", expected: output, quoted: step.quoted };
        });
        if (!UPDATE)
          steps.forEach((step, i) => {
            const printed = now[i]?.expected ?? "";
            if (step.quoted)
              expect(
                normalize(printed, block.masks),
                `${block.where}: \`${commands[i] ?? ""}\` no longer prints what the docs quote (run \`npm run docs:outputs\`)\nstderr:\n${run.stderr}`,
              ).toBe(normalize(step.expected, block.masks));
          });
        rendered.set(block, renderBlock(block, now));
      }, 600_000);
    }
  });
}
