// Merging shard reports (pure): refuse a set that cannot be shown to cover the release's
// manifest exactly once, else one report whose checks are the union of the shards' and whose
// verdict is the worst of theirs. The signatures were checked before; this judges what they say.
import { definitionOf, type FailureClass, type FindingCode } from "../findings/catalogue.js";
import {
  createFinding,
  toPublicFinding,
  type ClassifiedFinding,
  type Finding,
} from "../findings/finding.js";
import { verdictOf, type Verdict } from "../findings/verdict.js";
import { digestsEqual, type DigestSet } from "../identity/digest.js";
import { sumCounts, type StoreCheckCounts } from "../store/check-counts.js";
import { CheckGroups } from "./check-groups.js";
import { checkListedCoverage, checkSummedCoverage, isListed } from "./merge-coverage.js";
import type { PathSetDigest } from "./path-set.js";
import type { ShardReportView } from "./read-shard-report.js";
import type { ManifestSummary } from "./shard-report.js";

export const MERGED_REPORT_PREDICATE_TYPE = "https://recoverable.dev/merged-report/v1";

export type MergedShard = {
  readonly index: number;
  readonly file: string;
  readonly keyId: string;
  readonly verdict: Verdict;
  readonly artifacts: number;
  readonly bytes: number;
  /** The shard's path-set digest; a bytes-greedy-v1 shard's digest of its path list instead. */
  readonly pathSet?: PathSetDigest;
  readonly pathsDigest?: DigestSet;
  readonly startedAt: string;
  readonly finishedAt: string;
};

export type MergedReport = {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "recoverable"; readonly version: string };
  readonly kind: "verify" | "drill";
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly manifest: ManifestSummary;
  readonly assignment: string;
  readonly count: number;
  readonly shards: readonly MergedShard[];
  /** The earliest shard start. */
  readonly startedAt: string;
  /** The earliest shard finish: the merged proof is as old as its oldest part. */
  readonly finishedAt: string;
  readonly mergedAt: string;
  readonly checked: StoreCheckCounts | null;
  readonly checks: readonly unknown[];
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
};

export type MergeOutcome = {
  readonly findings: ClassifiedFinding[];
  /** Null when the set was refused. */
  readonly report: MergedReport | null;
};

const CLASS_OF: Record<Exclude<Verdict, "proven">, FailureClass> = {
  not_proven: "not_proven",
  unusable_input: "unusable_input",
  could_not_run: "could_not_run",
};

const label = (view: ShardReportView) => `shard ${view.shard.index}/${view.shard.count}`;

/** The value most views share (ties: the first seen), and the views that differ from it. */
function majority<T>(views: readonly ShardReportView[], key: (view: ShardReportView) => T) {
  const counts = new Map<T, number>();
  for (const view of views) counts.set(key(view), (counts.get(key(view)) ?? 0) + 1);
  let best = key(views[0] as ShardReportView);
  for (const [value, n] of counts) if (n > (counts.get(best) ?? 0)) best = value;
  return { value: best, others: views.filter((view) => key(view) !== best) };
}

// 1. One release: the same release identity (and so the same manifest) in every shard.
function checkRelease(views: readonly ShardReportView[], pinned: string | undefined) {
  const findings: ClassifiedFinding[] = [];
  const wanted = pinned ?? majority(views, (v) => v.releaseIdentity.sha256).value;
  for (const view of views) {
    if (digestsEqual({ sha256: wanted }, view.releaseIdentity)) continue;
    findings.push(
      createFinding(pinned === undefined ? "shard_release_mismatch" : "report_subject_mismatch", {
        subject: `${view.file}#/subject/0/digest`,
        expected: wanted,
        actual: view.releaseIdentity.sha256,
        message: `${view.file}: ${label(view)} is about release:${view.releaseId} sha256:${view.releaseIdentity.sha256.slice(0, 12)}…, not sha256:${wanted.slice(0, 12)}…${pinned === undefined ? " like the other shards" : " (--release)"}`,
      }),
    );
  }
  const same = views.filter((view) => view.releaseIdentity.sha256 === wanted);
  if (same.length === 0) return { findings, consistent: same };
  const manifest = majority(same, (v) => v.manifest.digest.sha256);
  for (const view of manifest.others)
    findings.push(
      createFinding("shard_release_mismatch", {
        subject: `${view.file}#/predicate/manifest/digest`,
        expected: manifest.value,
        actual: view.manifest.digest.sha256,
        message: `${view.file}: ${label(view)} was cut from manifest sha256:${view.manifest.digest.sha256.slice(0, 12)}…, the other shards from sha256:${manifest.value.slice(0, 12)}…`,
      }),
    );
  return { findings, consistent: same.filter((view) => !manifest.others.includes(view)) };
}

