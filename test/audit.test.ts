// audit, as an on-call engineer runs it: the bundled example copied to a temp dir, real drills
// signed with real keys, real snapshot repositories; each failing case changes one thing and
// names the gap it must find.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { PublicAnswer } from "../src/audit/answer.js";
import { statusOf, createGap } from "../src/audit/answer.js";
import { missingDurable, type HeldEntry } from "../src/store/holdings.js";
import { queriesDataset } from "../src/audit/readiness-answer.js";
import type { Manifest } from "../src/documents/types.js";
import { drill as drillVerb } from "../src/verbs/drill.js";
import { snapshot as snapshotVerb } from "../src/verbs/snapshot.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const DAY = 86_400_000;

let example: ExampleCopy;
beforeEach(() => {
  example = copyExample();
  // The example's files keep the checkout's times; a dir: backup is as old as its newest file.
  setTreeTime(example.path("ops/store"), new Date());
});

/** Sets the mtime of every file and directory under `dir` (the backup's age for dir:). */
function setTreeTime(dir: string, time: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    utimesSync(join(entry.parentPath, entry.name), time, time);
  utimesSync(dir, time, time);
}

const run = (args: string[]): CLIRun => runCLI(args, { cwd: example.dir });
const audit = (...args: string[]): CLIRun => run(["audit", "--json", ...args]);

function freshDrill(out = ".recoverable/reports/r1"): void {
  const drill = run(["drill", "--source", "dir:ops/store", "--out", out, "--json"]);
  expect(drill.code, drill.stdout).toBe(0);
}

function answers(result: CLIRun): PublicAnswer[] {
  return result.json()["answers"] as PublicAnswer[];
}

function statuses(result: CLIRun): Record<string, string> {
  return Object.fromEntries(answers(result).map((a) => [a.id, a.status]));
}

