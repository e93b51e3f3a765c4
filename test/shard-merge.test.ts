// report merge of bytes-greedy-v2 shard reports, which carry a path-set digest instead of
// their paths: a split whose sums do not add up to the manifest's is refused and nothing is
// written; a whole set of bytes-greedy-v1 reports (their paths listed) still merges; a set
// mixing the two is refused; and a manifest read into a table splits as a streamed one does.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
