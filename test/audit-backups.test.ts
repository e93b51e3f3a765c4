// audit tells the truth about every backup (issue 19 item 4), on copies of the bundled example:
// the authoritative backup judged by itself, the 3-2-1 rule, retention actually kept by a folder
// of real tar.gz archives and by a real restic repository, RTO/RPO per failure scenario with
// drill --scenario, a store without a catalog, and a probe that says which dataset it covers.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PublicAnswer } from "../src/audit/answer.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { CHROMA_GLOB, CHROMA_PATTERN, DAY_MS, writeArchives } from "./helpers/archive-folder.js";
import { backup, initRepository, RESTIC_PASSWORD } from "./helpers/restic.js";

// Each test seals, drills and audits a copy of the example, some of them twice: minutes under load.
vi.setConfig({ testTimeout: 240_000 });

let example: ExampleCopy;
beforeEach(() => {
  example = copyExample();
  setTreeTime(example.path("ops/store"), new Date());
});

function setTreeTime(dir: string, time: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    utimesSync(join(entry.parentPath, entry.name), time, time);
  utimesSync(dir, time, time);
}

const env = { RESTIC_PASSWORD, TZ: "UTC" };
const run = (args: string[]): CLIRun => runCLI(args, { cwd: example.dir, env });
const audit = (...args: string[]): CLIRun => run(["audit", "--json", ...args]);

function freshDrill(...more: string[]): CLIRun {
  const drill = run(["drill", "--source", "dir:ops/store", "--json", ...more]);
  expect(drill.code, drill.stdout).toBe(0);
  return drill;
}

/** Changes the copy's rollback policy and re-seals the release, as a policy change requires. */
function editPolicy(change: (policy: Record<string, unknown>) => void): void {
  const file = example.path("ops/datasets/rollback-policy.json");
  const policy = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  change(policy);
  writeFileSync(file, JSON.stringify(policy, null, 2));
  example.seal("atlas-2026.11.1", "2026.11.1");
}

function tarOf(file: string, time: Date): void {
  mkdirSync(example.path(join(file, "..")), { recursive: true });
  const tar = spawnSync("tar", ["-C", "ops/store", "-czf", file, "."], { cwd: example.dir });
  expect(tar.status).toBe(0);
  utimesSync(example.path(file), time, time);
}

function answer(result: CLIRun, id: string): PublicAnswer {
  const found = (result.json()["answers"] as PublicAnswer[]).find((a) => a.id === id);
  if (found === undefined) throw new Error(`no answer ${id}`);
  return found;
}

describe("audit judges the authoritative backup by itself", () => {
  it("exits 1 naming the 14-day-old off-site copy when only a local copy is fresh", () => {
    tarOf("offsite/atlas.tgz", new Date(Date.now() - 14 * DAY_MS));
    example.editDrillConfig((config) => {
      config["backups"] = [
        { name: "local", source: "dir:ops/store", location: "local", media: "disk" },
        {
          name: "offsite",
          source: "tar:offsite/atlas.tgz",
          authoritative: true,
          location: "offsite",
          media: "s3",
        },
      ];
    });
    freshDrill();
    const result = audit();
    expect(result.code, result.stdout).toBe(1);
    expect(result.json()).toHaveFinding("backup_too_old", "tar:offsite/atlas.tgz");
    expect(result.json().findings).toHaveLength(1);
    const gap = answer(result, "backup").gaps[0];
    expect(gap?.message).toMatch(/the authoritative backup "offsite" .* is 14d[^,]* old/);
    expect(result.json()["backups"]).toEqual([
      expect.objectContaining({ name: "local", location: "local", media: "disk" }),
      expect.objectContaining({ name: "offsite", authoritative: true, location: "offsite" }),
    ]);
  });
});

describe("audit under a 3-2-1 policy", () => {
  it("names the missing off-site copy, then passes once one is listed", () => {
    editPolicy((policy) => {
      policy["backups"] = { copies: 3, media: 2, offsite: 1 };
    });
    tarOf("usb/atlas.tgz", new Date());
    const local = [
      { name: "nightly", source: "dir:ops/store", location: "local", media: "disk" },
      { name: "usb", source: "tar:usb/atlas.tgz", location: "local", media: "usb" },
    ];
    example.editDrillConfig((config) => {
      config["backups"] = local;
    });
    freshDrill();
    const result = audit();
    expect(result.code, result.stdout).toBe(1);
    expect(result.json()).toHaveFinding("backup_rule_unmet", "backups.offsite");
    expect(result.json().findings).toHaveLength(1);
    expect(result.json().findings[0]?.message).toMatch(
      /^no off-site copy where the policy asks for 1: "nightly" \(local, disk\), "usb" \(local, usb\)/,
    );

    tarOf("s3/atlas.tgz", new Date());
    example.editDrillConfig((config) => {
      config["backups"] = [
        ...local,
        { name: "s3", source: "tar:s3/atlas.tgz", location: "offsite", media: "s3" },
      ];
    });
    const ok = audit();
    expect(ok.code, ok.stdout).toBe(0);
    expect(answer(ok, "backup").facts.join("\n")).toContain("3-2-1: 4 copies");
  });
});

