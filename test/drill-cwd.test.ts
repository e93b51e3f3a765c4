// A drill run from a directory other than the project's (`cd / && recoverable drill -C
// <project>/ops/drill.json ...`): the service runs in its own working directory, so every path
// it is given must be absolute, and nothing may be written where the command ran.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { makeTempDir } from "./helpers/temp-dir.js";

let example: ExampleCopy;
/** Where the command runs: not the project. */
let elsewhere: string;
beforeEach(() => {
  example = copyExample();
  elsewhere = makeTempDir("recoverable-elsewhere-");
});

const drillFromElsewhere = (env: Record<string, string> = {}) =>
  runCLI(
    [
      "drill",
      "--json",
      "-C",
      example.path("ops/drill.json"),
      "--source",
      `dir:${example.path("ops/store")}`,
      "--out",
      example.path("out"),
    ],
    { cwd: elsewhere, env },
  );

describe("a drill run from another directory", () => {
  it("run from a directory above the project (as `cd /` is), proves the example, signs its report, and writes nothing there", () => {
    // Paths of the project are then relative to where the drill runs, and were handed on so.
    const project = join(elsewhere, "project");
    renameSync(example.dir, project);
    const run = runCLI(
      [
        "drill",
        "--json",
        "-C",
        join(project, "ops/drill.json"),
        "--source",
        `dir:${join(project, "ops/store")}`,
        "--out",
        join(project, "out"),
      ],
      { cwd: elsewhere },
    );
    expect(run.json().findings).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.json().verdict).toBe("proven");
    expect(existsSync(join(project, "out/drill-report.dsse.json"))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual(["project"]);
  });

  it("gives the service every placeholder as an absolute path, in its arguments and its environment, even with a relative TMPDIR", () => {
    example.editDrillConfig((config) => {
      config["service"] = {
        // Records what it was given, then exits: the drill fails at readiness, as it should.
        command: [
          "node",
          "-e",
          "const fs = require('fs');" +
            "const paths = [...process.argv.slice(1), process.env.S, process.env.P," +
            " process.env.RECOVERABLE_STORE, process.env.RECOVERABLE_PACKET];" +
            "fs.writeFileSync('given.json', JSON.stringify(paths.map((p) => [p, fs.existsSync(p)])));" +
            "process.exit(3)",
          "{store}",
          "{packet}",
        ],
        cwd: ".",
        env: { S: "{store}", P: "{packet}" },
        readiness: { path: "/readyz", timeout: "10s" },
      };
    });
    mkdirSync(join(elsewhere, "relative-tmp"));
    const run = drillFromElsewhere({ TMPDIR: "relative-tmp" });
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("service_not_ready");
    const given = JSON.parse(readFileSync(example.path("given.json"), "utf8")) as [
      string,
      boolean,
    ][];
    expect(given).toHaveLength(6);
    for (const [path, existed] of given) {
      expect(isAbsolute(path), path).toBe(true);
      expect(existed, path).toBe(true);
    }
    expect(given[1]?.[0]).toBe(example.path("ops/release/packet/packet.json"));
    // The scratch place (in the relative TMPDIR) is gone again.
    expect(readdirSync(join(elsewhere, "relative-tmp"))).toEqual([]);
  });
});
