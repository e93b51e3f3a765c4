// snapshots prune --repo: forget snapshots by restic's rules and free their blobs. The rules come
// from the flags, else from the rollback policy's retention (src/snapshots/prune-rules.ts).
import { resolve } from "node:path";
import { loadDocument } from "../documents/load-evidence.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { pruneRepository, type PruneOutcome, type PruneRules } from "../snapshots/prune.js";
import { chooseRules, type PolicyRetention } from "../snapshots/prune-rules.js";
import { openRepository } from "../snapshots/repository.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type PruneResult = VerbResult<{
  repo: string;
  dryRun: boolean;
  rules: PruneRules | null;
  kept: PruneOutcome["kept"];
  removed: PruneOutcome["removed"];
  freedBlobs: number;
  freedBytes: number;
}>;

export type PruneOptions = CommonOptions & {
  readonly repo: string;
  readonly rules: Partial<PruneRules>;
  readonly dryRun?: boolean;
};

export async function pruneSnapshots(options: PruneOptions): Promise<PruneResult> {
  const root = resolve(options.cwd ?? process.cwd(), options.repo);
  const dryRun = options.dryRun ?? false;
  const none = { repo: displayPath(root), dryRun, rules: null, kept: [], removed: [] };
  const nothing = { ...none, freedBlobs: 0, freedBytes: 0 };
  const repo = await openRepository(root);
  if (!repo.ok) return createResult("snapshots prune", repo.findings, NO_RELEASE, nothing);
  const rules = await loadRules(options);
  if (!rules.ok) return createResult("snapshots prune", rules.findings, NO_RELEASE, nothing);
  const outcome = await pruneRepository(repo.value, rules.value, { dryRun });
  return createResult("snapshots prune", outcome.findings, NO_RELEASE, {
    ...none,
    rules: rules.value,
    kept: outcome.kept,
    removed: outcome.removed,
    freedBlobs: outcome.freedBlobs,
    freedBytes: outcome.freedBytes,
  });
}

/** The rules a prune applies: the flags', else the rollback policy's retention. */
export async function loadRules(
  options: CommonOptions & { readonly rules: Partial<PruneRules> },
): Promise<Checked<PruneRules>> {
  if (Object.keys(options.rules).length > 0) return chooseRules(options.rules, null);
  const policy = await loadPolicyRetention(options);
  return policy.ok ? chooseRules(options.rules, policy.value) : policy;
}

/** The policy's retention; null when there is no policy to read; document_invalid when it is bad. */
async function loadPolicyRetention(
  options: CommonOptions,
): Promise<Checked<PolicyRetention | null>> {
  const loaded = await loadContext(options);
  if (!loaded.ok) return ok(null);
  const file = loaded.value.evidence.rollbackPolicy;
  const policy = await loadDocument("rollbackPolicy", file, "rollback policy");
  if (policy.value) return ok({ retention: policy.value.retention, file: policy.file });
  const invalid = policy.findings[0];
  if (invalid?.code === "document_invalid") return failed(invalid);
  return ok(null);
}
