// The runbooks in docs/runbooks/ are read at 3 a.m. and copied from: every command in them must
// be one the CLI accepts, and every link must lead somewhere.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createProgram } from "../src/cli/program.js";
import { anchorOf } from "../src/cli/render-cli-docs.js";
import { commandLinesIn, invocationsIn, problemsOf } from "./helpers/command-lines.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(REPO, path), "utf8");
const JOBS = ["ci-drill.md", "readiness-audit.md", "post-restore-proof.md", "release-gate.md"];
const RUNBOOKS = readdirSync(join(REPO, "docs/runbooks"))
  .filter((file) => file.endsWith(".md"))
  .map((file) => `docs/runbooks/${file}`);

function anchorsOf(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading = ""]) => anchorOf(heading));
}

describe("docs/runbooks", () => {
  it("has a page for each of the four jobs, listed in its index, in README.md and in concepts.md", () => {
    for (const job of JOBS) {
      expect(RUNBOOKS).toContain(`docs/runbooks/${job}`);
      expect(read("docs/runbooks/README.md")).toContain(`](${job})`);
      expect(read("README.md")).toContain(`](docs/runbooks/${job})`);
    }
    expect(read("docs/concepts.md")).toContain("](runbooks/README.md)");
  });

  it("gives each job the command to run, what every exit code means, how to check the signed report, and where to go next", () => {
    for (const job of JOBS) {
      const page = read(`docs/runbooks/${job}`);
      for (const exit of ["| 0 |", "| 1 |", "| 2 |"])
        expect(page, `${job} ${exit}`).toContain(exit);
      expect(page, job).toMatch(/recoverable report verify .* --key /);
      expect(page, job).toMatch(/^## (\d+\. )?Escalate/m);
      expect(page, job).toMatch(/^## When to use/m);
    }
  });

  it("uses only verbs and flags that exist, in every command line", () => {
    const program = createProgram();
    for (const runbook of RUNBOOKS) {
      const invocations = commandLinesIn(read(runbook), runbook).flatMap((line) =>
        invocationsIn(line.text).map((args) => ({ line, args })),
      );
      if (runbook !== "docs/runbooks/README.md")
        expect(invocations.length, runbook).toBeGreaterThanOrEqual(5);
      for (const { line, args } of invocations)
        expect(problemsOf(program, args), `${line.where}: ${line.text}`).toEqual([]);
    }
  });

  it("links only to files and headings that exist", () => {
    for (const runbook of RUNBOOKS) {
      const page = read(runbook);
      for (const [, target = ""] of page.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file = "", anchor] = target.split("#");
        const path = file === "" ? runbook : normalize(join(dirname(runbook), file));
        expect(existsSync(join(REPO, path)), `${runbook}: ${target}`).toBe(true);
        if (anchor !== undefined)
          expect(anchorsOf(read(path)), `${runbook}: ${target}`).toContain(anchor);
      }
    }
  });
});
