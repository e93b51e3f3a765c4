// src/documents/manifest-stream.ts: what the streamed reader accepts, the ordinary loader
// accepts too, with the same artifacts and the same digest; what it does not understand it
// leaves to the ordinary loader (null), never half-read.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkManifestPaths, loadDocument } from "../../src/documents/load-evidence.js";
import { streamManifest } from "../../src/documents/manifest-stream.js";
import type { Artifact, Manifest } from "../../src/documents/types.js";
import { digestOfJSON } from "../../src/identity/digest.js";
import { artifactsOf } from "../../src/documents/artifact-table.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const dir = makeTempDir();
let fileNumber = 0;
function write(text: string): string {
  const file = join(dir, `manifest-${fileNumber++}.json`);
  writeFileSync(file, text);
  return file;
}

/** The ordinary loader's answer: the manifest, or null when it has any finding. */
async function ordinary(file: string): Promise<Manifest | null> {
  const loaded = await loadDocument("manifest", file, "evidence manifest");
  if (loaded.value === null) return null;
  if (checkManifestPaths(loaded.value, loaded.file).length > 0) return null;
  return loaded.value;
}

const segment = fc
  .stringMatching(/^[a-zA-Z0-9_é\u4e2d" -]{1,8}$/)
  .filter((s) => s !== "." && s !== "..");
const artifact = fc.record(
  {
    path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/")),
    kind: fc.constantFrom("file", "json", "dir"),
    role: fc.constantFrom("durable", "reconstructable", "disposable"),
    size: fc.nat({ max: 2 ** 40 }),
    digest: fc.record({ sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
    "x-note": fc.string({ maxLength: 6 }),
  },
  { requiredKeys: ["path", "kind", "role", "size", "digest"] },
);
const manifest = fc.record(
  {
    schemaVersion: fc.constant(1),
    artifacts: fc.uniqueArray(artifact, { selector: (a) => a.path, maxLength: 40 }),
    "x-by": fc.string({ maxLength: 6 }),
  },
  { requiredKeys: ["schemaVersion", "artifacts"] },
);

/** The same value in other clothes: key order, indentation, a BOM. */
function dress(value: object, indent: number, reverse: boolean, bom: boolean): string {
  const reorder = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reorder)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            (reverse ? Object.entries(v).reverse() : Object.entries(v)).map(([k, x]) => [
              k,
              reorder(x),
            ]),
          )
        : v;
  return `${bom ? "\uFEFF" : ""}${JSON.stringify(reorder(value), null, indent)}\n`;
}

describe("streamManifest", () => {
  it("reads any valid manifest, however written, as the ordinary loader does", async () => {
    await fc.assert(
      fc.asyncProperty(
        manifest,
        fc.nat(4),
        fc.boolean(),
        fc.boolean(),
        async (value, indent, reverse, bom) => {
          const file = write(dress(value, indent, reverse, bom));
          const streamed = await streamManifest(file);
          const loaded = await ordinary(file);
          expect(loaded).not.toBeNull();
          expect(streamed).not.toBeNull();
          if (streamed === null || loaded === null) return;
          expect(streamed.digest).toEqual(digestOfJSON(loaded));
          expect([...artifactsOf(streamed.artifacts)]).toEqual(loaded.artifacts as Artifact[]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("accepts nothing the ordinary loader refuses, whatever a byte is changed to", async () => {
    const value = {
      schemaVersion: 1,
      artifacts: [
        {
          path: "a/b.txt",
          kind: "file",
          role: "durable",
          size: 3,
          digest: { sha256: "a".repeat(64) },
        },
        { path: "c", kind: "dir", role: "durable", size: 0, digest: { sha256: "b".repeat(64) } },
      ],
    };
    const text = JSON.stringify(value, null, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(text.length - 1),
        fc.constantFrom(",", "]", "[", "{", "}", '"', ":", " ", "\\", "1", "x", ""),
        async (at, replacement) => {
          const file = write(text.slice(0, at) + replacement + text.slice(at + 1));
          const streamed = await streamManifest(file);
          const loaded = await ordinary(file);
          if (streamed === null) return; // left to the ordinary loader, which says what is wrong
          expect(loaded).not.toBeNull();
          if (loaded === null) return;
          expect(streamed.digest).toEqual(digestOfJSON(loaded));
          expect([...artifactsOf(streamed.artifacts)]).toEqual(loaded.artifacts as Artifact[]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads a manifest larger than its read chunks and its first columns", async () => {
    const artifacts = Array.from({ length: 12_000 }, (_, i) => ({
      path: `datasets/région-${String(i).padStart(5, "0")}/${"long-name-".repeat(4)}${i}.parquet`,
      kind: "file",
      role: i % 3 === 0 ? "reconstructable" : "durable",
      size: i * 4099,
      digest: { sha256: i.toString(16).padStart(64, "0") },
    }));
    const file = write(JSON.stringify({ schemaVersion: 1, artifacts }, null, 2));
    const streamed = await streamManifest(file);
    const loaded = await ordinary(file);
    expect(streamed?.artifacts.length).toBe(12_000);
    expect(streamed?.digest).toEqual(digestOfJSON(loaded));
    expect([...artifactsOf(streamed?.artifacts ?? [])]).toEqual(artifacts);
  });

  it("leaves duplicates, escaping paths, trailing commas and a second artifacts key to the ordinary loader", async () => {
    const one = (path: string) =>
      `{"path": ${JSON.stringify(path)}, "kind": "file", "role": "durable", "size": 1, "digest": {"sha256": "${"c".repeat(64)}"}}`;
    for (const text of [
      `{"schemaVersion": 1, "artifacts": [${one("a")}, ${one("a")}]}`,
      `{"schemaVersion": 1, "artifacts": [${one("../etc/passwd")}]}`,
      `{"schemaVersion": 1, "artifacts": [${one("a")},]}`,
      `{"schemaVersion": 1, "artifacts": [${one("a")}], "artifacts": []}`,
      `{"schemaVersion": 1, "artifacts": [${one("a")}], "surprise": true}`,
      `{"schemaVersion": 2, "artifacts": [${one("a")}]}`,
      `{"schemaVersion": 1, "artifacts": [${one("a")}]`,
    ]) {
      const file = write(text);
      expect(await streamManifest(file), text).toBeNull();
      expect(await ordinary(file), text).toBeNull();
    }
  });
});
