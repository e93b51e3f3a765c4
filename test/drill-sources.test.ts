// drill without --source drills the drill config's authoritative backup; --all-backups drills
// each configured backup in turn, a signed report each, and exits with the worst verdict.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";

describe("drill without --source", () => {
  it("drills the authoritative backup of the drill config (exit 0)", () => {
    const example = copyExample();
    const result = runCLI(["drill", "--json", "--out", "out"], { cwd: example.dir });
    expect(result.code, result.stdout).toBe(0);
    expect(existsSync(example.path("out/drill-report.dsse.json"))).toBe(true);
  });

  it("with no backup configured, is usage_invalid (exit 2) saying what to add", () => {
    const example = copyExample();
    example.editDrillConfig((config) => delete config["backups"]);
    const result = runCLI(["drill", "--json"], { cwd: example.dir });
    expect(result.code, result.stdout).toBe(2);
    expect(result.json()).toHaveFinding("usage_invalid", "--source");
    expect(result.json().findings[0]?.message).toContain('"backups"');
  });
});

describe("drill --all-backups", () => {
  it("drills each backup with a report of its own, and exits with the worst verdict", () => {
    const example = copyExample();
    // A second backup, damaged: a tar of the store without one of its datasets.
    const damaged = example.path("damaged.tar.gz");
    execFileSync("tar", [
      "-czf",
      damaged,
      "--exclude",
      "./datasets/airports.sqlite",
      "-C",
      example.path("ops/store"),
      ".",
    ]);
    example.editDrillConfig((config) => {
      config["backups"] = [
        { name: "bundled example", source: "dir:ops/store", authoritative: true },
        { name: "off-site copy", source: "tar:damaged.tar.gz" },
      ];
    });
    const result = runCLI(["drill", "--all-backups", "--json", "--out", "all"], {
      cwd: example.dir,
    });
    expect(result.code, result.stdout).toBe(1);
    const backups = result.json()["backups"] as {
      name: string;
      verdict: string;
      report: { envelope: string };
    }[];
    expect(backups.map((b) => [b.name, b.verdict, b.report.envelope])).toEqual([
      ["bundled example", "proven", "all/bundled-example/drill-report.dsse.json"],
      ["off-site copy", "not_proven", "all/off-site-copy/drill-report.dsse.json"],
    ]);
    expect(result.json()).toHaveFinding("artifact_missing", "datasets/airports.sqlite");
  });

  it("refuses --source beside it (exit 2)", () => {
    const example = copyExample();
    const result = runCLI(["drill", "--all-backups", "--source", "dir:ops/store", "--json"], {
      cwd: example.dir,
    });
    expect(result.code).toBe(2);
    expect(result.json()).toHaveFinding("usage_invalid", "--source");
  });
});
