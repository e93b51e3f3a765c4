// The store checks of a report (pure): one per artifact, failed when an error finding names
// it, skipped when the store was not checked. Above SUMMARY_THRESHOLD artifacts a report
// would hold a million checks, so the checks that passed (and those skipped because the store
// was never checked) are summarised: one check per role, kind, level and who pinned the bytes,
// saying how many artifacts it stands for (`artifacts`); every failed check is still listed by
// its artifact's path. A reader can tell what was checked: every artifact of the release's
// manifest not listed by name, counted in its group (docs/decisions.md "Reports at scale").
import type { ReportCheck } from "../documents/drill-report.js";
import type { Artifact } from "../documents/types.js";
import { artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import type { BackupRecord } from "../archive/backup-record.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { isLiveDirectory, levelOf, pinnedByOf } from "../store/identity-levels.js";
import { contentChecked, type SampleSpec } from "../store/sample.js";

/** What a passed check of an artifact left out of a sample (drill --sample) says. */
export const PLACE_ONLY = "checked for place and size only (not in this sample): as expected";

/** Up to this many artifacts, a report lists one store check per artifact. */
export const SUMMARY_THRESHOLD = 10_000;

/**
 * The store checks of `artifacts`; each says the artifact's level and who pinned its bytes:
 * the release, the backup's own record (`record`, when the source had one), or only the
 * content rules. With a `sample`, an artifact whose content the sample left out says it was
 * checked for its place and size only (and is summarised apart from those checked in full).
 */
export function storeChecks(
  /** An array, or the compact table (a large release's artifacts are never all parsed at once). */
  artifacts: ArtifactSource,
  findings: readonly ClassifiedFinding[],
  checked: boolean,
  record: BackupRecord | null = null,
  sample: SampleSpec | null = null,
  threshold: number = SUMMARY_THRESHOLD,
): ReportCheck[] {
  const collector = new StoreChecks(artifacts.length, findings, { checked, record, sample });
  for (const artifact of artifactsOf(artifacts)) collector.add(artifact, threshold);
  return collector.checks();
}

/**
 * The same checks, made as the artifacts go by (a manifest read a window at a time): `add`
 * each of the `length` artifacts once, in manifest order, then `checks()`. What it holds is
 * the listed checks (every one up to the threshold, then the failed ones) and the summaries.
 */
export class StoreChecks {
  private readonly errorsOf: (artifact: Artifact) => ClassifiedFinding[];
  private readonly listed: ReportCheck[] = [];
  private readonly groups = new Map<string, { check: ReportCheck; artifacts: number }>();

  constructor(
    private readonly length: number,
    findings: readonly ClassifiedFinding[],
    private readonly run: {
      readonly checked: boolean;
      readonly record: BackupRecord | null;
      readonly sample: SampleSpec | null;
    },
  ) {
    this.errorsOf = errorsByArtifact(findings);
  }

  add(artifact: Artifact, threshold: number = SUMMARY_THRESHOLD): void {
    const { checked, record, sample } = this.run;
    const inSample = sample === null || contentChecked(artifact, sample);
    const check = checkOf(artifact, this.errorsOf(artifact), checked, record !== null, inSample);
    if (this.length <= threshold || check.status === "failed") {
      this.listed.push(check);
      return;
    }
    const key = [check.status, check.subject, check.level, check.pinnedBy, check.actual].join("|");
    const group = this.groups.get(key) ?? { check: summaryOf(check, artifact), artifacts: 0 };
    group.artifacts++;
    this.groups.set(key, group);
  }

  checks(): ReportCheck[] {
    const summaries = [...this.groups.values()].map(({ check, artifacts: count }) => ({
      ...check,
      actual: `${count} artifacts: ${check.actual}`,
      artifacts: count,
    }));
    return [...this.listed, ...summaries];
  }
}

/** The error findings about each artifact, found without a pass over all findings per artifact. */
function errorsByArtifact(
  findings: readonly ClassifiedFinding[],
): (artifact: Artifact) => ClassifiedFinding[] {
  const bySubject = new Map<string, ClassifiedFinding[]>();
  const errors = findings.filter((f) => f.severity === "error");
  for (const f of errors) {
    const same = bySubject.get(f.subject);
    if (same) same.push(f);
    else bySubject.set(f.subject, [f]);
  }
  return (artifact) => {
    // A live directory answers for every file in it (a damaged segment fails the directory).
    if (!isLiveDirectory(artifact)) return bySubject.get(artifact.path) ?? [];
    const inside = `${artifact.path}/`;
    return errors.filter((f) => f.subject === artifact.path || f.subject.startsWith(inside));
  };
}

function checkOf(
  artifact: Artifact,
  errors: readonly ClassifiedFinding[],
  checked: boolean,
  coveredByRecord: boolean,
  /** Whether the check read the artifact's content (false: left out of a sample). */
  contentRead: boolean,
): ReportCheck {
  const common = {
    name: artifact.path,
    kind: "store" as const,
    subject: `${artifact.role} ${artifact.kind}`,
    expected: expectedOf(artifact),
  };
  const pins = { level: levelOf(artifact), pinnedBy: pinnedByOf(artifact, coveredByRecord) };
  if (!checked && errors.length === 0)
    return {
      ...common,
      status: "skipped",
      actual: "not checked: the store was not restored",
      ...pins,
    };
  return {
    ...common,
    status: errors.length > 0 ? "failed" : "passed",
    // What was found, not only which code: a CI system shows this as the failure.
    actual:
      errors.length > 0
        ? errors.map((e) => e.actual ?? e.message).join("; ")
        : artifact.role === "disposable"
          ? "not required"
          : contentRead
            ? "as expected"
            : PLACE_ONLY,
    ...pins,
  };
}

/** The check that stands for every artifact like `first` that is not listed by name. */
function summaryOf(check: ReportCheck, first: Artifact): ReportCheck {
  const pinned = check.level === "bytes" ? "" : `, level ${check.level ?? "bytes"}`;
  return {
    ...check,
    name: `every other ${first.role} ${first.kind}${pinned}`,
    expected: `each ${first.role} ${first.kind} of the release's manifest not listed by name: ${genericExpected(first)}`,
  };
}

/** What the checks of artifacts like this one expect, in words, without one artifact's digest. */
function genericExpected(artifact: Artifact): string {
  if (artifact.kind === "dir") return "a directory, as the manifest lists it";
  if (artifact.level === undefined) return "its size and sha256 as the manifest lists them";
  return `as its level (${artifact.level}) in the manifest pins it`;
}

/** What a check of the artifact expects, in words: its bytes, or what its level pins. */
function expectedOf(artifact: Artifact): string {
  const level = artifact.level;
  if (artifact.kind === "dir")
    return level === undefined
      ? "a directory"
      : `a directory, present and readable${artifact.members ? `, with ${artifact.members.join(", ")}` : ""}`;
  if (level === undefined)
    return `${artifact.kind}, ${artifact.size} bytes, sha256 ${artifact.digest.sha256}`;
  if (level === "present") return `${artifact.kind}, present and readable`;
  if (level === "content") {
    const digest = artifact.json?.contentDigest ?? artifact.pgdump?.contentDigest;
    return `${artifact.kind}, content sha256 ${digest?.sha256 ?? "unknown"}`;
  }
  if (artifact.jsonSchema) return `json valid against ${artifact.jsonSchema.path}`;
  if (artifact.shape)
    return `${artifact.kind} with the sealed schema (${artifact.shape.tables.length} tables)${artifact.rows || artifact.maxShrink ? " and rows within bounds" : ""}`;
  return `${artifact.kind}, valid`;
}
