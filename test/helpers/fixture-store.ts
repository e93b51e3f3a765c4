// Builds a small, valid, sealed store in a fresh temp dir: the base every negative test
// changes exactly one thing of.
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { makeTempDir } from "./temp-dir.js";
import { seal } from "../../src/verbs/seal.js";

export const FIXTURE_RELEASE = { releaseId: "fixture-1.2.3", releaseVersion: "1.2.3" };
export const FIXTURE_EPOCH = "1793491200"; // 2026-11-01T00:00:00Z

export type FixtureStore = {
  /** The directory that holds ops/ and store/. */
  readonly dir: string;
  readonly store: string;
  readonly ops: string;
  readonly path: (relative: string) => string;
};

export function createSQLiteDataset(path: string, rows = 200): void {
  const db = new Database(path);
  db.exec(`PRAGMA page_size=1024;
    CREATE TABLE Places(id INTEGER PRIMARY KEY, name TEXT NOT NULL, pop INTEGER, lat REAL, note BLOB);
    CREATE INDEX places_name ON Places(name);`);
  const insert = db.prepare("INSERT INTO Places VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      insert.run(
        i,
        `Place ${i} ${"é".repeat(i % 3)}`,
        i % 7 === 0 ? null : i * 1000 - 5000,
        i / 3,
        i % 5 === 0 ? Buffer.from([i % 256, 0, 1]) : null,
      );
    }
  })();
  db.close();
}

/** The example's rollback policy, with release rules that admit the fixture release. */
const EXAMPLE_POLICY = JSON.parse(
  readFileSync(new URL("../../ops/datasets/rollback-policy.json", import.meta.url), "utf8"),
) as { releases: Record<string, unknown> } & Record<string, unknown>;
export const POLICY: Record<string, unknown> = {
  ...EXAMPLE_POLICY,
  releases: {
    ...EXAMPLE_POLICY.releases,
    versionFloor: "1.0.0",
    allowedIds: ["fixture-*"],
    deniedIds: ["fixture-0.*"],
    maxAge: "3650d",
  },
};

export function drillConfigFor(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    store: { root: "store", catalog: "catalog.json", runtimeConfig: "config/runtime.json" },
    roles: [
      { pattern: "cache/**", role: "disposable" },
      { pattern: "summaries/**", role: "reconstructable" },
    ],
    sqlite: { identity: "bytes" },
    probes: [
      {
        name: "places-count",
        type: "sql",
        dataset: "places",
        query: "SELECT count(*) FROM Places",
        expect: { rowCount: 1 },
      },
    ],
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Writes the store and the ops dir (policy and config), without sealing. */
export function createUnsealedStore(): FixtureStore {
  const dir = makeTempDir("recoverable-fixture-");
  const store = join(dir, "store");
  const ops = join(dir, "ops");
  for (const sub of ["datasets", "config", "summaries", "cache"])
    mkdirSync(join(store, sub), { recursive: true });
  mkdirSync(join(ops, "datasets"), { recursive: true });
  createSQLiteDataset(join(store, "datasets", "places.sqlite"));
  writeFileSync(
    join(store, "catalog.json"),
    json({ datasets: [{ name: "places", path: "datasets/places.sqlite", title: "Places" }] }),
  );
  writeFileSync(
    join(store, "config", "runtime.json"),
    json({ listen: { host: "127.0.0.1", port: 0 } }),
  );
  writeFileSync(join(store, "README.txt"), "The fixture store.\n");
  writeFileSync(join(store, "summaries", "summary.json"), json({ places: 200 }));
  writeFileSync(join(store, "cache", "query-cache.json"), json({ "SELECT 1": [1] }));
  writeFileSync(join(ops, "datasets", "rollback-policy.json"), json(POLICY));
  writeFileSync(join(ops, "drill.json"), json(drillConfigFor()));
  return { dir, store, ops, path: (relative) => join(store, ...relative.split("/")) };
}

/** A sealed fixture store: verify on it is proven. */
export async function createFixtureStore(): Promise<FixtureStore> {
  const fixture = createUnsealedStore();
  const result = await seal({
    ...FIXTURE_RELEASE,
    cwd: fixture.dir,
    config: join(fixture.ops, "drill.json"),
    env: { SOURCE_DATE_EPOCH: FIXTURE_EPOCH },
  });
  if (result.exitCode !== 0)
    throw new Error(`fixture seal failed: ${JSON.stringify(result.findings)}`);
  return fixture;
}
