// snapshots diff: what changed since a snapshot, in a directory (the live store root) or in
// another snapshot. A difference is an answer, not a failure: it exits 0 when it could compare.
import { planDiff, type DiffPlan } from "../snapshots/diff-plan.js";
import { diffSnapshot, type DiffSide, type SnapshotChanges } from "../snapshots/diff.js";
import { loadSnapshot, type LoadedSnapshot } from "../snapshots/load-snapshot.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { releaseOf } from "./snapshot-release.js";

export type DiffOptions = CommonOptions & {
  /** The snapshot: an id, prefix, `latest` or label in `repo`, or snapshot:<repo>#<x>. */
  readonly id: string;
  /** What to compare it with: dir:<path>, snapshot:<repo>#<x> or an id in the same repository. */
  readonly against?: string;
  readonly repo?: string;
};

export type DiffResult = VerbResult<{
  snapshotId: string | null;
  /** Which snapshot the id stood for, and why (a label names the newest valid one). */
  resolved: string | null;
  /** The directory compared with; null when it is another snapshot. */
  storeRoot: string | null;
  /** What the snapshot was compared with: dir:<path> or snapshot:<repo>#<id>. */
  against: string | null;
  changes: SnapshotChanges | null;
}>;

const NONE = { snapshotId: null, resolved: null, storeRoot: null, against: null, changes: null };

type Sides = { readonly from: LoadedSnapshot; readonly to: DiffSide };

export async function diffRepository(options: DiffOptions): Promise<DiffResult> {
  const cwd = options.cwd ?? process.cwd();
  const plan = planDiff({ from: options.id, cwd, ...definedOf(options) });
  if (!plan.ok) return createResult("snapshots diff", plan.findings, NO_RELEASE, NONE);
  const sides = await loadSides(plan.value, options);
  if (!sides.ok) return createResult("snapshots diff", sides.findings, NO_RELEASE, NONE);
  const { from, to } = sides.value;
  const changes = await diffSnapshot(from.repo, from.snapshot, to);
  return createResult("snapshots diff", [], releaseOf(from.snapshot), {
    snapshotId: from.snapshot.id,
    resolved: from.resolved,
    storeRoot: to.kind === "dir" ? displayPath(to.root) : null,
    against: describeSide(to),
    changes,
  });
}

function definedOf(options: DiffOptions): { to?: string; repo?: string; root?: string } {
  return {
    ...(options.against === undefined ? {} : { to: options.against }),
    ...(options.repo === undefined ? {} : { repo: options.repo }),
    ...(options.root === undefined ? {} : { root: options.root }),
  };
}

/** In the order the checks ran before a second side could be given: config, snapshot, root. */
async function loadSides(plan: DiffPlan, options: CommonOptions): Promise<Checked<Sides>> {
  if (plan.to.kind === "snapshot") {
    const from = await loadSnapshot(plan.from.repo, plan.from.wanted);
    if (!from.ok) return from;
    const to = await loadSnapshot(plan.to.target.repo, plan.to.target.wanted);
    if (!to.ok) return to;
    return ok({ from: from.value, to: { kind: "snapshot", ...to.value } });
  }
  const loaded = await loadContext(options);
  if (!loaded.ok) return { ok: false, findings: loaded.findings };
  const checkedRoot = storeRootOf(loaded.value, plan.to.root ?? undefined);
  if (!checkedRoot.ok) return checkedRoot;
  const root = checkedRoot.value;
  const from = await loadSnapshot(plan.from.repo, plan.from.wanted);
  if (!from.ok) return from;
  if ((await entryTypeAt(root)) !== "dir") return failed(notADirectory(root));
  return ok({ from: from.value, to: { kind: "dir", root } });
}

function notADirectory(root: string) {
  return createFinding("artifact_missing", {
    subject: root,
    expected: "a directory",
    actual: "absent",
    message: `the store root ${displayPath(root)} is not a directory`,
  });
}

function describeSide(side: DiffSide): string {
  return side.kind === "dir"
    ? `dir:${displayPath(side.root)}`
    : `snapshot:${displayPath(side.repo.root)}#${side.snapshot.id}`;
}
