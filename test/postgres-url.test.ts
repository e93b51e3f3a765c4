// {postgres.url} and {postgres.url:<dataset>}: the service under test is given the URL of the
// database the drill restored each pg_dump into, so an application that reads PostgreSQL is
// probed end to end; a placeholder naming no pg_dump dataset is refused before the drill runs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { avalancheLayout, type SeedLayout } from "./helpers/seed-layouts.js";

const SERVICE = fileURLToPath(new URL("./fixtures/pg-service/orders-service.mjs", import.meta.url));

function run(layout: SeedLayout, args: string[]): CLIRun {
  return runCLI([...args, "--json"], { cwd: layout.dir });
}

/** An Avalanche-like store, init'ed, with the orders service and an http probe of it. */
function withService(databaseURL: string): SeedLayout {
  const layout = avalancheLayout();
  expect(run(layout, ["init", "--root", layout.root]).code).toBe(0);
  const file = join(layout.dir, "ops/drill.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  config["service"] = {
    command: ["node", SERVICE],
    env: { DATABASE_URL: databaseURL },
    readiness: { path: "/health", timeout: "30s" },
  };
  config["probes"] = [
    {
      name: "orders-from-the-service",
      type: "http",
      path: "/orders/count",
      expect: { status: 200, json: [{ pointer: "/count", equals: 12 }] },
    },
  ];
  writeFileSync(file, JSON.stringify(config, null, 2));
  expect(run(layout, ["keygen", "--out", ".recoverable/keys"]).code).toBe(0);
  return layout;
}

describe("the service reaches the restored PostgreSQL", () => {
  it("through {postgres.url}: a service reading the restored dump answers its http probe, and the drill is proven", () => {
    const layout = withService("{postgres.url}");
    const sealed = run(layout, ["seal", "--release-id", "orders", "--release-version", "1.0.0"]);
    expect(sealed.code, sealed.stdout).toBe(0);
    const drilled = run(layout, ["drill", "--source", `dir:${layout.root}`, "--out", "out"]);
    expect(drilled.code, drilled.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(layout.dir, "out/drill-report.json"), "utf8")) as {
      checks: { name: string; kind: string; status: string }[];
    };
    expect(report.checks.find((c) => c.name === "orders-from-the-service")?.status).toBe("passed");
  });

  it("through {postgres.url:<dataset>} too", () => {
    const layout = withService("{postgres.url:avalanche}");
    expect(run(layout, ["seal", "--release-id", "orders", "--release-version", "1.0.0"]).code).toBe(
      0,
    );
    const drilled = run(layout, ["drill", "--source", `dir:${layout.root}`, "--out", "out"]);
    expect(drilled.code, drilled.stdout).toBe(0);
  });

  it("naming a dataset the release does not have is refused before the drill runs (exit 2, dataset_unknown)", () => {
    const layout = withService("{postgres.url:avalanche}");
    expect(run(layout, ["seal", "--release-id", "orders", "--release-version", "1.0.0"]).code).toBe(
      0,
    );
    const file = join(layout.dir, "ops/drill.json");
    const config = JSON.parse(readFileSync(file, "utf8")) as {
      service: { env: Record<string, string> };
    };
    config.service.env["DATABASE_URL"] = "{postgres.url:app}";
    writeFileSync(file, JSON.stringify(config, null, 2));
    mkdirSync(join(layout.dir, "out-none"));
    const drilled = run(layout, ["drill", "--source", `dir:${layout.root}`]);
    expect(drilled.code, drilled.stdout).toBe(2);
    expect(drilled.json()).toHaveFinding(
      "dataset_unknown",
      "ops/drill.json#/service/env/DATABASE_URL",
    );
    expect(drilled.json()["stages"]).toEqual([]);
  });
});
