// Sharded verify and drill, end to end through the CLI on a copy of the bundled example: four
// shard reports merge into exactly a whole verify's checks, and a set that is not one whole
// split of one release is refused with the finding that says why.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../src/documents/types.js";
import { PathSetSum, pathDigest } from "../src/shard/path-set.js";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const PUB = ".recoverable/keys/drill.pub";
const shardFiles = (dir: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${dir}/shard-${i + 1}-of-${n}.dsse.json`);

function runShards(example: ExampleCopy, n: number, out: string, extra: string[] = []) {
  return Array.from({ length: n }, (_, i) =>
    runCLI(["verify", "--json", "--shard", `${i + 1}/${n}`, "--out", out, ...extra], {
      cwd: example.dir,
    }),
  );
}

function merge(example: ExampleCopy, envelopes: string[], out = "merged") {
  return runCLI(["report", "merge", ...envelopes, "--key", PUB, "--out", out, "--json"], {
    cwd: example.dir,
  });
}

describe("verify --shard i/n and report merge on the example", () => {
  let example: ExampleCopy;
  beforeAll(() => {
    example = copyExample();
    for (const run of runShards(example, 4, "shards")) expect(run.code).toBe(0);
  });

  it("gives four reports whose merge equals a whole verify's checks", () => {
    const whole = runCLI(["verify", "--json"], { cwd: example.dir });
    expect(whole.code).toBe(0);
    const merged = merge(example, shardFiles("shards", 4));
    expect(merged.code).toBe(0);
    const result = merged.json();
    expect(result.verdict).toBe("proven");
    expect(result.checked).toEqual(whole.json()["checked"]);
    expect(result.releaseIdentity).toEqual(whole.json().releaseIdentity);
    const report = result["merged"] as { report: { envelope: string; json: string } };
    // The merged envelope is its own predicate type, never taken for a drill report.
    const envelope = JSON.parse(readFileSync(example.path(report.report.envelope), "utf8")) as {
      payload: string;
    };
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
      predicateType: string;
      predicate: { verdict: string; shards: unknown[] };
    };
    expect(statement.predicateType).toBe("https://recoverable.dev/merged-report/v1");
    expect(statement.predicate.verdict).toBe("proven");
    expect(statement.predicate.shards).toHaveLength(4);
  });

  it("puts every artifact of the manifest in exactly one shard, shown by sums, no path list", () => {
    const manifest = JSON.parse(
      readFileSync(example.path("ops/release/evidence/manifest.json"), "utf8"),
    ) as Manifest;
    const reports = [1, 2, 3, 4].map(
      (i) =>
        JSON.parse(readFileSync(example.path(`shards/shard-${i}-of-4.json`), "utf8")) as {
          manifest: { artifacts: number; pathSet: { sum: string } };
          shard: { assignment: string; artifacts: number; pathSet: { sum: string } };
        },
    );
    const sum = new PathSetSum();
    for (const report of reports) {
      expect(report.shard.assignment).toBe("bytes-greedy-v2");
      expect(Object.keys(report.shard)).not.toContain("paths");
      sum.addHex(report.shard.pathSet.sum);
    }
    const whole = new PathSetSum();
    for (const artifact of manifest.artifacts) whole.add(pathDigest(artifact.path));
    expect(sum.hex()).toBe(whole.hex());
    expect(reports[0]?.manifest.pathSet.sum).toBe(whole.hex());
    expect(reports.reduce((n, r) => n + r.shard.artifacts, 0)).toBe(manifest.artifacts.length);
  });

  it("refuses a missing shard with shard_missing, exit 1, and writes nothing", () => {
    const run = merge(example, shardFiles("shards", 4).slice(0, 3), "merged-missing");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("shard_missing", "shard 4/4");
    expect(run.json()["merged"]).toBeNull();
    expect(() => readFileSync(example.path("merged-missing/merged-report.dsse.json"))).toThrow();
  });

  it("refuses a shard given twice with shard_duplicated, exit 1", () => {
    const files = shardFiles("shards", 4);
    const run = merge(example, [...files, files[1] ?? ""]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("shard_duplicated", "shard 2/4");
  });

  it("refuses a tampered envelope with report_signature_invalid, exit 1", () => {
    const files = shardFiles("shards", 4);
    const envelope = JSON.parse(readFileSync(example.path(files[2] ?? ""), "utf8")) as {
      payload: string;
    };
    const payload = Buffer.from(envelope.payload, "base64")
      .toString("utf8")
      .replace('"verdict":"proven"', '"verdict":"provem"');
    writeFileSync(
      example.path("tampered.dsse.json"),
      JSON.stringify({ ...envelope, payload: Buffer.from(payload).toString("base64") }),
    );
    const run = merge(example, [
      files[0] ?? "",
      files[1] ?? "",
      "tampered.dsse.json",
      files[3] ?? "",
    ]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_signature_invalid", "tampered.dsse.json");
  });

  it("refuses an envelope that is not JSON as unusable input, exit 2", () => {
    writeFileSync(example.path("not-json.dsse.json"), "{ not json");
    const run = merge(example, [...shardFiles("shards", 4).slice(0, 3), "not-json.dsse.json"]);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_unreadable");
  });

  it("refuses a report of another release: shard_release_mismatch, or report_subject_mismatch with --release", () => {
    // Another release: a copy sealed as another release, its shard signed with the same key.
    const other = copyExample();
    other.seal("atlas-2026.12.1", "2026.12.1");
    const key = example.path(".recoverable/keys/drill.key");
    const shard = runCLI(
      ["verify", "--json", "--shard", "2/4", "--key", key, "--out", example.path("other")],
      { cwd: other.dir },
    );
    expect(shard.code).toBe(0);
    const files = shardFiles("shards", 4);
    const run = merge(example, [
      files[0] ?? "",
      "other/shard-2-of-4.dsse.json",
      files[2] ?? "",
      files[3] ?? "",
    ]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("shard_release_mismatch", /^other\/shard-2-of-4\.dsse\.json#/);
    expect(run.json()).toHaveFinding("shard_missing", "shard 2/4");
    // Pinned with --release, a report of another release is report_subject_mismatch.
    const identity = runCLI(["identity", "--json"], { cwd: example.dir }).json().releaseIdentity;
    const pinned = runCLI(
      [
        "report",
        "merge",
        "other/shard-2-of-4.dsse.json",
        "--key",
        PUB,
        "--release",
        identity?.sha256 ?? "",
        "--json",
      ],
      { cwd: example.dir },
    );
    expect(pinned.code).toBe(1);
    expect(pinned.json()).toHaveFinding("report_subject_mismatch");
  });

  it.each(["0/4", "5/4", "1/0", "x"])("refuses --shard %s with usage_invalid, exit 2", (spec) => {
    const run = runCLI(["verify", "--json", "--shard", spec], { cwd: example.dir });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid", "--shard");
  });

  it("without --shard, verify writes nothing and adds no shard fields", () => {
    const result = runCLI(["verify", "--json"], { cwd: example.dir }).json();
    expect(Object.keys(result)).not.toContain("shard");
    expect(Object.keys(result)).not.toContain("report");
    const keyAlone = runCLI(["verify", "--json", "--out", "x"], { cwd: example.dir });
    expect(keyAlone.code).toBe(2);
    expect(keyAlone.json()).toHaveFinding("usage_invalid", "--out");
  });
});

describe("a corrupted artifact in a 4-shard verify", () => {
  it("is found by exactly the shard that owns it, and the merge is not proven", () => {
    const example = copyExample();
    const path = "datasets/cities.sqlite";
    const file = example.path(join("ops/store", path));
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 3);
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    writeFileSync(file, bytes);
    writeFileSync(example.path("ops/store/datasets/stray.txt"), "left behind");
    const runs = runShards(example, 4, "shards");
    const finders = runs.filter((run) =>
      run.json().findings.some((f) => f.code === "artifact_hash_mismatch" && f.subject === path),
    );
    expect(finders).toHaveLength(1);
    expect(finders[0]?.code).toBe(1);
    expect(runs.filter((run) => run.code === 0)).toHaveLength(3);
    // The stray file is reported once, by the shard that owns it.
    const strays = runs.flatMap((run) =>
      run.json().findings.filter((f) => f.code === "unexpected_artifact"),
    );
    expect(strays.map((f) => f.subject)).toEqual(["datasets/stray.txt"]);
    const merged = merge(example, shardFiles("shards", 4));
    expect(merged.code).toBe(1);
    expect(merged.json().verdict).toBe("not_proven");
    expect(merged.json()).toHaveFinding("artifact_hash_mismatch", path);
    expect(merged.json()).toHaveFinding("report_not_proven");
    expect(merged.json()["merged"]).not.toBeNull();
  });
});

describe("drill --shard i/n on the example", () => {
  it("restores, checks each shard, runs the service in shard 1 only, and merges proven", () => {
    const example = copyExample();
    const runs = [1, 2].map((i) =>
      runCLI(
        ["drill", "--json", "--source", "dir:ops/store", "--shard", `${i}/2`, "--out", "dshards"],
        {
          cwd: example.dir,
        },
      ),
    );
    for (const run of runs) expect(run.code, run.stdout).toBe(0);
    const stages = (i: number) =>
      (runs[i]?.json()["stages"] as { name: string; status: string }[]).find(
        (s) => s.name === "probes",
      )?.status;
    expect(stages(0)).toBe("passed");
    expect(stages(1)).toBe("skipped");
    const merged = merge(example, shardFiles("dshards", 2));
    expect(merged.code, merged.stdout).toBe(0);
    // A shard's envelope is not a drill report: report verify refuses it as such.
    const single = runCLI(
      ["report", "verify", "dshards/shard-1-of-2.dsse.json", "--key", PUB, "--json"],
      {
        cwd: example.dir,
      },
    );
    expect(single.code).toBe(2);
    expect(single.json()).toHaveFinding("document_invalid");
  });
});
