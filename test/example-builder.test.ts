// scripts/build-example-store.mjs rebuilds the bundled example: it finishes, reproduces the
// committed store byte for byte (so sealing it gives the release identity the README shows),
// keeps the files it does not build (the pg_dump), and puts the new store in place only when it
// is whole.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Manifest, Provenance } from "../src/documents/types.js";
import { runCLI } from "./helpers/cli.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const BUILDER = join(REPO, "scripts/build-example-store.mjs");
const manifest = JSON.parse(
  readFileSync(join(REPO, "ops/release/evidence/manifest.json"), "utf8"),
) as Manifest;
const provenance = JSON.parse(
  readFileSync(join(REPO, "ops/release/provenance.json"), "utf8"),
) as Provenance;
const GENERATED = manifest.artifacts
  .filter((a) => a.kind !== "dir" && a.path !== "datasets/gazetteer.pgdump")
  .map((a) => a.path);

/** The release identity the README's quoted runs show for the example. */
function readmeIdentity(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const shown = /recoverable verify release atlas-2026\.11\.1 sha256:([0-9a-f]{64})/.exec(readme);
  if (shown === null) throw new Error("README quotes no verify run of the example");
  return shown[1] ?? "";
}

/** A copy of ops/ whose store keeps only the pg_dump and the extra files the test adds. */
function copyWithoutGeneratedFiles(): string {
  const dir = makeTempDir("recoverable-builder-");
  cpSync(join(REPO, "ops"), join(dir, "ops"), { recursive: true });
  for (const path of GENERATED) rmSync(join(dir, "ops/store", path));
  return dir;
}

function build(out: string) {
  // The old builder never finished; the timeout turns that into a failure, not a hung suite.
  const run = spawnSync(process.execPath, [BUILDER, "--out", out], {
    encoding: "utf8",
    timeout: 45_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("the example builder", () => {
  it("rebuilds every file of the committed store byte for byte, keeping the pg_dump", () => {
    const dir = copyWithoutGeneratedFiles();
    const store = join(dir, "ops/store");
    const run = build(store);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("kept: datasets/gazetteer.pgdump");
    for (const artifact of manifest.artifacts.filter((a) => a.kind !== "dir")) {
      expect(sha256(join(store, artifact.path)), artifact.path).toBe(artifact.digest.sha256);
    }
    // Nothing left beside the store: no half-built or set-aside copy.
    expect(readdirSync(join(dir, "ops")).sort()).toEqual([
      "datasets",
      "drill.json",
      "release",
      "service",
      "store",
    ]);
  });

  it("gives a store that seals to the release identity the README shows", () => {
    const dir = copyWithoutGeneratedFiles();
    expect(build(join(dir, "ops/store")).code).toBe(0);
    const epoch = provenance.invocation.environment["SOURCE_DATE_EPOCH"];
    const sealed = runCLI(
      ["seal", "--json", "--release-id", "atlas-2026.11.1", "--release-version", "2026.11.1"],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: String(epoch) } },
    );
    expect(sealed.code).toBe(0);
    expect(sealed.json().releaseIdentity).toEqual({ sha256: readmeIdentity() });
  });

  it("keeps files of the old store it does not build and replaces the ones it does", () => {
    const dir = copyWithoutGeneratedFiles();
    const store = join(dir, "ops/store");
    writeFileSync(join(store, "catalog.json"), "{}\n");
    mkdirSync(join(store, "notes"));
    writeFileSync(join(store, "notes/operator.txt"), "kept\n");
    expect(build(store).code).toBe(0);
    expect(readFileSync(join(store, "notes/operator.txt"), "utf8")).toBe("kept\n");
    const catalog = manifest.artifacts.find((a) => a.path === "catalog.json");
    expect(sha256(join(store, "catalog.json"))).toBe(catalog?.digest.sha256);
  });

  it("leaves the old store as it was when the new one cannot be completed", () => {
    const dir = copyWithoutGeneratedFiles();
    const store = join(dir, "ops/store");
    // A file inside a directory named like a file the build makes cannot be carried over.
    mkdirSync(join(store, "catalog.json"));
    writeFileSync(join(store, "catalog.json/old.txt"), "old\n");
    const run = build(store);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("was not rebuilt (left as it was)");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(store, "catalog.json/old.txt"), "utf8")).toBe("old\n");
    expect(existsSync(join(store, "datasets/gazetteer.pgdump"))).toBe(true);
    expect(existsSync(join(store, "datasets/cities.sqlite"))).toBe(false);
    expect(readdirSync(join(dir, "ops")).filter((name) => name.startsWith("."))).toEqual([]);
  });
});
