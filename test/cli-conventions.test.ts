// Conventions users bring from restic, git and litestream: a verb group given alone prints its
// help, and the drill config is found from any directory below the one that holds ops/.
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";

describe("a verb group given alone", () => {
  it.each([
    ["recoverable", [], "Usage: recoverable <verb> [options]"],
    ["recoverable report", ["report"], "Usage: recoverable report <command> [options]"],
    ["recoverable snapshots", ["snapshots"], "Usage: recoverable snapshots <command> [options]"],
  ])("`%s` prints its help on stdout and exits 0", (_, argv, usage) => {
    const run = runCLI(argv);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(usage)).toBe(true);
    expect(run.stdout).toBe(runCLI([...argv, "--help"]).stdout);
    expect(run.stderr).toBe("");
  });

  it("still refuses an unknown verb as a usage error (exit 2), with commander's suggestion", () => {
    const run = runCLI(["dril"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/unknown command 'dril'\n\(Did you mean drill\?\)/);
    const json = runCLI(["snapshots", "lis", "--json"]);
    expect(json.code).toBe(2);
    expect(json.json()).toHaveFinding("usage_invalid", "command line");
  });
});
