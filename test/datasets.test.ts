// Datasets of a store without a catalog: distinct names, or seal refuses with the fix named;
// a sql or http probe naming a dataset the release does not have is refused by seal.
import Database from "better-sqlite3";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { metisLayout, type SeedLayout } from "./helpers/seed-layouts.js";

function run(layout: SeedLayout, args: string[]): CLIRun {
  return runCLI([...args, "--json"], { cwd: layout.dir });
}

function seal(layout: SeedLayout): CLIRun {
  return run(layout, ["seal", "--release-id", "metis", "--release-version", "1.0.0"]);
}

function setProbes(layout: SeedLayout, probes: unknown[]): void {
  const file = join(layout.dir, "ops/drill.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  config["probes"] = probes;
  writeFileSync(file, JSON.stringify(config, null, 2));
}

describe("datasets without a catalog", () => {
  it("three databases named db.sqlite in instance directories are the datasets a/db, b/db and c/db", () => {
    const layout = metisLayout();
    expect(run(layout, ["init", "--root", layout.root]).code).toBe(0);
    setProbes(layout, []);
    const sealed = seal(layout);
    expect(sealed.code, sealed.stdout).toBe(0);
    const packet = JSON.parse(
      readFileSync(join(layout.dir, "ops/release/packet/packet.json"), "utf8"),
    ) as { datasets: { name: string }[] };
    expect(packet.datasets.map((d) => d.name)).toEqual(["a/db", "b/db", "c/db"]);
  });

  it("two databases nothing tells apart are refused by seal (exit 2, dataset_name_collision)", () => {
    const layout = metisLayout();
    expect(run(layout, ["init", "--root", layout.root]).code).toBe(0);
    setProbes(layout, []);
    const dir = join(layout.dir, layout.root, "instances/a");
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, "db.sqlite3"));
    db.exec("CREATE TABLE t (x)");
    db.close();
    const sealed = seal(layout);
    expect(sealed.code, sealed.stdout).toBe(2);
    expect(sealed.json()).toHaveFinding(
      "dataset_name_collision",
      "instances/a/db.sqlite, instances/a/db.sqlite3",
    );
  });

  it("a sql probe naming a dataset the release does not have is refused by seal (exit 2, dataset_unknown), naming those it has", () => {
    const layout = metisLayout();
    expect(run(layout, ["init", "--root", layout.root]).code).toBe(0);
    setProbes(layout, [
      { name: "db", type: "sql", dataset: "db", query: "SELECT 1", expect: { value: 1 } },
    ]);
    const sealed = seal(layout);
    expect(sealed.code, sealed.stdout).toBe(2);
    expect(sealed.json()).toHaveFinding("dataset_unknown", "ops/drill.json#/probes/0/dataset");
    expect(sealed.json().findings[0]?.message).toContain('"a/db", "b/db", "c/db"');
  });

  it("an http probe naming a dataset the release does not have is refused by seal (exit 2, dataset_unknown), naming those it has", () => {
    const layout = metisLayout();
    expect(run(layout, ["init", "--root", layout.root]).code).toBe(0);
    setProbes(layout, [
      { name: "a", type: "http", dataset: "a/db", path: "/", expect: { status: 200 } },
      { name: "z", type: "http", dataset: "z/db", path: "/", expect: { status: 200 } },
    ]);
    const sealed = seal(layout);
    expect(sealed.code, sealed.stdout).toBe(2);
    expect(sealed.json()).toHaveFinding("dataset_unknown", "ops/drill.json#/probes/1/dataset");
    expect(sealed.json().findings).toHaveLength(1);
    expect(sealed.json().findings[0]?.message).toContain('http probe "z"');
  });
});