describe("audit on the bundled example", () => {
  it("answers all three questions and exits 0 after a fresh drill", () => {
    freshDrill();
    const result = audit();
    expect(result.code, result.stdout).toBe(0);
    const json = result.json();
    expect(json.verdict).toBe("proven");
    expect(json.findings).toEqual([]);
    expect(json.releaseId).toBe("atlas-2026.11.1");
    expect(statuses(result)).toEqual({
      backup: "answered",
      catalog: "answered",
      readiness: "answered",
    });
    expect(answers(result).map((a) => a.question)).toEqual([
      "Where is the authoritative backup of the serving store?",
      "How is catalog integrity preserved or rebuilt?",
      "What checks prove the recovered instance is ready?",
    ]);
    expect(json["counts"]).toEqual({
      artifacts: 16,
      durable: 8,
      reconstructable: 2,
      disposable: 6,
    });
    expect(json["backups"]).toEqual([
      expect.objectContaining({
        name: "bundled example",
        source: "dir:ops/store",
        authoritative: true,
        reachable: true,
        durable: { checked: true, missing: [] },
      }),
    ]);
    expect(json["lastDrill"]).toMatchObject({
      file: ".recoverable/reports/r1/drill-report.dsse.json",
    });
  });

  it("prints the three questions, their answers and the tally as text", () => {
    freshDrill();
    const text = run(["audit"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✔ READY {2}recoverable audit {2}release atlas-2026\.11\.1/);
    expect(text.stdout).toContain("1. Where is the authoritative backup of the serving store?");
    expect(text.stdout).toContain("2. How is catalog integrity preserved or rebuilt?");
    expect(text.stdout).toContain("3. What checks prove the recovered instance is ready?");
    expect(text.stdout).toContain('The authoritative backup is "bundled example" (dir:ops/store)');
    expect(text.stdout).toContain(
      "Last passing drill: .recoverable/reports/r1/drill-report.dsse.json",
    );
    expect(text.stdout).toContain("3 answered, 0 stale, 0 missing · exit 0");
  });

  it("prints Markdown with the three questions as sections, and the gaps as a table", () => {
    freshDrill();
    const ready = run(["audit", "--format", "markdown"]);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toMatch(/^# Readiness audit: atlas-2026\.11\.1\n/);
    for (const question of [
      "## 1. Where is the authoritative backup of the serving store?",
      "## 2. How is catalog integrity preserved or rebuilt?",
      "## 3. What checks prove the recovered instance is ready?",
    ])
      expect(ready.stdout).toContain(question);
    expect(ready.stdout.match(/\*\*✅ Answered\*\*/g)).toHaveLength(3);
    setTreeTime(example.path("ops/store"), new Date(Date.now() - 2 * DAY));
    const stale = run(["audit", "--format", "markdown"]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("❌ **Not ready**");
    expect(stale.stdout).toMatch(/\| stale \| `backup_too_old` \| `dir:ops\/store` \| .*24h/);
  });

  it("exits 1 naming the missing drill when no report exists at all", () => {
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("audit_gap", "drills");
    expect(statuses(result)).toEqual({
      backup: "answered",
      catalog: "answered",
      readiness: "missing",
    });
  });
});

describe("audit, when the newest backup is older than the RPO target", () => {
  it("exits 1 with backup_too_old for the dir: backup whose files are 2 days old", () => {
    freshDrill();
    setTreeTime(example.path("ops/store"), new Date(Date.now() - 2 * DAY));
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("backup_too_old", "dir:ops/store");
    expect(result.json().findings).toHaveLength(1);
    expect(statuses(result)).toEqual({
      backup: "stale",
      catalog: "answered",
      readiness: "answered",
    });
  });

  it("exits 1 with backup_too_old for a --repo whose newest snapshot is 2 days old, and 0 once a fresh one is taken", async () => {
    example.editDrillConfig((config) => {
      delete config["backups"];
    });
    const old = await snapshotVerb({
      root: "ops/store",
      repo: "backups",
      cwd: example.dir,
      now: () => new Date(Date.now() - 2 * DAY),
    });
    expect(old.exitCode).toBe(0);
    freshDrill();
    const stale = audit("--repo", "backups");
    expect(stale.code).toBe(1);
    expect(stale.json()).toHaveFinding("backup_too_old", "snapshot:backups#latest");
    expect(stale.json()["backups"]).toEqual([
      expect.objectContaining({
        source: "snapshot:backups#latest",
        authoritative: true,
        snapshotId: old.snapshotId,
        durable: { checked: true, missing: [] },
      }),
    ]);
    const fresh = await snapshotVerb({ root: "ops/store", repo: "backups", cwd: example.dir });
    expect(fresh.exitCode).toBe(0);
    const ok = audit("--repo", "backups");
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.json()["backups"]).toEqual([
      expect.objectContaining({ snapshotId: fresh.snapshotId }),
    ]);
  });

  it("exits 1 naming audit_gap backups when no backup is configured or given", () => {
    example.editDrillConfig((config) => {
      delete config["backups"];
    });
    freshDrill();
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("audit_gap", "backups");
    expect(statuses(result)["backup"]).toBe("missing");
  });
});

describe("audit, when a backup does not hold the release", () => {
  it("names each durable artifact that no backup holds", () => {
    freshDrill();
    rmSync(example.path("ops/store/config/runtime.json"));
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("backup_incomplete", "config/runtime.json");
    expect(result.json().findings).toHaveLength(1);
    expect(statuses(result)["backup"]).toBe("missing");
  });

  it("names a configured backup that cannot be reached, and only dates a tar: one it can", () => {
    example.editDrillConfig((config) => {
      config["backups"] = [
        { name: "bundled example", source: "dir:ops/store", authoritative: true },
        { name: "offsite", source: "tar:backups/atlas.tgz" },
      ];
    });
    freshDrill();
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("source_unreadable", "tar:backups/atlas.tgz");
    expect(statuses(result)["backup"]).toBe("missing");

    // Once it exists it is reachable and dated; what it holds only a drill from it proves.
    mkdirSync(example.path("backups"));
    const tar = spawnSync("tar", ["-C", "ops/store", "-czf", "backups/atlas.tgz", "."], {
      cwd: example.dir,
    });
    expect(tar.status).toBe(0);
    const reachable = audit();
    expect(reachable.code, reachable.stdout).toBe(0);
    expect(reachable.json()["backups"]).toEqual([
      expect.objectContaining({ source: "dir:ops/store", reachable: true }),
      expect.objectContaining({
        source: "tar:backups/atlas.tgz",
        authoritative: false,
        reachable: true,
        durable: {
          checked: false,
          reason: expect.stringContaining("not checked without restoring"),
        },
      }),
    ]);
  });
});

describe("audit, when a dataset has no probe", () => {
  it("exits 1 with audit_gap for that dataset once the release is re-sealed without its probes", () => {
    example.editDrillConfig((config) => {
      const probes = config["probes"] as { dataset?: string; path?: string }[];
      config["probes"] = probes.filter(
        (p) => p.dataset !== "airports" && !(p.path ?? "").includes("/airports/"),
      );
    });
    example.seal("atlas-2026.11.1", "2026.11.1");
    freshDrill();
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("audit_gap", "dataset:airports");
    expect(result.json().findings).toHaveLength(1);
    expect(statuses(result)).toEqual({
      backup: "answered",
      catalog: "answered",
      readiness: "missing",
    });
  });
});

describe("audit, when the last drill is older than the schedule", () => {
  it("exits 1 with report_stale for a drill that passed 8 days ago (the policy asks for one every 7d)", async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * DAY);
    setTreeTime(example.path("ops/store"), new Date(eightDaysAgo.getTime() - 3600_000));
    const old = await drillVerb({
      source: "dir:ops/store",
      out: ".recoverable/reports/old",
      cwd: example.dir,
      now: () => eightDaysAgo,
    });
    expect(old.exitCode, JSON.stringify(old.findings)).toBe(0);
    setTreeTime(example.path("ops/store"), new Date());
    const result = audit();
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding(
      "report_stale",
      ".recoverable/reports/old/drill-report.dsse.json",
    );
    expect(result.json().findings).toHaveLength(1);
    expect(statuses(result)["readiness"]).toBe("stale");
    freshDrill();
    expect(audit().code).toBe(0);
  });

  it("does not believe a drill signed by a key it does not trust, until --key trusts it", () => {
    const keygen = run(["keygen", "--out", "other-keys"]);
    expect(keygen.code).toBe(0);
    const drill = run([
      "drill",
      "--source",
      "dir:ops/store",
      "--key",
      "other-keys/drill.key",
      "--out",
      ".recoverable/reports/other",
      "--json",
    ]);
    expect(drill.code).toBe(0);
    const untrusted = audit();
    expect(untrusted.code).toBe(1);
    expect(untrusted.json()).toHaveFinding("audit_gap", "drills");
    const readiness = answers(untrusted).find((a) => a.id === "readiness");
    expect(readiness?.facts.join("\n")).toContain("Not believed");
    expect(audit("--key", "other-keys/drill.pub").code).toBe(0);
  });
});

