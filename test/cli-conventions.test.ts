// Conventions users bring from restic, git and litestream: a verb group given alone prints its
// help, and the drill config is found from any directory below the one that holds ops/.
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { makeTempDir } from "./helpers/temp-dir.js";

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

describe("the drill config", () => {
  let example: ExampleCopy;
  beforeAll(() => {
    example = copyExample();
  });
  const verifyIn = (cwd: string, args: string[] = [], env: Record<string, string> = {}) =>
    runCLI(["verify", "--json", ...args], { cwd, env: { RECOVERABLE_CONFIG: "", ...env } });

  it("is found from a directory below the one that holds ops/: its store, checked from there, proven", () => {
    const run = verifyIn(example.path("ops/store/datasets"));
    expect(run.code, run.stdout).toBe(0);
    expect(run.json()).toMatchObject({ verdict: "proven", storeRoot: example.path("ops/store") });
  });

  it("is the file RECOVERABLE_CONFIG names, from any directory, before the one a search would find", () => {
    const elsewhere = makeTempDir("recoverable-elsewhere-");
    const fromThere = verifyIn(elsewhere, [], {
      RECOVERABLE_CONFIG: example.path("ops/drill.json"),
    });
    expect(fromThere.code, fromThere.stdout).toBe(0);
    expect(fromThere.json().storeRoot).toBe(example.path("ops/store"));
    // Another example, damaged, named by the variable from inside the intact one.
    const other = copyExample();
    writeFileSync(other.path("ops/store/catalog.json"), "{}\n");
    const named = verifyIn(example.path("ops"), [], {
      RECOVERABLE_CONFIG: other.path("ops/drill.json"),
    });
    expect(named.code).toBe(1);
    expect(named.json()).toHaveFinding("artifact_size_mismatch", "catalog.json");
  });

  it("is the file -C names even when RECOVERABLE_CONFIG names another", () => {
    const run = verifyIn(example.dir, ["-C", "ops/drill.json"], {
      RECOVERABLE_CONFIG: example.path("no-such-config.json"),
    });
    expect(run.code, run.stdout).toBe(0);
  });

  it("named by RECOVERABLE_CONFIG must exist: exit 2, document_unreadable saying who named it", () => {
    const run = verifyIn(example.dir, [], { RECOVERABLE_CONFIG: "no-such-config.json" });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", "no-such-config.json");
    expect(run.json().findings[0]?.message).toBe(
      "no-such-config.json: the drill config named by RECOVERABLE_CONFIG does not exist",
    );
  });

  it("is none when no directory up to / holds ops/drill.json: verbs that need none still run", () => {
    const alone = makeTempDir("recoverable-no-config-");
    const identity = runCLI(["identity", "--json", "--ops", example.path("ops")], { cwd: alone });
    expect(identity.code, identity.stdout).toBe(0);
    const noRoot = verifyIn(alone);
    expect(noRoot.code).toBe(2);
    expect(noRoot.json()).toHaveFinding("usage_invalid", "--root");
  });
});
