// A shard drill's files: the drill report renderings as usual, but signed only as a shard
// report, so that no one shard's envelope can pass for a whole drill in gate or audit.
import { join } from "node:path";
import type { ArtifactTable } from "../documents/artifact-table.js";
import type { DrillReport } from "../documents/drill-report.js";
import type { DigestSet } from "../identity/digest.js";
import type { Signer } from "../report/signing.js";
import { signedFiles } from "../report/write-signed.js";
import type { ShardSelection } from "../shard/assign.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type DrillShardReport,
} from "../shard/shard-report.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { displayPath } from "../util/display-path.js";
import { drillOutputs, type DrillOutputs } from "./outputs.js";

export function shardDrillOutputs(
  drillReport: DrillReport,
  checked: StoreCheckCounts | null,
  manifest: { readonly artifacts: ArtifactTable; readonly digest: DigestSet },
  shard: ShardSelection,
  out: { readonly dir: string; readonly signer: Signer },
): DrillOutputs {
  // The renderings go in a folder of their own, so n shards can share one --out.
  const base = join(out.dir, shardFileName(shard.spec, ""));
  const renderings = drillOutputs(drillReport, base, null);
  const report: DrillShardReport = {
    ...drillReport,
    kind: "drill",
    manifest: summarizeManifest(shard.assignment, manifest.digest),
    shard: coverageOf(shard),
    checked,
    serviceStages: shard.spec.index === 1 ? "run in this shard" : "skipped: shard 1 runs them",
  };
  const signed = signedFiles({
    json: `${base}.json`,
    envelope: `${base}.dsse.json`,
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId: report.releaseId,
    releaseIdentity: report.releaseIdentity,
    report,
    signer: out.signer,
  });
  return {
    files: [...renderings.files, ...signed],
    paths: {
      ...renderings.paths,
      json: displayPath(`${base}.json`),
      envelope: displayPath(`${base}.dsse.json`),
    },
    markdown: renderings.markdown,
  };
}