describe("audit, with unusable input", () => {
  it("exits 2 for a --repo that is not a snapshot repository, a --key that cannot be read, or --json with --format markdown", () => {
    const repo = audit("--repo", "no-such-repo");
    expect(repo.code).toBe(2);
    expect(repo.json()).toHaveFinding("usage_invalid", "--repo");
    const key = audit("--key", "missing.pub");
    expect(key.code).toBe(2);
    expect(key.json()).toHaveFinding("document_unreadable", "missing.pub");
    const both = audit("--format", "markdown");
    expect(both.code).toBe(2);
    expect(both.json()).toHaveFinding("usage_invalid");
  });

  it("exits 2 for a configured backup whose source string is not a source", () => {
    example.editDrillConfig((config) => {
      config["backups"] = [{ name: "nfs", source: "nfs:/backups/atlas" }];
    });
    const result = audit();
    expect(result.code).toBe(2);
    expect(result.json()).toHaveFinding("document_invalid", "ops/drill.json#/backups/0/source");
  });
});

describe("the audit's pure rules", () => {
  it("queriesDataset: sql on the dataset, or http that names it in its dataset field, never a path segment alone", () => {
    expect(queriesDataset({ name: "q", type: "sql", dataset: "cities" }, "cities")).toBe(true);
    expect(
      queriesDataset(
        { name: "q", type: "http", dataset: "cities", path: "/rows?table=cities" },
        "cities",
      ),
    ).toBe(true);
    expect(
      queriesDataset({ name: "q", type: "http", path: "/datasets/cities/count" }, "cities"),
    ).toBe(false);
    expect(queriesDataset({ name: "q", type: "http", path: "/db/health" }, "db")).toBe(false);
    expect(queriesDataset({ name: "q", type: "catalog", path: "/catalog/cities" }, "cities")).toBe(
      false,
    );
  });

  it("statusOf: missing wins over stale, and no gap is answered", () => {
    const gap = (kind: "missing" | "stale") =>
      createGap(kind, "audit_gap", { subject: "x", message: "x" });
    expect(statusOf([])).toBe("answered");
    expect(statusOf([gap("stale")])).toBe("stale");
    expect(statusOf([gap("stale"), gap("missing")])).toBe("missing");
  });

  it("missingDurable: an SQLite artifact whose identity is its content is held by other bytes with the same content", () => {
    const digest = (c: string) => ({ sha256: c.repeat(64) });
    const manifest: Manifest = {
      schemaVersion: 1,
      artifacts: [
        {
          path: "a.sqlite",
          kind: "sqlite",
          role: "durable",
          size: 1,
          digest: digest("a"),
          sqlite: { contentDigest: digest("c"), tables: [], identity: "content" },
        },
        { path: "b.json", kind: "json", role: "durable", size: 1, digest: digest("b") },
        { path: "cache.json", kind: "json", role: "disposable", size: 1, digest: digest("d") },
      ],
    };
    const held = new Map<string, HeldEntry>([
      ["a.sqlite", { type: "file", digest: digest("e"), contentDigest: digest("c") }],
      ["b.json", { type: "file", digest: digest("f"), contentDigest: null }],
    ]);
    expect(missingDurable(manifest, held)).toEqual([{ path: "b.json", why: "other bytes" }]);
    held.set("a.sqlite", { type: "file", digest: digest("e"), contentDigest: digest("0") });
    held.delete("b.json");
    expect(missingDurable(manifest, held)).toEqual([
      { path: "a.sqlite", why: "other content" },
      { path: "b.json", why: "absent" },
    ]);
  });
});