describe("audit of retention actually kept", () => {
  it("names the missing days of a 30-day folder of real tar.gz archives", () => {
    editPolicy((policy) => {
      policy["retention"] = { keepDaily: 30, keepWeekly: 0, keepMonthly: 0 };
      policy["backups"] = { checkRetention: true };
    });
    const now = Date.now();
    const missing = [4, 5, 12];
    const times = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => !missing.includes(i))
      .map((i) => new Date(Math.floor((now - i * DAY_MS - 60_000) / 1000) * 1000));
    writeArchives(example.path("backups/chromadb"), times);
    example.editDrillConfig((config) => {
      config["backups"] = [
        { name: "bundled example", source: "dir:ops/store", authoritative: true },
        {
          name: "chromadb",
          archives: { dir: "backups/chromadb", glob: CHROMA_GLOB, datePattern: CHROMA_PATTERN },
        },
      ];
    });
    freshDrill();
    const result = audit();
    expect(result.code, result.stdout).toBe(1);
    const subject = "archives:backups/chromadb/chromadb_backup_*.tar.gz";
    expect(result.json()).toHaveFinding("retention_not_kept", subject);
    expect(result.json().findings).toHaveLength(1);
    const days = missing
      .map((i) => new Date(now - i * DAY_MS - 60_000).toISOString().slice(0, 10))
      .reverse();
    expect(result.json().findings[0]?.message).toBe(
      `"chromadb" (${subject}): keepDaily 30 asks for one in each of the last 30 days; 3 have none: ${days.join(", ")}`,
    );
    expect(answer(result, "backup").facts.join("\n")).toContain(
      `"bundled example" (dir:ops/store): one copy, so retention does not apply to it.`,
    );
  });

  it("names the missing month of a restic repository against GFS 7/4/12 (restic snapshots --json)", () => {
    editPolicy((policy) => {
      policy["retention"] = { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 };
      policy["backups"] = { checkRetention: true };
    });
    const repo = example.path("restic-repo");
    initRepository(repo);
    const now = new Date();
    const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
    const times = [
      ...Array.from({ length: 7 }, (_, i) => at(now.getTime() - i * DAY_MS - 60_000)),
      ...[1, 2, 3].map((w) => at(now.getTime() - w * 7 * DAY_MS - 60_000)),
      ...[1, 2, 3, 4, 6, 7, 8, 9, 10, 11].map(
        (m) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - m, 15, 2)),
      ),
    ];
    for (const time of times) backup(repo, ["ops/store"], { cwd: example.dir, time });
    example.editDrillConfig((config) => {
      config["backups"] = [
        { name: "bundled example", source: "dir:ops/store", authoritative: true },
        { name: "restic", source: "restic:restic-repo#latest" },
      ];
    });
    freshDrill();
    const result = audit();
    expect(result.code, result.stdout).toBe(1);
    expect(result.json()).toHaveFinding("retention_not_kept", "restic:restic-repo#latest");
    expect(result.json().findings).toHaveLength(1);
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1))
      .toISOString()
      .slice(0, 7);
    expect(result.json().findings[0]?.message).toContain(
      `keepMonthly 12 asks for one in each of the last 12 months; 1 has none: ${month}`,
    );
  }, 240_000);
});