// 2. One split: the same n, assignment rule and verb; every index 1..n exactly once.
function checkSplit(views: readonly ShardReportView[]) {
  const findings: ClassifiedFinding[] = [];
  if (views.length === 0) return findings;
  const describe = (v: ShardReportView) =>
    `${v.shard.count} shards, assignment ${v.shard.assignment}, from ${v.kind}, of a manifest of ${v.manifest.artifacts} artifacts and ${v.manifest.bytes} bytes${v.manifest.pathSet ? ` with path set ${v.manifest.pathSet.sum.slice(0, 12)}…` : ""}`;
  const split = majority(views, describe);
  const count = views.find((view) => describe(view) === split.value)?.shard.count ?? 0;
  for (const view of split.others)
    findings.push(
      createFinding("shard_set_mismatch", {
        subject: `${view.file}#/predicate/shard`,
        expected: split.value,
        actual: describe(view),
        message: `${view.file}: ${label(view)} is of another split (${describe(view)}) than the other shards (${split.value})`,
      }),
    );
  const inSplit = views.filter((view) => !split.others.includes(view));
  for (let index = 1; index <= count; index++) {
    const these = inSplit.filter((view) => view.shard.index === index);
    if (these.length === 0)
      findings.push(
        createFinding("shard_missing", {
          subject: `shard ${index}/${count}`,
          expected: `one report of shard ${index}/${count}`,
          actual: "none",
          message: `no report of shard ${index}/${count} among the ${views.length} given: its artifacts were never checked`,
        }),
      );
    if (these.length > 1)
      findings.push(
        createFinding("shard_duplicated", {
          subject: `shard ${index}/${count}`,
          expected: "one report",
          actual: these.map((view) => view.file).join(", "),
          message: `shard ${index}/${count} was given ${these.length} times: ${these.map((view) => view.file).join(", ")}`,
        }),
      );
  }
  for (const view of inSplit)
    if (view.shard.index < 1 || view.shard.index > count)
      findings.push(
        createFinding("shard_set_mismatch", {
          subject: `${view.file}#/predicate/shard/index`,
          expected: `1 to ${count}`,
          actual: String(view.shard.index),
          message: `${view.file}: shard index ${view.shard.index} is outside 1..${count}`,
        }),
      );
  return findings;
}

/** The checks of every shard, as the verb reports them: a shard's errors count as its verdict. */
function shardFindings(view: ShardReportView): ClassifiedFinding[] {
  const failureClass: FailureClass =
    view.verdict === "proven" ? "not_proven" : CLASS_OF[view.verdict];
  const copied = view.findings.map((finding): ClassifiedFinding => ({
    ...finding,
    message: `${label(view)}: ${finding.message}`,
    failureClass,
  }));
  if (view.verdict === "proven") return copied;
  const code: FindingCode = "report_not_proven";
  return [
    createFinding(code, {
      subject: view.file,
      expected: "proven",
      actual: view.verdict,
      message: `${view.file}: ${label(view)} is ${view.verdict}`,
      hint: definitionOf(code).hint,
      failureClass,
    }),
    ...copied,
  ];
}

/** Every shard's failures, in shard order, and their summarised checks added up by group. */
function mergedChecks(views: readonly ShardReportView[]): unknown[] {
  const groups = new CheckGroups();
  for (const view of views) groups.add(view.checks);
  return groups.checks();
}

function sumChecked(views: readonly ShardReportView[]): StoreCheckCounts | null {
  const all = views.map((view) => view.checked);
  return all.some((checked) => checked === null) ? null : sumCounts(all as StoreCheckCounts[]);
}

export function mergeShardReports(
  views: readonly ShardReportView[],
  context: { readonly release?: string; readonly now: Date; readonly version: string },
): MergeOutcome {
  // Shards of another release are refused, and the rest still judged as a split, so one run
  // names both the stray report and the shard it left missing.
  const release = checkRelease(views, context.release);
  const refusals = [...release.findings, ...checkSplit(release.consistent)];
  const listed = views[0] !== undefined && isListed(views[0].shard);
  if (refusals.length === 0)
    refusals.push(...(listed ? checkListedCoverage(views) : checkSummedCoverage(views)));
  const first = views[0];
  if (refusals.length > 0 || first === undefined) return { findings: refusals, report: null };
  const sorted = [...views].sort((a, b) => a.shard.index - b.shard.index);
  const findings = sorted.flatMap(shardFindings);
  const earliest = (times: string[]) =>
    times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  const report: MergedReport = {
    schemaVersion: 1,
    tool: { name: "recoverable", version: context.version },
    kind: first.kind,
    releaseId: first.releaseId,
    releaseIdentity: first.releaseIdentity,
    manifest: first.manifest,
    assignment: first.shard.assignment,
    count: first.shard.count,
    shards: sorted.map((view) => ({
      index: view.shard.index,
      file: view.file,
      keyId: view.keyId,
      verdict: view.verdict,
      artifacts: view.shard.artifacts,
      bytes: view.shard.bytes,
      ...(isListed(view.shard)
        ? { pathsDigest: view.shard.pathsDigest }
        : { pathSet: view.shard.pathSet }),
      startedAt: view.startedAt,
      finishedAt: view.finishedAt,
    })),
    startedAt: earliest(sorted.map((view) => view.startedAt)),
    finishedAt: earliest(sorted.map((view) => view.finishedAt)),
    mergedAt: context.now.toISOString(),
    checked: sumChecked(sorted),
    checks: listed ? sorted.flatMap((view) => view.checks) : mergedChecks(sorted),
    findings: findings.map(toPublicFinding),
    verdict: verdictOf(findings),
  };
  return { findings, report };
}
