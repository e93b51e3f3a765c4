// Shard reports for merge tests: the rule of earlier versions (bytes-greedy-v1, every artifact
// placed greedily, each shard listing its paths), and re-signing a report with the example's key.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, basename } from "node:path";
import { digestOfJSON } from "../../src/identity/digest.js";
import { createSigner } from "../../src/report/signing.js";
import { writeSignedReport } from "../../src/report/write-signed.js";
import { SHARD_REPORT_PREDICATE_TYPE } from "../../src/shard/shard-report.js";
import type { ExampleCopy } from "./example-copy.js";

type Item = { readonly path: string; readonly size: number };

const hash = (path: string) => createHash("sha256").update(path, "utf8").digest().readUInt32BE(0);

/** Size descending, then hash, then path: the order both rules place artifacts in. */
export function greedyOrder<T extends Item>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) =>
      b.size - a.size ||
      hash(a.path) - hash(b.path) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/** Each of `items` (in order) onto the lightest shard (bytes, then count, then index). */
export function greedy(
  items: readonly Item[],
  bytes: number[],
  members: number[],
): Map<string, number> {
  const shardOf = new Map<string, number>();
  for (const item of items) {
    let best = 0;
    for (let shard = 1; shard < bytes.length; shard++) {
      const [b, bb] = [bytes[shard] ?? 0, bytes[best] ?? 0];
      if (b < bb || (b === bb && (members[shard] ?? 0) < (members[best] ?? 0))) best = shard;
    }
    bytes[best] = (bytes[best] ?? 0) + item.size;
    members[best] = (members[best] ?? 0) + 1;
    shardOf.set(item.path, best + 1);
  }
  return shardOf;
}

/** bytes-greedy-v1, as earlier versions computed it: the shard of each path. */
export function assignV1(items: readonly Item[], count: number): Map<string, number> {
  return greedy(
    greedyOrder(items),
    new Array<number>(count).fill(0),
    new Array<number>(count).fill(0),
  );
}

export type ShardReportJSON = {
  releaseId: string;
  releaseIdentity: { sha256: string };
  manifest: Record<string, unknown>;
  shard: Record<string, unknown>;
  checks: { name: string; artifacts?: number; status: string }[];
  [key: string]: unknown;
};

export const readReport = (example: ExampleCopy, file: string): ShardReportJSON =>
  JSON.parse(readFileSync(example.path(file), "utf8")) as ShardReportJSON;

/** Signs `report` as a shard report with the example's key, to `<file>` and its envelope. */
export async function signShardReport(
  example: ExampleCopy,
  report: ShardReportJSON,
  envelope: string,
): Promise<void> {
  const signer = createSigner(readFileSync(example.path(".recoverable/keys/drill.key"), "utf8"));
  await writeSignedReport({
    outDir: example.path(dirname(envelope)),
    baseName: basename(envelope, ".dsse.json"),
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId: report.releaseId,
    releaseIdentity: report.releaseIdentity,
    report,
    signer,
  });
}

/** A bytes-greedy-v1 shard report of the same shard run: its paths listed, as v1 wrote them. */
export function asV1(
  report: ShardReportJSON,
  artifacts: readonly Item[],
  checksByPath: ReadonlyMap<string, unknown>,
): ShardReportJSON {
  const { index, count } = report.shard as { index: number; count: number };
  const shardOf = assignV1(artifacts, count);
  const mine = artifacts.filter((a) => shardOf.get(a.path) === index);
  const paths = mine.map((a) => a.path).sort();
  const manifest = { ...report.manifest };
  delete manifest["pathSet"];
  return {
    ...report,
    manifest,
    shard: {
      index,
      count,
      assignment: "bytes-greedy-v1",
      artifacts: mine.length,
      bytes: mine.reduce((sum, a) => sum + a.size, 0),
      paths,
      pathsDigest: digestOfJSON(paths),
    },
    checked: null,
    checks: mine.map((a) => checksByPath.get(a.path)) as ShardReportJSON["checks"],
  };
}
