// snapshot: a consistent, validated snapshot of a live store root into a repository.
import { resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding } from "../findings/finding.js";
import { takeSnapshot } from "../snapshots/take-snapshot.js";
import { omittedBy, type Omitted } from "../snapshots/omitted.js";
import type { RoleRule } from "../documents/types.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type SnapshotOptions = CommonOptions & {
  readonly repo: string;
  readonly label?: string;
  /** Globs of paths to leave out, beside the drill config's `exclude` (--exclude). */
  readonly exclude?: readonly string[];
  readonly now?: () => Date;
};

export type SnapshotResult = VerbResult<{
  snapshotId: string | null;
  repo: string;
  validation: SnapshotMetadata["validation"] | null;
  totals: SnapshotMetadata["totals"] | null;
}>;

/** What the snapshot leaves out: the config's and the flags' excludes, and disposable artifacts. */
function leftOut(
  config: { readonly exclude: readonly string[]; readonly roles: readonly RoleRule[] },
  flags: readonly string[],
): { omitted?: Omitted } {
  const exclude = [...config.exclude, ...flags];
  const disposable = config.roles.some((rule) => rule.role === "disposable");
  if (exclude.length === 0 && !disposable) return {};
  return { omitted: omittedBy(exclude, config.roles) };
}

export async function snapshot(options: SnapshotOptions): Promise<SnapshotResult> {
  const cwd = options.cwd ?? process.cwd();
  const repo = resolve(cwd, options.repo);
  const none = { snapshotId: null, repo: displayPath(repo), validation: null, totals: null };
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("snapshot", loaded.findings, NO_RELEASE, none);
  const rootOf = storeRootOf(loaded.value, options.root);
  if (!rootOf.ok) return createResult("snapshot", rootOf.findings, NO_RELEASE, none);
  const root = rootOf.value;
  if (options.label !== undefined && options.label.length > 200)
    return createResult(
      "snapshot",
      [
        createFinding("usage_invalid", {
          subject: "--label",
          message: "--label is longer than 200 characters",
        }),
      ],
      NO_RELEASE,
      none,
    );
  // The evidence names the release the snapshot holds; without it the snapshot is still taken.
  const evidence = await loadEvidence(loaded.value.evidence);
  const outcome = await takeSnapshot({
    repoRoot: repo,
    storeRoot: root,
    label: options.label ?? null,
    evidence: evidence.ok ? evidence.evidence : null,
    evidenceFiles: evidence.ok ? evidence.files : null,
    now: options.now ?? (() => new Date()),
    ...leftOut(loaded.value.config, options.exclude ?? []),
  });
  const taken = outcome.snapshot;
  const release = taken?.release
    ? { releaseId: taken.release.id, releaseIdentity: taken.release.identity }
    : NO_RELEASE;
  return createResult("snapshot", outcome.findings, release, {
    snapshotId: taken?.id ?? null,
    repo: displayPath(repo),
    validation: taken?.validation ?? null,
    totals: taken?.totals ?? null,
  });
}
