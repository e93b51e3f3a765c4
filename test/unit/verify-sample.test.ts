// A sampled store check (verify --sample): the content of the sampled artifacts and of every
// durable database is read, the rest is checked for its place and size only, and consecutive
// seeds together read every artifact.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Artifact, Manifest } from "../../src/documents/types.js";
import type { Finding } from "../../src/findings/finding.js";
import { inSample, runsToCover } from "../../src/store/sample.js";
import { verifyStore } from "../../src/store/verify-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const FILES = 400;

function errorsOf(findings: readonly Finding[]): [string, string][] {
  return findings.filter((f) => f.severity === "error").map((f) => [f.code, f.subject]);
}

function artifactOf(root: string, path: string, kind: Artifact["kind"]): Artifact {
  const bytes = readFileSync(join(root, path));
  return {
    path,
    kind,
    role: "durable",
    size: bytes.length,
    digest: { sha256: createHash("sha256").update(bytes).digest("hex") },
  };
}

function buildStore(): { root: string; manifest: Manifest } {
  const root = makeTempDir();
  mkdirSync(join(root, "files"));
  const artifacts: Artifact[] = [];
  // Its one directory is not an artifact: a stray, reported as a warning, never read.
  const db = new Database(join(root, "main.sqlite"));
  db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
  db.close();
  artifacts.push(artifactOf(root, "main.sqlite", "sqlite"));
  for (let i = 0; i < FILES; i++) {
    const path = `files/f${String(i).padStart(3, "0")}.txt`;
    writeFileSync(join(root, path), `file ${i}\n`);
    artifacts.push(artifactOf(root, path, "file"));
  }
  artifacts.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { root, manifest: { schemaVersion: 1, artifacts } };
}

describe("a sampled store check", () => {
  const { root, manifest } = buildStore();
  const spec = { fraction: 0.1, seed: 7 };
  const files = manifest.artifacts.filter((a) => a.kind === "file").map((a) => a.path);
  const sampled = files.filter((p) => inSample(p, spec));
  const left = files.filter((p) => !inSample(p, spec));

  it("reads the sample and every durable database, and checks the rest by place and size", async () => {
    const result = await verifyStore(root, manifest, { concurrency: 2, sample: spec });
    expect(errorsOf(result.findings)).toEqual([]);
    expect(result.sample).toEqual({
      ...spec,
      contentChecked: sampled.length + 1,
      placeOnly: left.length,
      paths: ["main.sqlite", ...sampled].sort(),
    });
    expect(result.checked.byCheck.sha256).toBe(sampled.length + 1);
    expect(result.checked.byCheck.size).toBe(FILES + 1);
    expect(result.checked.byCheck.presence).toBe(FILES + 1);
  });

  it("finds other bytes in the sample, a changed size outside it, and says nothing of same-size bytes outside it", async () => {
    const [inside] = sampled as [string];
    const [same, shorter] = left as [string, string];
    writeFileSync(join(root, inside), "other bytes, longer\n");
    writeFileSync(join(root, same), readFileSync(join(root, same), "utf8").replace("file", "FILE"));
    writeFileSync(join(root, shorter), "x\n");
    const result = await verifyStore(root, manifest, { concurrency: 2, sample: spec });
    expect(errorsOf(result.findings).sort()).toEqual(
      [
        ["artifact_size_mismatch", inside],
        ["artifact_size_mismatch", shorter],
      ].sort(),
    );
    // The same-size change is found by the run whose window holds it.
    const full = await verifyStore(root, manifest, { concurrency: 2 });
    expect(full.sample).toBeNull();
    expect(
      errorsOf(full.findings)
        .map(([, subject]) => subject)
        .sort(),
    ).toEqual([inside, same, shorter].sort());
  });

  it("reads every artifact over runsToCover runs with consecutive seeds", async () => {
    const seen = new Set<string>();
    for (let seed = 40; seed < 40 + runsToCover(0.1); seed++) {
      const result = await verifyStore(root, manifest, { sample: { fraction: 0.1, seed } });
      for (const path of result.sample?.paths ?? []) seen.add(path);
    }
    expect(seen.size).toBe(FILES + 1);
  });
});
