// The coverage step of a merge (pure): that a split's shards together are the whole manifest,
// each artifact once. Shards of bytes-greedy-v1 list their paths, and the lists are compared;
// later shards state sums (count, bytes, path-set digest), and the sums are added up.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfJSON, digestsEqual } from "../identity/digest.js";
import { ASSIGNMENT_RULE_V1 } from "./assign.js";
import { PathSetSum } from "./path-set.js";
import type { ListedCoverage, ShardReportView } from "./read-shard-report.js";

const label = (view: ShardReportView) => `shard ${view.shard.index}/${view.shard.count}`;

export const isListed = (shard: ShardReportView["shard"]): shard is ListedCoverage =>
  shard.assignment === ASSIGNMENT_RULE_V1;

// 3. Coverage, bytes-greedy-v1: each shard's paths match its digest, no path twice, and
// together the manifest.
export function checkListedCoverage(views: readonly ShardReportView[]) {
  const findings: ClassifiedFinding[] = [];
  const seen = new Map<string, ShardReportView>();
  for (const view of views) {
    if (!isListed(view.shard)) continue;
    const { paths, pathsDigest, artifacts } = view.shard;
    if (paths.length !== artifacts || !digestsEqual(pathsDigest, digestOfJSON(paths)))
      findings.push(
        createFinding("shard_set_mismatch", {
          subject: `${view.file}#/predicate/shard/paths`,
          message: `${view.file}: ${label(view)} lists ${paths.length} paths that do not match its own count (${artifacts}) or paths digest`,
        }),
      );
    for (const path of paths) {
      const other = seen.get(path);
      if (other !== undefined)
        findings.push(
          createFinding("shard_set_mismatch", {
            subject: path,
            message: `${path} is in ${label(other)} (${other.file}) and in ${label(view)} (${view.file}); a split checks every artifact once`,
          }),
        );
      seen.set(path, view);
    }
  }
  const total = views[0]?.manifest.artifacts ?? 0;
  if (findings.length === 0 && seen.size !== total)
    findings.push(
      createFinding("shard_set_mismatch", {
        subject: "shards",
        expected: `${total} artifacts (the manifest)`,
        actual: `${seen.size} artifacts`,
        message: `the shards together cover ${seen.size} artifacts, the manifest has ${total}`,
      }),
    );
  return findings;
}

// 3. Coverage by sums: the shards' artifacts, bytes and path-set digests add up to the
// manifest's. Each shard was cut from the same manifest by the same rule, so a shard that
// checked another share (or a path twice, or none) makes a sum differ; see docs/sharding.md
// for what this proves.
export function checkSummedCoverage(views: readonly ShardReportView[]) {
  const manifest = views[0]?.manifest;
  if (manifest === undefined) return [];
  const sums = { artifacts: 0, bytes: 0, pathSet: new PathSetSum() };
  for (const view of views) {
    if (isListed(view.shard)) continue;
    sums.artifacts += view.shard.artifacts;
    sums.bytes += view.shard.bytes;
    sums.pathSet.addHex(view.shard.pathSet.sum);
  }
  const differ = [
    ["artifacts", manifest.artifacts, sums.artifacts],
    ["bytes", manifest.bytes, sums.bytes],
    ["path-set digest", manifest.pathSet?.sum, sums.pathSet.hex()],
  ].filter(([, expected, actual]) => expected !== actual);
  if (differ.length === 0) return [];
  return [
    createFinding("shard_set_mismatch", {
      subject: "shards",
      expected: differ.map(([what, expected]) => `${what} ${String(expected)}`).join(", "),
      actual: differ.map(([what, , actual]) => `${what} ${String(actual)}`).join(", "),
      message: `the shards' ${differ.map(([what]) => what).join(", ")} do not add up to the manifest's (${differ.map(([what, expected, actual]) => `${what}: ${String(actual)}, the manifest ${String(expected)}`).join("; ")}): they are not one whole split of it`,
    }),
  ];
}
