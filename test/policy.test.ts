// The rollback attack, end to end: an old but correctly sealed release, replayed from an old
// backup, is refused once a newer release was proven for the store; a deliberate downgrade
// passes only with the newest policy's permission and --allow-downgrade, and says so, signed.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

let example: ExampleCopy;
const at = (args: string[]): CLIRun => runCLI([...args, "--json"], { cwd: example.dir });

type Report = {
  verdict: string;
  findings: { code: string; severity: string }[];
  policy: { rule: string; passed: boolean; overridden?: boolean; message: string }[];
};
const report = (dir: string): Report =>
  JSON.parse(readFileSync(example.path(`${dir}/drill-report.json`), "utf8")) as Report;
const mark = () =>
  JSON.parse(readFileSync(example.path(".recoverable/state/high-water.json"), "utf8")) as {
    version: string;
    allowDowngrade: boolean;
  };

/**
 * Keeps the bundled release (2026.11.1) and a backup of its store as "old", then seals and
 * proves a newer release (2026.11.2) whose policy says whether downgrades are allowed.
 */
function provenNewerRelease(allowDowngrade: boolean): void {
  cpSync(example.path("ops"), example.path("old-ops"), { recursive: true });
  cpSync(example.path("ops/store"), example.path("backups/old"), { recursive: true });
  const runtime = example.path("ops/store/config/runtime.json");
  writeFileSync(runtime, readFileSync(runtime, "utf8").replace(/\n$/, " \n"));
  const policyFile = example.path("ops/datasets/rollback-policy.json");
  const policy = JSON.parse(readFileSync(policyFile, "utf8")) as {
    releases: { allowDowngrade: boolean };
  };
  policy.releases.allowDowngrade = allowDowngrade;
  writeFileSync(policyFile, JSON.stringify(policy, null, 2));
  example.seal("atlas-2026.11.2", "2026.11.2");
  const drilled = at(["drill", "--source", "dir:ops/store", "--out", "reports/new"]);
  expect(drilled.code, drilled.stdout).toBe(0);
  expect(mark()).toMatchObject({ version: "2026.11.2", allowDowngrade });
}

beforeEach(() => {
  example = copyExample();
});

describe("the rollback attack", () => {
  it("refuses to drill or restore the older release once a newer one was proven", () => {
    provenNewerRelease(true);
    const replay = at([
      "drill",
      "--source",
      "dir:backups/old",
      "--ops",
      "old-ops",
      "--out",
      "reports/old",
    ]);
    expect(replay.code).toBe(1);
    expect(replay.json()).toHaveFinding(
      "rollback_forbidden",
      "old-ops/datasets/rollback-policy.json#/releases/allowDowngrade",
    );
    // The refusal is signed evidence too: nothing was restored or started.
    const signed = report("reports/old");
    expect(signed.verdict).toBe("not_proven");
    expect(signed.policy.find((p) => p.rule === "downgrade")).toMatchObject({ passed: false });
    expect(existsSync(example.path("reports/old/drill-report.dsse.json"))).toBe(true);

    const restore = at([
      "restore",
      "--source",
      "dir:backups/old",
      "--ops",
      "old-ops",
      "--target",
      "ops/store",
      "--force",
    ]);
    expect(restore.code).toBe(1);
    expect(restore.json()).toHaveFinding("rollback_forbidden");
    expect(readFileSync(example.path("ops/store/config/runtime.json"), "utf8")).toMatch(/ \n$/);
    expect(mark().version).toBe("2026.11.2");
  });

  it("lets a deliberate downgrade through with the newest policy's permission and --allow-downgrade, recorded and signed", () => {
    provenNewerRelease(true);
    const rollback = at([
      "drill",
      "--source",
      "dir:backups/old",
      "--ops",
      "old-ops",
      "--allow-downgrade",
      "--out",
      "reports/rollback",
    ]);
    expect(rollback.code, rollback.stdout).toBe(0);
    const signed = report("reports/rollback");
    expect(signed.verdict).toBe("proven");
    expect(signed.findings).toEqual([
      expect.objectContaining({ code: "downgrade_allowed", severity: "info" }),
    ]);
    expect(signed.policy.find((p) => p.rule === "downgrade")).toMatchObject({
      passed: true,
      overridden: true,
    });
    // A proven downgrade never lowers the mark.
    expect(mark().version).toBe("2026.11.2");
    // --allow-downgrade on a release that is not a downgrade records nothing.
    const same = at(["drill", "--source", "dir:ops/store", "--allow-downgrade", "--out", "r2"]);
    expect(same.code).toBe(0);
    expect(same.json().findings).toEqual([]);
  });

  it("refuses --allow-downgrade when the newest proven release's policy forbids downgrades", () => {
    provenNewerRelease(false);
    const rollback = at([
      "drill",
      "--source",
      "dir:backups/old",
      "--ops",
      "old-ops",
      "--allow-downgrade",
      "--out",
      "reports/rollback",
    ]);
    expect(rollback.code).toBe(1);
    expect(rollback.json().findings[0]?.message).toContain(
      "the rollback policy of atlas-2026.11.2 does not allow downgrades",
    );
  });

  it("stops on a damaged high-water mark instead of reading it as no mark", () => {
    provenNewerRelease(true);
    writeFileSync(example.path(".recoverable/state/high-water.json"), "{}");
    const run = at(["drill", "--source", "dir:backups/old", "--ops", "old-ops", "--out", "r"]);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_invalid", ".recoverable/state/high-water.json");
  });
});
