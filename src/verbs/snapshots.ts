// snapshots list | validate | export: reading a snapshot repository. (diff and prune are in
// snapshots-diff.ts and snapshots-prune.ts.)
import { resolve } from "node:path";
import type { SnapshotMetadata } from "../documents/types.js";
import { findingsOf } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { checkSnapshotBlobs } from "../snapshots/check-snapshot.js";
import { exportRecipients } from "../snapshots/export-recipients.js";
import { exportSnapshot } from "../snapshots/export.js";
import { loadSnapshot } from "../snapshots/load-snapshot.js";
import { listSnapshots, openRepository } from "../snapshots/repository.js";
import { invalidAtCreation, notExportable } from "../snapshots/snapshot-invalid.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import type { CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { releaseOf } from "./snapshot-release.js";

export type RepoOptions = CommonOptions & { readonly repo: string };

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

function repoPath(options: RepoOptions): string {
  return resolve(options.cwd ?? process.cwd(), options.repo);
}

// ---- list

export type ListResult = VerbResult<{ repo: string; snapshots: SnapshotSummary[] }>;

export async function listRepository(options: RepoOptions): Promise<ListResult> {
  const shown = displayPath(repoPath(options));
  const repo = await openRepository(repoPath(options));
  if (!repo.ok)
    return createResult("snapshots list", repo.findings, NO_RELEASE, {
      repo: shown,
      snapshots: [],
    });
  const { snapshots, findings } = await listSnapshots(repo.value);
  return createResult("snapshots list", findings, NO_RELEASE, {
    repo: shown,
    snapshots: snapshots.map(summaryOf),
  });
}

// ---- validate

export type ValidateResult = VerbResult<{
  snapshotId: string | null;
  /** Which snapshot the id stood for, and why (a label names the newest valid one). */
  resolved: string | null;
  validation: { status: "valid" | "invalid"; checkedFiles: number } | null;
}>;

export async function validateSnapshot(
  options: RepoOptions & { id: string },
): Promise<ValidateResult> {
  const loaded = await loadSnapshot(repoPath(options), options.id);
  if (!loaded.ok)
    return createResult("snapshots validate", loaded.findings, NO_RELEASE, {
      snapshotId: null,
      resolved: null,
      validation: null,
    });
  const { repo, snapshot, resolved } = loaded.value;
  const checked = await checkSnapshotBlobs(repo, snapshot);
  const findings = [...checked.findings, ...invalidAtCreation(snapshot)];
  return createResult("snapshots validate", findings, releaseOf(snapshot), {
    snapshotId: snapshot.id,
    resolved,
    validation: {
      status: findings.length === 0 ? "valid" : "invalid",
      checkedFiles: snapshot.totals.files,
    },
  });
}

// ---- export

export type ExportResult = VerbResult<{
  snapshotId: string | null;
  /** Which snapshot the id stood for, and why (a label names the newest valid one). */
  resolved: string | null;
  out: string | null;
  bytes: number;
  encryptedTo: number;
}>;

export type ExportOptions = RepoOptions & {
  readonly id: string;
  readonly out: string;
  readonly encryptTo?: readonly string[];
};

export async function exportRepositorySnapshot(options: ExportOptions): Promise<ExportResult> {
  const out = resolve(options.cwd ?? process.cwd(), options.out);
  const none = {
    snapshotId: null,
    resolved: null,
    out: displayPath(out),
    bytes: 0,
    encryptedTo: 0,
  };
  const recipients = exportRecipients(options.encryptTo ?? []);
  const problems = [...findingsOf(recipients), ...(await outputTaken(out))];
  if (!recipients.ok || problems.length > 0)
    return createResult("snapshots export", problems, NO_RELEASE, none);
  const loaded = await loadSnapshot(repoPath(options), options.id);
  if (!loaded.ok) return createResult("snapshots export", loaded.findings, NO_RELEASE, none);
  const { repo, snapshot, resolved } = loaded.value;
  const picked = { ...none, snapshotId: snapshot.id, resolved };
  const refused = notExportable(snapshot);
  if (refused.length > 0)
    return createResult("snapshots export", refused, releaseOf(snapshot), picked);
  const outcome = await exportSnapshot(repo, snapshot, out, recipients.value);
  return createResult("snapshots export", outcome.findings, releaseOf(snapshot), {
    ...picked,
    bytes: outcome.bytes,
    encryptedTo: recipients.value.length,
  });
}

/** output_exists when something is at `out`: export never overwrites a file. */
async function outputTaken(out: string): Promise<ClassifiedFinding[]> {
  if ((await entryTypeAt(out)) === null) return [];
  return [
    createFinding("output_exists", {
      subject: displayPath(out),
      message: `${displayPath(out)} exists; export never overwrites a file`,
    }),
  ];
}
