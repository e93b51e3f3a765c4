// snapshots list | validate | diff | prune | export: reading and keeping a snapshot repository.
import { resolve } from "node:path";
import type { RollbackPolicy, SnapshotMetadata } from "../documents/types.js";
import { parseDuration } from "../util/duration.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { checkSnapshotBlobs } from "../snapshots/check-snapshot.js";
import { diffSnapshot, type SnapshotChanges } from "../snapshots/diff.js";
import { exportSnapshot } from "../snapshots/export.js";
import { pruneRepository, type PruneOutcome, type PruneRules } from "../snapshots/prune.js";
import {
  findSnapshot,
  listSnapshots,
  openRepository,
  type Repository,
} from "../snapshots/repository.js";
import { checkRetentionRules } from "../snapshots/retention.js";
import { parseRecipient } from "../archive/age.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";
import { loadDocument } from "../documents/load-evidence.js";

type RepoOptions = CommonOptions & { readonly repo: string };

export type SnapshotSummary = {
  readonly id: string;
  readonly time: string;
  readonly label: string | null;
  readonly host: string;
  readonly size: number;
  readonly files: number;
  readonly validated: boolean;
  readonly releaseId: string | null;
};

function summaryOf(snapshot: SnapshotMetadata): SnapshotSummary {
  return {
    id: snapshot.id,
    time: snapshot.time,
    label: snapshot.label,
    host: snapshot.host,
    size: snapshot.totals.bytes,
    files: snapshot.totals.files,
    validated: snapshot.validation.status === "valid",
    releaseId: snapshot.release?.id ?? null,
  };
}

function releaseOf(snapshot: SnapshotMetadata): Release {
  return snapshot.release
    ? { releaseId: snapshot.release.id, releaseIdentity: snapshot.release.identity }
    : NO_RELEASE;
}

async function open(options: RepoOptions): Promise<Repository | ClassifiedFinding> {
  return openRepository(resolve(options.cwd ?? process.cwd(), options.repo));
}

/** The snapshot an id names, or snapshot_not_found saying why. */
async function pick(
  repo: Repository,
  id: string,
): Promise<{ snapshot: SnapshotMetadata; findings: ClassifiedFinding[] } | ClassifiedFinding> {
  const { snapshots, findings } = await listSnapshots(repo);
  const found = findSnapshot(snapshots, id);
  if (typeof found === "string")
    return createFinding("snapshot_not_found", {
      subject: id,
      actual: found,
      message: `${displayPath(repo.root)}: ${found}`,
    });
  return { snapshot: found, findings };
}

// ---- list

export type ListResult = VerbResult<{ repo: string; snapshots: SnapshotSummary[] }>;

export async function listRepository(options: RepoOptions): Promise<ListResult> {
  const repo = await open(options);
  const shown = displayPath(resolve(options.cwd ?? process.cwd(), options.repo));
  if ("code" in repo)
    return createResult("snapshots list", [repo], NO_RELEASE, { repo: shown, snapshots: [] });
  const { snapshots, findings } = await listSnapshots(repo);
  return createResult("snapshots list", findings, NO_RELEASE, {
    repo: shown,
    snapshots: snapshots.map(summaryOf),
  });
}

// ---- validate

export type ValidateResult = VerbResult<{
  snapshotId: string | null;
  validation: { status: "valid" | "invalid"; checkedFiles: number } | null;
}>;

