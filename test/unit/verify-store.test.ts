// src/store/verify-store.ts over more artifacts than one window holds: every artifact is
// checked once, findings come in manifest order whichever window finished first, and digests
// a restore took as it wrote are trusted instead of reading the files again.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Artifact, Manifest } from "../../src/documents/types.js";
import { verifyStore } from "../../src/store/verify-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const COUNT = 9000; // many windows of the store check

function buildStore(): { root: string; manifest: Manifest } {
  const root = makeTempDir();
  const artifacts: Artifact[] = [];
  for (let dir = 0; dir < COUNT / 100; dir++) {
    const path = `d${String(dir).padStart(3, "0")}`;
    mkdirSync(join(root, path));
    artifacts.push({
      path,
      kind: "dir",
      role: "durable",
      size: 0,
      digest: { sha256: "0".repeat(64) },
    });
    for (let file = 0; file < 100; file++) {
      const filePath = `${path}/f${String(file).padStart(3, "0")}.txt`;
      const content = `artifact ${dir}-${file}\n`;
      writeFileSync(join(root, filePath), content);
      artifacts.push({
        path: filePath,
        kind: "file",
        role: "durable",
        size: Buffer.byteLength(content),
        digest: { sha256: createHash("sha256").update(content).digest("hex") },
      });
    }
  }
  return { root, manifest: { schemaVersion: 1, artifacts } };
}

describe("verifyStore across windows", () => {
  const { root, manifest } = buildStore();

  it("checks every artifact once and reports each problem in manifest order", async () => {
    writeFileSync(join(root, "d085/f007.txt"), "changed late in the manifest\n");
    writeFileSync(join(root, "d001/f002.txt"), "changed early\n");
    const result = await verifyStore(root, manifest, { concurrency: 2 });
    const files = COUNT;
    expect(result.checked.byCheck.presence).toBe(files + COUNT / 100);
    expect(result.checked.byCheck.sha256).toBe(files);
    expect(result.findings.map((f) => [f.code, f.subject])).toEqual([
      ["artifact_size_mismatch", "d001/f002.txt"],
      ["artifact_size_mismatch", "d085/f007.txt"],
    ]);
  });

  it("trusts what a restore wrote instead of reading it again", async () => {
    const first = manifest.artifacts[1] as Artifact;
    // The file on disk is intact; the restore says it wrote other bytes: that is what counts.
    writeFileSync(join(root, "d001/f002.txt"), "artifact 1-2\n");
    writeFileSync(join(root, "d085/f007.txt"), "artifact 85-7\n");
    const written = new Map([
      [first.path, { size: first.size, digest: { sha256: "f".repeat(64) } }],
    ]);
    const result = await verifyStore(root, manifest, { written });
    expect(result.findings.map((f) => [f.code, f.subject])).toEqual([
      ["artifact_hash_mismatch", first.path],
    ]);
  });
});
