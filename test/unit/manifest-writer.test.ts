// The streamed manifest writer writes, artifact by artifact, exactly the bytes seal wrote when
// it held the whole manifest (formatJSON), and takes exactly its digest (digestOfJSON).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManifestText } from "../../src/documents/manifest-writer.js";
import type { Artifact, Manifest } from "../../src/documents/types.js";
import { digestOfJSON } from "../../src/identity/digest.js";
import { formatJSON } from "../../src/util/atomic-write.js";

/** The writer's text and digest for `artifacts`, added one at a time. */
function written(artifacts: readonly Artifact[]): { text: string; digest: { sha256: string } } {
  const parts: string[] = [];
  const writer = new ManifestText((text) => parts.push(text));
  for (const artifact of artifacts) writer.add(artifact);
  expect(writer.count).toBe(artifacts.length);
  const digest = writer.finish();
  return { text: parts.join(""), digest };
}

function expectAsWhole(artifacts: readonly Artifact[]): void {
  const manifest: Manifest = { schemaVersion: 1, artifacts };
  const { text, digest } = written(artifacts);
  expect(text).toBe(formatJSON(manifest));
  expect(digest).toEqual(digestOfJSON(manifest));
}

const digestSet = fc.record({ sha256: fc.stringMatching(/^[0-9a-f]{64}$/) });

/** Artifacts as seal writes them, with any JSON besides (names, numbers, nesting, Unicode). */
const artifact: fc.Arbitrary<Artifact> = fc
  .record(
    {
      path: fc.string({ unit: "binary", maxLength: 40 }),
      kind: fc.constantFrom("sqlite", "pgdump", "json", "file", "dir"),
      role: fc.constantFrom("durable", "reconstructable", "disposable"),
      size: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      digest: digestSet,
      sqlite: fc.record({
        contentDigest: digestSet,
        tables: fc.array(fc.record({ name: fc.string(), rows: fc.nat() }), { maxLength: 4 }),
        identity: fc.constantFrom("bytes", "content"),
      }),
      level: fc.constantFrom("content", "schema", "present"),
    },
    { requiredKeys: ["path", "kind", "role", "size", "digest"] },
  )
  .chain((base) =>
    fc
      .dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
        maxKeys: 3,
      })
      .map((extra) => ({ ...extra, ...base })),
  );

describe("ManifestText", () => {
  it("writes formatJSON's bytes and digestOfJSON's digest for any artifacts", () => {
    fc.assert(
      fc.property(fc.array(artifact, { maxLength: 12 }), (artifacts) => {
        expectAsWhole(artifacts);
      }),
      { numRuns: 300 },
    );
  });

  it("writes an empty manifest as formatJSON does", () => {
    expectAsWhole([]);
    expect(written([]).text).toBe('{\n  "schemaVersion": 1,\n  "artifacts": []\n}\n');
  });

  it("digests a manifest far longer than one piece of the hash as a whole", () => {
    const artifacts = Array.from({ length: 20_000 }, (_, i) => ({
      path: `files/d${String(Math.floor(i / 1000)).padStart(3, "0")}/f${i}.txt`,
      kind: "file" as const,
      role: "durable" as const,
      size: i * 37,
      digest: digestOfJSON(i),
    }));
    expectAsWhole(artifacts);
  });

  it("rewrites the bundled example's sealed manifest byte for byte, with its digest", () => {
    const file = new URL("../../ops/release/evidence/manifest.json", import.meta.url);
    const bytes = readFileSync(file, "utf8");
    const manifest = JSON.parse(bytes) as Manifest;
    const { text, digest } = written(manifest.artifacts);
    expect(text).toBe(bytes);
    expect(digest).toEqual(digestOfJSON(manifest));
  });
});