describe("RTO and RPO per failure scenario", () => {
  const scenarios = [
    { name: "database-loss", rto: "1h", rpo: "24h", backups: ["bundled example"] },
    { name: "file-deletion", rto: "2h", rpo: "1s", backups: ["bundled example"] },
  ];

  it("drill --scenario judges against the scenario's targets and says which; an unknown one is exit 2", () => {
    editPolicy((policy) => {
      policy["scenarios"] = scenarios;
    });
    setTreeTime(example.path("ops/store"), new Date(Date.now() - 60_000));
    const proven = freshDrill("--scenario", "database-loss", "--out", "reports/db");
    expect(proven.json()["rpo"]).toMatchObject({ targetSeconds: 86_400, status: "passed" });
    const report = JSON.parse(
      readFileSync(example.path("reports/db/drill-report.json"), "utf8"),
    ) as { scenario?: unknown };
    expect(report.scenario).toEqual({ name: "database-loss", rto: "1h", rpo: "24h" });

    const tight = run([
      "drill",
      "--source",
      "dir:ops/store",
      "--json",
      "--scenario",
      "file-deletion",
    ]);
    expect(tight.code, tight.stdout).toBe(1);
    expect(tight.json()).toHaveFinding("rpo_exceeded", "rpo");
    expect(tight.json().findings[0]?.message).toContain(
      "RPO target of scenario file-deletion of 1s",
    );

    const unknown = run(["drill", "--source", "dir:ops/store", "--json", "--scenario", "flood"]);
    expect(unknown.code).toBe(2);
    expect(unknown.json()).toHaveFinding("usage_invalid", "--scenario");
    expect(unknown.json().findings[0]?.message).toContain(
      "its scenarios are database-loss, file-deletion",
    );
  });

  it("drill --scenario says the scenario it judged against: a JSON field and a line of its summary", () => {
    editPolicy((policy) => {
      policy["scenarios"] = scenarios;
    });
    const judged = freshDrill("--scenario", "database-loss");
    expect(judged.json()["scenario"]).toEqual({ name: "database-loss", rto: "1h", rpo: "24h" });
    const text = run(["drill", "--source", "dir:ops/store", "--scenario", "database-loss"]);
    expect(text.code, text.stdout).toBe(0);
    expect(text.stdout).toContain("scenario database-loss: RTO target 1h, RPO target 24h");
    const plain = freshDrill();
    expect(plain.json()).not.toHaveProperty("scenario");
  });

  it("audit shows the table: targets, backups, newest backup and the last drill per scenario", () => {
    editPolicy((policy) => {
      policy["scenarios"] = [scenarios[0]];
    });
    freshDrill("--scenario", "database-loss", "--out", ".recoverable/reports/db");
    const result = audit();
    expect(result.code, result.stdout).toBe(0);
    expect(result.json()["scenarios"]).toEqual([
      {
        name: "database-loss",
        description: null,
        rto: "1h",
        rpo: "24h",
        backups: ["bundled example"],
        newestBackup: expect.objectContaining({ name: "bundled example", withinRpo: true }),
        lastDrill: expect.objectContaining({
          file: ".recoverable/reports/db/drill-report.dsse.json",
          verdict: "proven",
        }),
      },
    ]);
    const text = run(["audit"]);
    expect(text.stdout).toContain(
      "Failure scenarios (the rollback policy's RTO and RPO per scenario):",
    );
    expect(text.stdout).toMatch(
      /· database-loss: RTO 1h, RPO 24h; backups bundled example; .*last drill proven/,
    );
    const markdown = run(["audit", "--format", "markdown"]);
    expect(markdown.stdout).toContain(
      "| scenario | RTO | RPO | backups | newest backup | last drill |",
    );
  });
});

describe("datasets without a catalog, and probes that say which dataset they cover", () => {
  it("answers question 2 from the manifest's datasets when the store has no catalog", () => {
    example.editDrillConfig((config) => {
      const store = config["store"] as Record<string, unknown>;
      delete store["catalog"];
      config["probes"] = (config["probes"] as { type: string }[]).filter(
        (p) => p.type !== "catalog",
      );
    });
    rmSync(example.path("ops/store/catalog.json"));
    example.seal("atlas-2026.11.1", "2026.11.1");
    const result = audit();
    const catalog = answer(result, "catalog");
    expect(catalog.status, JSON.stringify(catalog)).toBe("answered");
    expect(catalog.facts.join("\n")).toContain("The release names no catalog");
    expect(result.json().findings.filter((f) => f.code === "catalog_incomplete")).toEqual([]);
  });

  it("does not count an http probe whose path merely names the dataset, until its dataset field says so", () => {
    const withoutSql = (config: Record<string, unknown>, dataset?: string) => {
      const probes = config["probes"] as { name: string; dataset?: string }[];
      config["probes"] = probes
        .filter((p) => p.name !== "airports-runways")
        .map((p) => (p.name === "airports-rows" && dataset ? { ...p, dataset } : p));
    };
    example.editDrillConfig((config) => {
      withoutSql(config);
    });
    example.seal("atlas-2026.11.1", "2026.11.1");
    freshDrill();
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("audit_gap", "dataset:airports");
    expect(result.json().findings[0]?.message).toContain(
      '"airports-rows" names it in its path but does not say it queries it',
    );
    example.editDrillConfig((config) => {
      withoutSql(config, "airports");
    });
    // Another release: the one proven first holds version 2026.11.1 with another identity.
    example.seal("atlas-2026.11.2", "2026.11.2");
    freshDrill();
    const ok = audit();
    expect(ok.code, ok.stdout).toBe(0);
  });
});
