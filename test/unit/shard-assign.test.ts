// The shard assignment: every artifact in exactly one shard, balanced by bytes, and decided by
// the manifest alone, whatever its order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Artifact } from "../../src/documents/types.js";
import { assignShards, ownerOfUnlisted, selectShard } from "../../src/shard/assign.js";
import { checkShardSpec } from "../../src/shard/shard-spec.js";

const artifact = (path: string, size: number): Artifact => ({
  path,
  kind: "file",
  role: "durable",
  size,
  digest: { sha256: "0".repeat(64) },
});

const manifests = fc
  .uniqueArray(
    fc.record({ path: fc.string({ minLength: 1, maxLength: 12 }), size: fc.nat(1_000_000) }),
    { selector: (a) => a.path, maxLength: 60 },
  )
  .map((items) => items.map((item) => artifact(item.path, item.size)));

describe("assignShards", () => {
  it("puts every artifact in exactly one shard, numbered 1..n", () => {
    fc.assert(
      fc.property(manifests, fc.integer({ min: 1, max: 12 }), (artifacts, count) => {
        const shardOf = assignShards(artifacts, count);
        expect(shardOf).toHaveLength(artifacts.length);
        for (const shard of shardOf) expect(shard >= 1 && shard <= count).toBe(true);
        const selected = Array.from({ length: count }, (_, i) =>
          selectShard(artifacts, { index: i + 1, count }),
        );
        const all = selected.flatMap((s) => s.paths);
        expect(all.sort()).toEqual(artifacts.map((a) => a.path).sort());
      }),
    );
  });

  it("keeps the heaviest and lightest shards within the largest artifact of each other", () => {
    fc.assert(
      fc.property(manifests, fc.integer({ min: 1, max: 12 }), (artifacts, count) => {
        const loads = Array.from(
          { length: count },
          (_, i) => selectShard(artifacts, { index: i + 1, count }).bytes,
        );
        const largest = Math.max(0, ...artifacts.map((a) => a.size));
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(largest);
      }),
    );
  });

  it("does not depend on the order of the manifest", () => {
    fc.assert(
      fc.property(
        manifests.chain((artifacts) =>
          fc.tuple(
            fc.constant(artifacts),
            fc.shuffledSubarray(artifacts, { minLength: artifacts.length }),
          ),
        ),
        fc.integer({ min: 1, max: 8 }),
        ([artifacts, shuffled], count) => {
          const before = new Map(
            artifacts.map((a, i) => [a.path, assignShards(artifacts, count)[i]]),
          );
          const after = assignShards(shuffled, count);
          shuffled.forEach((a, i) => {
            expect(after[i]).toBe(before.get(a.path));
          });
        },
      ),
    );
  });

  it("gives a stray file to one shard, the same on every run", () => {
    expect(ownerOfUnlisted("datasets/stray.txt", 4)).toBe(ownerOfUnlisted("datasets/stray.txt", 4));
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 50 }), (path, count) => {
        const owner = ownerOfUnlisted(path, count);
        expect(owner >= 1 && owner <= count).toBe(true);
      }),
    );
  });

  it("splits the largest first onto the lightest shard", () => {
    const artifacts = [artifact("a", 10), artifact("b", 7), artifact("c", 5), artifact("d", 4)];
    // 10 -> 1, 7 -> 2, 5 -> 2 (7 < 10), 4 -> 1 (10 < 12): loads 14 and 12.
    expect(assignShards(artifacts, 2)).toEqual([1, 2, 2, 1]);
  });
});

describe("checkShardSpec", () => {
  it.each([
    ["1/1", { index: 1, count: 1 }],
    ["2/4", { index: 2, count: 4 }],
    ["4/4", { index: 4, count: 4 }],
  ])("accepts %s", (text, spec) => {
    const checked = checkShardSpec(text);
    expect(checked.ok && checked.value).toEqual(spec);
  });

  it.each(["0/4", "5/4", "1/0", "x", "", "1/4/2", "-1/4", "1.5/4", "2/10000"])(
    "refuses %j as usage_invalid",
    (text) => {
      const checked = checkShardSpec(text);
      expect(!checked.ok && checked.findings.map((f) => f.code)).toEqual(["usage_invalid"]);
    },
  );
});
