// src/documents/artifact-table.ts: the compact columns give back every artifact exactly as parsed,
// and the store check judges a table exactly as it judges the parsed array.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Artifact } from "../../src/documents/types.js";
import {
  ArtifactTable,
  ArtifactTableBuilder,
  artifactsOf,
} from "../../src/documents/artifact-table.js";
import { verifyStore } from "../../src/store/verify-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const plainArtifact = fc.record({
  path: fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
  kind: fc.constantFrom("file", "json", "dir", "sqlite"),
  role: fc.constantFrom("durable", "reconstructable", "disposable"),
  size: fc.oneof(fc.nat(), fc.constant(2 ** 52 + 3)),
  digest: fc.record({ sha256: hex }),
}) as fc.Arbitrary<Artifact>;

/** Artifacts the columns cannot hold: they must come back as they were, untouched. */
const unusualArtifact = fc.oneof(
  plainArtifact.map((a) => ({
    ...a,
    kind: "sqlite" as const,
    sqlite: {
      contentDigest: { sha256: "a".repeat(64) },
      tables: [{ name: "t", rows: 3 }],
      identity: "bytes" as const,
    },
  })),
  plainArtifact.map((a) => ({ ...a, "x-owner": "team atlas" })),
  plainArtifact.map((a) => ({ ...a, digest: { sha256: a.digest.sha256.toUpperCase() } })),
  plainArtifact.map((a) => ({ ...a, kind: "pgdump" as const })),
);

describe("ArtifactTable", () => {
  it("gives back every artifact exactly, in order, whatever it holds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(plainArtifact, unusualArtifact), { maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        (list, chunkSize) => {
          // Chunks of any size, so artifacts land on every side of a chunk's edge.
          const builder = new ArtifactTableBuilder(chunkSize);
          for (const artifact of list) builder.push(artifact);
          const table = builder.build();
          const unique = new Set(list.map((a) => a.path)).size === list.length;
          expect(table.firstDuplicate() === -1).toBe(unique);
          if (unique)
            list.forEach((artifact, i) => {
              expect(table.indexOf(artifact.path)).toBe(i);
            });
          expect(table.length).toBe(list.length);
          expect([...artifactsOf(table)]).toEqual(list);
          list.forEach((artifact, i) => {
            expect(table.pathAt(i)).toBe(artifact.path);
          });
          expect(table.at(list.length)).toBeUndefined();
          expect(table.at(-1)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("grows past its first columns, finds every path and the first duplicate", () => {
    const builder = new ArtifactTableBuilder(16);
    const list = Array.from({ length: 3000 }, (_, i) => ({
      path: `données/${"x".repeat(i % 200)}/${i}`,
      kind: "file" as const,
      role: "durable" as const,
      size: i,
      digest: { sha256: i.toString(16).padStart(64, "0") },
    }));
    for (const artifact of list) builder.push(artifact);
    const table = builder.build();
    expect([...artifactsOf(table)]).toEqual(list);
    expect(table.firstDuplicate()).toBe(-1);
    expect(table.indexOf("données/xxx/3")).toBe(3);
    expect(table.indexOf(list[2999]?.path ?? "")).toBe(2999);
    expect(table.indexOf("données/xxx/4")).toBe(-1);
    expect(table.indexOf("")).toBe(-1);
    const twice = ArtifactTable.from([...list.slice(0, 10), list[4] as Artifact]);
    expect(twice.firstDuplicate()).toBe(10);
  });

  it("makes the store check judge the same as the parsed artifacts", async () => {
    const root = makeTempDir();
    const artifacts: Artifact[] = [];
    mkdirSync(join(root, "data"));
    artifacts.push({
      path: "data",
      kind: "dir",
      role: "durable",
      size: 0,
      digest: { sha256: "0".repeat(64) },
    });
    for (let i = 0; i < 5000; i++) {
      const path = `data/é-${i}.txt`;
      const content = `artifact ${i}\n`;
      writeFileSync(join(root, path), content);
      artifacts.push({
        path,
        kind: "file",
        role: i % 7 === 0 ? "reconstructable" : "durable",
        size: content.length,
        digest: { sha256: createHash("sha256").update(content).digest("hex") },
      });
    }
    writeFileSync(join(root, "data/é-4500.txt"), "changed\n");
    writeFileSync(join(root, "data/stray.txt"), "not listed\n");
    const manifest = { schemaVersion: 1 as const, artifacts };
    const fromArray = await verifyStore(root, manifest, { concurrency: 2 });
    const fromTable = await verifyStore(root, ArtifactTable.from(artifacts), { concurrency: 2 });
    expect(fromTable).toEqual(fromArray);
    expect(fromTable.findings.map((f) => [f.code, f.subject])).toEqual([
      ["artifact_size_mismatch", "data/é-4500.txt"],
      ["unexpected_artifact", "data/stray.txt"],
    ]);
  });
});