export async function validateSnapshot(
  options: RepoOptions & { id: string },
): Promise<ValidateResult> {
  const none = { snapshotId: null, validation: null };
  const repo = await open(options);
  if ("code" in repo) return createResult("snapshots validate", [repo], NO_RELEASE, none);
  const picked = await pick(repo, options.id);
  if ("code" in picked) return createResult("snapshots validate", [picked], NO_RELEASE, none);
  const { snapshot } = picked;
  const checked = await checkSnapshotBlobs(repo, snapshot);
  const findings = [...checked.findings];
  if (snapshot.validation.status === "invalid") {
    const firstError =
      snapshot.validation.findings.find((f) => f.severity === "error") ??
      snapshot.validation.findings.find((f) => f.severity === undefined);
    findings.push(
      createFinding("snapshot_invalid", {
        subject: snapshot.id,
        actual: snapshot.validation.findings.map((f) => `${f.code} ${f.subject}`).join("; "),
        message: `snapshot ${snapshot.id} failed validation when it was made: ${firstError?.message ?? "see its metadata"}`,
      }),
    );
  }
  return createResult("snapshots validate", findings, releaseOf(snapshot), {
    snapshotId: snapshot.id,
    validation: {
      status: findings.length === 0 ? "valid" : "invalid",
      checkedFiles: snapshot.totals.files,
    },
  });
}

// ---- diff

export type DiffResult = VerbResult<{
  snapshotId: string | null;
  storeRoot: string | null;
  changes: SnapshotChanges | null;
}>;

export async function diffRepository(options: RepoOptions & { id: string }): Promise<DiffResult> {
  const none = { snapshotId: null, storeRoot: null, changes: null };
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("snapshots diff", loaded.findings, NO_RELEASE, none);
  const rootOf = storeRootOf(loaded.value, options.root);
  if (!rootOf.ok) return createResult("snapshots diff", rootOf.findings, NO_RELEASE, none);
  const root = rootOf.value;
  const repo = await open(options);
  if ("code" in repo) return createResult("snapshots diff", [repo], NO_RELEASE, none);
  const picked = await pick(repo, options.id);
  if ("code" in picked) return createResult("snapshots diff", [picked], NO_RELEASE, none);
  if ((await entryTypeAt(root)) !== "dir")
    return createResult(
      "snapshots diff",
      [
        createFinding("artifact_missing", {
          subject: root,
          expected: "a directory",
          actual: "absent",
          message: `the store root ${displayPath(root)} is not a directory`,
        }),
      ],
      NO_RELEASE,
      none,
    );
  const changes = await diffSnapshot(repo, picked.snapshot, root);
  // A difference is an answer, not a failure: diff exits 0 when it could compare.
  return createResult("snapshots diff", [], releaseOf(picked.snapshot), {
    snapshotId: picked.snapshot.id,
    storeRoot: displayPath(root),
    changes,
  });
}

// ---- prune

export type PruneResult = VerbResult<{
  repo: string;
  dryRun: boolean;
  rules: PruneRules | null;
  kept: PruneOutcome["kept"];
  removed: PruneOutcome["removed"];
  freedBlobs: number;
  freedBytes: number;
}>;

export async function pruneSnapshots(
  options: RepoOptions & { rules: Partial<PruneRules>; dryRun?: boolean },
): Promise<PruneResult> {
  const shown = displayPath(resolve(options.cwd ?? process.cwd(), options.repo));
  const none = {
    repo: shown,
    dryRun: options.dryRun ?? false,
    rules: null,
    kept: [],
    removed: [],
    freedBlobs: 0,
    freedBytes: 0,
  };
  const repo = await open(options);
  if ("code" in repo) return createResult("snapshots prune", [repo], NO_RELEASE, none);
  const rules = await rulesOf(options);
  if ("code" in rules) return createResult("snapshots prune", [rules], NO_RELEASE, none);
  const outcome = await pruneRepository(repo, rules, options.dryRun ?? false);
  return createResult("snapshots prune", outcome.findings, NO_RELEASE, {
    ...none,
    rules,
    kept: outcome.kept,
    removed: outcome.removed,
    freedBlobs: outcome.freedBlobs,
    freedBytes: outcome.freedBytes,
  });
}

