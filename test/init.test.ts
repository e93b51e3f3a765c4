// recoverable init on copies of the five systems' layouts: the documents it writes validate as
// written, and init, seal, snapshot (or a tar archive), drill are proven with only the probes'
// questions and answers filled in, as a user would. It never overwrites.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import {
  atocoreLayout,
  avalancheLayout,
  chromaLayout,
  metisLayout,
  type SeedLayout,
} from "./helpers/seed-layouts.js";
import { makeTempDir } from "./helpers/temp-dir.js";

type ProbeFill = { query: string; value: unknown };
type Probe = { name: string; dataset: string; query: string; expect: Record<string, unknown> };

function run(layout: SeedLayout, args: string[]): CLIRun {
  return runCLI([...args, "--json"], { cwd: layout.dir });
}

function initOf(layout: SeedLayout): CLIRun {
  const result = run(layout, ["init", "--root", layout.root]);
  expect(result.code, result.stdout).toBe(0);
  return result;
}

/** What a user does after init: ask each dataset a question and write down its answer. */
function fillProbes(layout: SeedLayout, answers: Record<string, ProbeFill>): void {
  const file = join(layout.dir, "ops/drill.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as { probes: Probe[] };
  for (const probe of config.probes) {
    const answer = answers[probe.dataset];
    if (answer === undefined) throw new Error(`no answer for dataset ${probe.dataset}`);
    probe.query = answer.query;
    probe.expect = { value: answer.value };
  }
  writeFileSync(file, JSON.stringify(config, null, 2));
}

function sealAndKey(layout: SeedLayout): void {
  expect(run(layout, ["keygen", "--out", ".recoverable/keys"]).code).toBe(0);
  const sealed = run(layout, ["seal", "--release-id", "first", "--release-version", "1.0.0"]);
  expect(sealed.code, sealed.stdout).toBe(0);
}

function expectProven(result: CLIRun): void {
  expect(result.code, result.stdout).toBe(0);
  expect(result.json().verdict).toBe("proven");
}

describe("recoverable init", () => {
  it("AtoCore-like: proposes a WAL database at the schema level, logs disposable, Chroma as a live directory; seal, snapshot, drill are proven", () => {
    const layout = atocoreLayout();
    const result = initOf(layout).json() as ReturnType<CLIRun["json"]> & {
      written: string[];
      proposals: {
        datasets: { name: string; level: string }[];
        roles: unknown[];
        identity: unknown[];
      };
      next: string[];
    };
    expect(result.written).toEqual(["ops/drill.json", "ops/datasets/rollback-policy.json"]);
    expect(result.proposals.datasets).toEqual([
      { name: "atocore", path: "data/db/atocore.db", kind: "sqlite", level: "schema" },
    ]);
    expect(result.proposals.roles).toEqual([{ pattern: "logs/**", role: "disposable" }]);
    expect(result.proposals.identity).toContainEqual({
      pattern: "data/chroma/**",
      level: "present",
    });
    expect(result.next).toEqual([
      "recoverable keygen --out .recoverable/keys",
      expect.stringMatching(
        /^recoverable seal --release-id [a-z0-9._-]+-1 --release-version 1\.0\.0$/,
      ),
      "recoverable snapshot --repo .recoverable/snapshots --label first",
      "recoverable drill",
    ]);
    fillProbes(layout, { atocore: { query: "SELECT count(*) FROM interactions", value: 40 } });
    sealAndKey(layout);
    const snapshot = run(layout, [
      "snapshot",
      "--repo",
      ".recoverable/snapshots",
      "--label",
      "first",
    ]);
    expect(snapshot.code, snapshot.stdout).toBe(0);
    expectProven(run(layout, ["drill"]));
  });

  it("Metis-like: three instance databases named db.sqlite become the datasets a/db, b/db and c/db, each probed", () => {
    const layout = metisLayout();
    const result = initOf(layout).json() as ReturnType<CLIRun["json"]> & {
      proposals: { datasets: { name: string }[]; roles: unknown[] };
    };
    expect(result.proposals.datasets.map((d) => d.name)).toEqual(["a/db", "b/db", "c/db"]);
    expect(result.proposals.roles).toEqual([{ pattern: "tmp/**", role: "disposable" }]);
    const count = "SELECT count(*) FROM documents";
    fillProbes(layout, {
      "a/db": { query: count, value: 3 },
      "b/db": { query: count, value: 5 },
      "c/db": { query: count, value: 7 },
    });
    sealAndKey(layout);
    const packet = JSON.parse(
      readFileSync(join(layout.dir, "ops/release/packet/packet.json"), "utf8"),
    ) as {
      datasets: { name: string; path: string }[];
    };
    expect(packet.datasets.map((d) => [d.name, d.path])).toEqual([
      ["a/db", "instances/a/db.sqlite"],
      ["b/db", "instances/b/db.sqlite"],
      ["c/db", "instances/c/db.sqlite"],
    ]);
    expect(run(layout, ["snapshot", "--repo", ".recoverable/snapshots"]).code).toBe(0);
    const drilled = run(layout, ["drill"]);
    expectProven(drilled);
    const report = JSON.parse(
      readFileSync(join(layout.dir, (drilled.json()["report"] as { json: string }).json), "utf8"),
    ) as { checks: { name: string; kind: string; status: string }[] };
    const probes = report.checks.filter((c) => c.kind === "probe");
    expect(probes.map((p) => [p.name, p.status])).toEqual([
      ["a-db-query", "passed"],
      ["b-db-query", "passed"],
      ["c-db-query", "passed"],
    ]);
  });

  it("Avalanche-like: a gzipped pg_dump, an SQLite database and files, drilled from a tar archive", () => {
    const layout = avalancheLayout();
    const result = initOf(layout).json() as ReturnType<CLIRun["json"]> & {
      proposals: { datasets: { name: string; kind: string; level: string }[]; roles: unknown[] };
    };
    expect(result.proposals.datasets).toEqual([
      {
        name: "avalanche",
        path: "backups/postgres/avalanche.sql.gz",
        kind: "pgdump",
        level: "content",
      },
      { name: "app", path: "data/app.sqlite", kind: "sqlite", level: "content" },
    ]);
    expect(result.proposals.roles).toEqual([{ pattern: "cache/**", role: "disposable" }]);
    fillProbes(layout, {
      avalanche: { query: "SELECT count(*) FROM orders", value: 12 },
      app: { query: "SELECT count(*) FROM sessions", value: 4 },
    });
    sealAndKey(layout);
    const archive = join(makeTempDir(), "avalanche.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", join(layout.dir, layout.root), "."]);
    expectProven(run(layout, ["drill", "--source", `tar:${archive}`]));
  });

  it("ChromaDB-like: the vector-store directory itself as the store root, drilled from its tar.gz backup", () => {
    const layout = chromaLayout();
    initOf(layout);
    fillProbes(layout, { chroma: { query: "SELECT count(*) FROM embeddings", value: 9 } });
    sealAndKey(layout);
    const archive = join(makeTempDir(), "chromadb_backup_20261013_020000.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", join(layout.dir, layout.root), "."]);
    expectProven(run(layout, ["drill", "--source", `tar:${archive}`]));
  });

  it("writes documents that validate and seal as they are, placeholders and all", () => {
    const layout = metisLayout();
    initOf(layout);
    const config = readFileSync(join(layout.dir, "ops/drill.json"), "utf8");
    expect(config).toContain('"x-todo"');
    sealAndKey(layout);
  });

  it("never overwrites: with the policy already there, exit 2 output_exists naming it, and nothing written", () => {
    const layout = avalancheLayout();
    const policy = join(layout.dir, "ops/datasets/rollback-policy.json");
    execFileSync("mkdir", ["-p", join(layout.dir, "ops/datasets")]);
    writeFileSync(policy, "mine\n");
    const result = run(layout, ["init", "--root", layout.root]);
    expect(result.code, result.stdout).toBe(2);
    expect(result.json()).toHaveFinding("output_exists", "ops/datasets/rollback-policy.json");
    expect(readFileSync(policy, "utf8")).toBe("mine\n");
    expect(existsSync(join(layout.dir, "ops/drill.json"))).toBe(false);
  });

  it("refuses a store root that is not a directory (exit 2 usage_invalid)", () => {
    const layout = metisLayout();
    const result = run(layout, ["init", "--root", "nowhere"]);
    expect(result.code).toBe(2);
    expect(result.json()).toHaveFinding("usage_invalid", "--root");
  });
});
