// report merge of bytes-greedy-v2 shard reports, which carry a path-set digest instead of
// their paths: a split whose sums do not add up to the manifest's is refused and nothing is
// written; a whole set of bytes-greedy-v1 reports (their paths listed) still merges; a set
// mixing the two is refused; and a manifest read into a table splits as a streamed one does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../src/documents/types.js";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { asV1, readReport, signShardReport } from "./helpers/shard-reports.js";

const PUB = ".recoverable/keys/drill.pub";
const envelopes = (dir: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${dir}/shard-${i + 1}-of-${n}.dsse.json`);

function merge(example: ExampleCopy, files: string[], out: string) {
  return runCLI(["report", "merge", ...files, "--key", PUB, "--out", out, "--json"], {
    cwd: example.dir,
  });
}

describe("report merge of bytes-greedy-v2 shard reports", () => {
  let example: ExampleCopy;
  let manifest: Manifest;
  beforeAll(() => {
    example = copyExample();
    for (let i = 1; i <= 4; i++) {
      const run = runCLI(["verify", "--json", "--shard", `${i}/4`, "--out", "shards"], {
        cwd: example.dir,
      });
      expect(run.code, run.stdout).toBe(0);
    }
    manifest = JSON.parse(
      readFileSync(example.path("ops/release/evidence/manifest.json"), "utf8"),
    ) as Manifest;
  });

  it.each([
    [
      "bytes",
      (shard: Record<string, unknown>) => ({ ...shard, bytes: Number(shard["bytes"]) + 1 }),
    ],
    [
      "path-set digest",
      (shard: Record<string, unknown>) => ({
        ...shard,
        pathSet: { ...(shard["pathSet"] as object), sum: "0".repeat(63) + "1" },
      }),
    ],
  ])(
    "refuses a set whose %s do not add up: shard_set_mismatch, exit 1, nothing written",
    async (what, change) => {
      const report = readReport(example, "shards/shard-3-of-4.json");
      const dir = `bad-${what.replace(/ /g, "-")}`;
      await signShardReport(
        example,
        { ...report, shard: change(report.shard) },
        `${dir}/shard-3-of-4.dsse.json`,
      );
      const files = envelopes("shards", 4);
      files[2] = `${dir}/shard-3-of-4.dsse.json`;
      const run = merge(example, files, `merged-${dir}`);
      expect(run.code).toBe(1);
      expect(run.json()).toHaveFinding("shard_set_mismatch", "shards");
      expect(run.json().findings.find((f) => f.code === "shard_set_mismatch")?.message).toContain(
        what,
      );
      expect(run.json()["merged"]).toBeNull();
      expect(existsSync(example.path(`merged-${dir}`))).toBe(false);
    },
  );

  it("merges a whole set of bytes-greedy-v1 reports, their paths listed, as before", async () => {
    const whole = merge(example, envelopes("shards", 4), "merged-v2");
    expect(whole.code).toBe(0);
    const checks = new Map<string, unknown>();
    for (let i = 1; i <= 4; i++)
      for (const check of readReport(example, `shards/shard-${i}-of-4.json`).checks)
        checks.set(check.name, check);
    for (let i = 1; i <= 4; i++) {
      const report = readReport(example, `shards/shard-${i}-of-4.json`);
      await signShardReport(
        example,
        asV1(report, manifest.artifacts, checks),
        `v1/shard-${i}-of-4.dsse.json`,
      );
    }
    const run = merge(example, envelopes("v1", 4), "merged-v1");
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().verdict).toBe("proven");
    const merged = JSON.parse(
      readFileSync(example.path("merged-v1/merged-report.json"), "utf8"),
    ) as {
      assignment: string;
      checks: unknown[];
      shards: { pathsDigest?: unknown; pathSet?: unknown }[];
    };
    expect(merged.assignment).toBe("bytes-greedy-v1");
    expect(merged.checks).toHaveLength(manifest.artifacts.length);
    expect(merged.shards.every((s) => s.pathsDigest !== undefined)).toBe(true);

    // A v1 set whose path lists overlap is refused as it always was.
    const first = readReport(example, "v1/shard-1-of-4.json");
    const second = readReport(example, "v1/shard-2-of-4.json");
    const stolen = (second.shard["paths"] as string[])[0] ?? "";
    const paths = [...(first.shard["paths"] as string[]), stolen].sort();
    await signShardReport(
      example,
      { ...first, shard: { ...first.shard, paths, artifacts: paths.length } },
      "v1-bad/shard-1-of-4.dsse.json",
    );
    const overlapping = merge(
      example,
      ["v1-bad/shard-1-of-4.dsse.json", ...envelopes("v1", 4).slice(1)],
      "merged-v1-bad",
    );
    expect(overlapping.code).toBe(1);
    expect(overlapping.json()).toHaveFinding("shard_set_mismatch");
    expect(existsSync(example.path("merged-v1-bad"))).toBe(false);

    // A set mixing the two rules is not one split.
    const mixed = merge(
      example,
      ["v1/shard-1-of-4.dsse.json", ...envelopes("shards", 4).slice(1)],
      "merged-mixed",
    );
    expect(mixed.code).toBe(1);
    expect(mixed.json()).toHaveFinding("shard_set_mismatch");
    expect(existsSync(example.path("merged-mixed"))).toBe(false);
  });

  it("splits a manifest out of the walk's order (read into a table) exactly as a streamed one", () => {
    const original = readFileSync(example.path("ops/release/evidence/manifest.json"));
    const reordered = { ...manifest, artifacts: [...manifest.artifacts].reverse() };
    writeFileSync(
      example.path("ops/release/evidence/manifest.json"),
      JSON.stringify(reordered, null, 2),
    );
    try {
      for (let i = 1; i <= 4; i++) {
        // The manifest no longer matches the packet's digest: the chain says so, exit 1, but
        // the shard is still checked and its report written.
        const run = runCLI(["verify", "--json", "--shard", `${i}/4`, "--out", "table"], {
          cwd: example.dir,
        });
        expect(run.code).toBe(1);
        const streamed = readReport(example, `shards/shard-${i}-of-4.json`);
        const table = readReport(example, `table/shard-${i}-of-4.json`);
        expect(table.shard).toEqual(streamed.shard);
        expect(table.manifest["pathSet"]).toEqual(streamed.manifest["pathSet"]);
      }
    } finally {
      writeFileSync(example.path("ops/release/evidence/manifest.json"), original);
    }
  });
});

describe("shard reports of more than 10,000 artifacts each", () => {
  // 500 bytes each: the example's own 700 KB leave each of two shards (balanced by bytes)
  // well over 10,000 of them.
  const FILES = 24_000;
  const PER_DIR = 1000;
  const broken = "tiles/007/t500.txt";
  let example: ExampleCopy;
  beforeAll(() => {
    example = copyExample();
    for (let d = 0; d < FILES / PER_DIR; d++) {
      const dir = example.path(`ops/store/tiles/${String(d).padStart(3, "0")}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < PER_DIR; i++)
        writeFileSync(join(dir, `t${i}.txt`), `tile ${d} ${i}\n`.padEnd(500, "."));
    }
    example.seal("atlas-2026.11.2", "2026.11.2");
    // Same size, other bytes: a hash mismatch in exactly one shard.
    writeFileSync(example.path(`ops/store/${broken}`), "tile 7 5OO\n".padEnd(500, "."));
  }, 10 * 60_000);

  it(
    "summarise their passed checks, list the failure by path, and merge by adding up groups",
    () => {
      type Check = { name: string; status: string; artifacts?: number };
      const runs = [1, 2].map((i) =>
        runCLI(["verify", "--json", "--shard", `${i}/2`, "--out", "big"], { cwd: example.dir }),
      );
      expect(runs.map((run) => run.code).sort()).toEqual([0, 1]);
      for (let i = 1; i <= 2; i++) {
        const report = readReport(example, `big/shard-${i}-of-2.json`);
        const checks = report.checks as Check[];
        const artifacts = report.shard["artifacts"] as number;
        expect(artifacts).toBeGreaterThan(10_000);
        expect(checks.length).toBeLessThan(50);
        const failed = checks.filter((c) => c.status === "failed");
        const summarised = checks.filter((c) => c.artifacts !== undefined);
        expect(failed.length + summarised.length).toBe(checks.length);
        expect(failed.length + summarised.reduce((n, c) => n + (c.artifacts ?? 0), 0)).toBe(
          artifacts,
        );
        if (failed.length > 0) expect(failed.map((c) => c.name)).toEqual([broken]);
      }
      const run = merge(example, envelopes("big", 2), "merged-big");
      expect(run.code).toBe(1);
      expect(run.json().verdict).toBe("not_proven");
      expect(run.json()).toHaveFinding("artifact_hash_mismatch", broken);
      const merged = JSON.parse(
        readFileSync(example.path("merged-big/merged-report.json"), "utf8"),
      ) as { checks: Check[]; manifest: { artifacts: number } };
      const summaries = merged.checks.filter((c) => c.artifacts !== undefined);
      expect(merged.checks.filter((c) => c.status === "failed").map((c) => c.name)).toEqual([
        broken,
      ]);
      // Identical groups of the two shards are one group, their counts added up.
      expect(new Set(summaries.map((c) => c.name)).size).toBe(summaries.length);
      expect(1 + summaries.reduce((n, c) => n + (c.artifacts ?? 0), 0)).toBe(
        merged.manifest.artifacts,
      );
    },
    10 * 60_000,
  );
});