/** Flags win; without any, the rollback policy's retention; without that, a usage finding. */
export async function rulesOf(
  options: CommonOptions & { rules: Partial<PruneRules> },
): Promise<PruneRules | ClassifiedFinding> {
  const usable = (rules: PruneRules, from: string): PruneRules | ClassifiedFinding => {
    const problems = checkRetentionRules(rules);
    if (problems.length === 0) return rules;
    return createFinding("usage_invalid", {
      subject: from,
      actual: problems.join("; "),
      message: `the retention rules in ${from} cannot be used: ${problems.join("; ")}`,
    });
  };
  if (Object.keys(options.rules).length > 0) return usable(options.rules, "--keep-*");
  const loaded = await loadContext(options);
  if (loaded.ok) {
    const file = loaded.value.evidence.rollbackPolicy;
    const policy = await loadDocument("rollbackPolicy", file, "rollback policy");
    if (policy.value) return usable(policyRetention(policy.value.retention), policy.file);
    if (policy.findings[0]?.code === "document_invalid") return policy.findings[0];
  }
  return createFinding("usage_invalid", {
    subject: "--keep-*",
    message:
      "no retention rules: pass --keep-last/--keep-daily/--keep-weekly/--keep-monthly/--keep-within, or keep a rollback policy with retention in ops/",
  });
}

/**
 * The policy's retention as restic rules. Its keepWithin is a recoverable duration (m is
 * minutes, w weeks); restic's m is months, so it is handed on in whole hours, rounded up.
 */
export function policyRetention(retention: RollbackPolicy["retention"]): PruneRules {
  const { keepWithin, ...counts } = retention;
  if (keepWithin === undefined) return counts;
  const ms = parseDuration(keepWithin);
  return ms === null
    ? { ...counts, keepWithin }
    : { ...counts, keepWithin: `${Math.ceil(ms / 3_600_000)}h` };
}

// ---- export

export type ExportResult = VerbResult<{
  snapshotId: string | null;
  out: string | null;
  bytes: number;
  encryptedTo: number;
}>;

export async function exportRepositorySnapshot(
  options: RepoOptions & { id: string; out: string; encryptTo?: readonly string[] },
): Promise<ExportResult> {
  const cwd = options.cwd ?? process.cwd();
  const out = resolve(cwd, options.out);
  const none = { snapshotId: null, out: displayPath(out), bytes: 0, encryptedTo: 0 };
  const recipients: string[] = [];
  const problems: ClassifiedFinding[] = [];
  for (const text of options.encryptTo ?? []) {
    const parsed = parseRecipient(text, "--encrypt-to");
    if (typeof parsed === "string") recipients.push(parsed);
    else problems.push(parsed);
  }
  if ((await entryTypeAt(out)) !== null)
    problems.push(
      createFinding("output_exists", {
        subject: displayPath(out),
        message: `${displayPath(out)} exists; export never overwrites a file`,
      }),
    );
  if (problems.length > 0) return createResult("snapshots export", problems, NO_RELEASE, none);
  const repo = await open(options);
  if ("code" in repo) return createResult("snapshots export", [repo], NO_RELEASE, none);
  const picked = await pick(repo, options.id);
  if ("code" in picked) return createResult("snapshots export", [picked], NO_RELEASE, none);
  if (picked.snapshot.validation.status === "invalid")
    return createResult(
      "snapshots export",
      [
        createFinding("snapshot_invalid", {
          subject: picked.snapshot.id,
          message: `snapshot ${picked.snapshot.id} failed validation when it was made; an export of it would not be a backup`,
        }),
      ],
      releaseOf(picked.snapshot),
      { ...none, snapshotId: picked.snapshot.id },
    );
  const outcome = await exportSnapshot(repo, picked.snapshot, out, recipients);
  return createResult("snapshots export", outcome.findings, releaseOf(picked.snapshot), {
    snapshotId: picked.snapshot.id,
    out: displayPath(out),
    bytes: outcome.bytes,
    encryptedTo: recipients.length,
  });
}
