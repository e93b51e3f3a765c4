// The bundled Atlas example can never drift: it verifies as checked in, sealing its store again
// gives the same release identity, and on a copy every durable artifact is guarded.
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./helpers/temp-dir.js";
import { describe, expect, it } from "vitest";
import type { Manifest, Provenance } from "../src/documents/types.js";
import { runCLI } from "./helpers/cli.js";

const REPO = new URL("..", import.meta.url).pathname;
const manifest = JSON.parse(
  readFileSync(join(REPO, "ops/release/evidence/manifest.json"), "utf8"),
) as Manifest;
const provenance = JSON.parse(
  readFileSync(join(REPO, "ops/release/provenance.json"), "utf8"),
) as Provenance;

/** A private copy of the example (ops/ with its store), so tests may break it. */
function copyOfExample(): string {
  const dir = makeTempDir("recoverable-example-");
  cpSync(join(REPO, "ops"), join(dir, "ops"), { recursive: true });
  return dir;
}

describe("the bundled example", () => {
  it("is proven as checked in, with its release identity", () => {
    const run = runCLI(["verify", "--json", "--strict"], { cwd: REPO });
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result.verdict).toBe("proven");
    expect(result.releaseId).toBe("atlas-2026.11.1");
    const identity = runCLI(["identity", "--json"], { cwd: REPO }).json();
    expect(result.releaseIdentity).toEqual(identity.releaseIdentity);
  });

  it("seals to the same release identity again (the evidence matches the store)", () => {
    const dir = copyOfExample();
    const epoch = provenance.invocation.environment["SOURCE_DATE_EPOCH"];
    expect(typeof epoch).toBe("string");
    const before = runCLI(["identity", "--json"], { cwd: dir }).json().releaseIdentity;
    const run = runCLI(
      ["seal", "--json", "--release-id", "atlas-2026.11.1", "--release-version", "2026.11.1"],
      {
        cwd: dir,
        env: { SOURCE_DATE_EPOCH: String(epoch) },
      },
    );
    expect(run.code).toBe(0);
    expect(run.json().releaseIdentity).toEqual(before);
  });

  it("has two or three SQLite datasets, a catalog, a runtime config, a summary and a cache", () => {
    const kinds = manifest.artifacts.filter((a) => a.kind === "sqlite");
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    expect(kinds.length).toBeLessThanOrEqual(3);
    const rows = kinds.flatMap((a) => a.sqlite?.tables ?? []).reduce((n, t) => n + t.rows, 0);
    expect(rows).toBeGreaterThan(3000);
    const roles = new Set(manifest.artifacts.map((a) => a.role));
    expect(roles).toEqual(new Set(["durable", "reconstructable", "disposable"]));
    for (const path of ["catalog.json", "config/runtime.json"]) {
      expect(manifest.artifacts.find((a) => a.path === path)?.role).toBe("durable");
    }
  });

  const durableFiles = manifest.artifacts.filter((a) => a.role === "durable" && a.kind !== "dir");
  it.each(durableFiles.map((a) => a.path))(
    "on a copy, one byte changed in %s gives exit 1 and artifact_hash_mismatch",
    (path) => {
      const dir = copyOfExample();
      const file = join(dir, "ops/store", path);
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 3);
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
      writeFileSync(file, bytes);
      const run = runCLI(["verify", "--json"], { cwd: dir });
      expect(run.code).toBe(1);
      expect(run.json()).toHaveFinding("artifact_hash_mismatch", path);
      rmSync(dir, { recursive: true });
    },
  );

  it("on a copy, a disposable artifact deleted still gives exit 0", () => {
    const dir = copyOfExample();
    const disposable = manifest.artifacts.filter((a) => a.role === "disposable");
    expect(disposable.length).toBeGreaterThan(0);
    rmSync(join(dir, "ops/store/cache"), { recursive: true });
    expect(runCLI(["verify", "--json"], { cwd: dir }).code).toBe(0);
  });
});
