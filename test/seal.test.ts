import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import canonicalizeReference from "canonicalize";
import { describe, expect, it } from "vitest";
import { FIXTURE_EPOCH, createUnsealedStore } from "./helpers/fixture-store.js";
import { runCLI } from "./helpers/cli.js";

const reference = canonicalizeReference as unknown as (value: unknown) => string;
const SEAL = ["seal", "--json", "--release-id", "fixture-1.2.3", "--release-version", "1.2.3"];
const readJSON = (path: string) =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

type ManifestArtifact = {
  path: string;
  kind: string;
  role: string;
  size: number;
  sqlite?: { tables: { name: string; rows: number }[] };
};

describe("seal", () => {
  it("writes the manifest, packet and provenance at the Atlas paths", () => {
    const fixture = createUnsealedStore();
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result["written"]).toEqual([
      "ops/release/evidence/manifest.json",
      "ops/release/packet/packet.json",
      "ops/release/provenance.json",
    ]);
    const provenance = readJSON(join(fixture.ops, "release/provenance.json"));
    expect(provenance["subject"]).toEqual([
      { name: "release:fixture-1.2.3", digest: result.releaseIdentity },
    ]);
  });

  it("detects kinds from content, not names, and applies the config's roles", () => {
    const fixture = createUnsealedStore();
    copyFileSync(fixture.path("datasets/places.sqlite"), fixture.path("datasets/places-copy.dat"));
    writeFileSync(fixture.path("datasets/fake.sqlite"), "not a database at all, despite the name");
    writeFileSync(fixture.path("notes.txt"), '{"really": "json"}');
    expect(runCLI(SEAL, { cwd: fixture.dir }).code).toBe(0);
    const artifacts = readJSON(join(fixture.ops, "release/evidence/manifest.json"))[
      "artifacts"
    ] as ManifestArtifact[];
    const byPath = new Map(artifacts.map((a) => [a.path, a]));
    expect(byPath.get("datasets/places-copy.dat")?.kind).toBe("sqlite");
    expect(byPath.get("datasets/fake.sqlite")?.kind).toBe("file");
    expect(byPath.get("notes.txt")?.kind).toBe("json");
    expect(byPath.get("datasets")?.kind).toBe("dir");
    expect(byPath.get("cache/query-cache.json")?.role).toBe("disposable");
    expect(byPath.get("summaries/summary.json")?.role).toBe("reconstructable");
    expect(byPath.get("catalog.json")?.role).toBe("durable");
    expect(byPath.get("datasets/places.sqlite")?.sqlite?.tables).toEqual([
      { name: "Places", rows: 200 },
    ]);
  });

  it("gives the same release identity twice with SOURCE_DATE_EPOCH", () => {
    const fixture = createUnsealedStore();
    const env = { SOURCE_DATE_EPOCH: FIXTURE_EPOCH };
    const first = runCLI(SEAL, { cwd: fixture.dir, env }).json();
    const second = runCLI(SEAL, { cwd: fixture.dir, env }).json();
    expect(first.releaseIdentity).not.toBeNull();
    expect(second.releaseIdentity).toEqual(first.releaseIdentity);
    const packet = readJSON(join(fixture.ops, "release/packet/packet.json"));
    expect((packet["release"] as { createdAt: string }).createdAt).toBe("2026-11-01T00:00:00Z");
  });

  it("makes identity --json equal sha256 of the packet's RFC 8785 form by another JCS implementation", () => {
    const fixture = createUnsealedStore();
    runCLI(SEAL, { cwd: fixture.dir });
    const identity = runCLI(["identity", "--json"], { cwd: fixture.dir });
    expect(identity.code).toBe(0);
    const packet = readJSON(join(fixture.ops, "release/packet/packet.json"));
    const expected = createHash("sha256").update(reference(packet)).digest("hex");
    expect(identity.json().releaseIdentity).toEqual({ sha256: expected });
  });

  it("refuses a store root with a symlink, with path_escapes_root, and writes nothing", () => {
    const fixture = createUnsealedStore();
    symlinkSync("/etc/passwd", fixture.path("datasets/passwd"));
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("path_escapes_root", "datasets/passwd");
    expect(() => readFileSync(join(fixture.ops, "release/packet/packet.json"))).toThrow();
  });

  it("needs the rollback policy to exist already", () => {
    const fixture = createUnsealedStore();
    rmSync(join(fixture.ops, "datasets/rollback-policy.json"));
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable", /rollback-policy\.json$/);
  });

  it("refuses a release version that is not semver, with exit 2", () => {
    const fixture = createUnsealedStore();
    const run = runCLI(["seal", "--json", "--release-id", "x", "--release-version", "v1"], {
      cwd: fixture.dir,
    });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid", "--release-version");
  });

  it("refuses a dataset that fails its integrity check", () => {
    const fixture = createUnsealedStore();
    const path = fixture.path("datasets/places.sqlite");
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 1024, 2048);
    writeFileSync(path, bytes);
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("sqlite_integrity_check_failed", "datasets/places.sqlite");
  });

  it("refuses a catalog that is JSON null with catalog_incomplete, not a crash", () => {
    const fixture = createUnsealedStore();
    writeFileSync(fixture.path("catalog.json"), "null\n");
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("catalog_incomplete", "catalog.json#/datasets");
  });

  it("says a catalog the config names is missing before walking the store, not after", () => {
    const fixture = createUnsealedStore();
    rmSync(fixture.path("catalog.json"));
    // The walk would refuse this symlink; a missing catalog is found first, without a walk.
    symlinkSync("/etc/passwd", fixture.path("datasets/passwd"));
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(2);
    const result = run.json();
    expect(result).toHaveFinding("document_unreadable", /catalog\.json$/);
    expect(result.findings.map((f) => f.code)).not.toContain("path_escapes_root");
  });

  it("writes to --ops when given, and verify finds them there", () => {
    const fixture = createUnsealedStore();
    mkdirSync(join(fixture.dir, "elsewhere/datasets"), { recursive: true });
    copyFileSync(
      join(fixture.ops, "datasets/rollback-policy.json"),
      join(fixture.dir, "elsewhere/datasets/rollback-policy.json"),
    );
    const run = runCLI([...SEAL, "--ops", "elsewhere"], { cwd: fixture.dir });
    expect(run.code).toBe(0);
    expect(runCLI(["verify", "--json", "--ops", "elsewhere"], { cwd: fixture.dir }).code).toBe(0);
  });
});
