// What a restore's result says besides its verdict and findings (DESIGN.md: `plan`,
// `safetyCopy`), filled in as far as the run got.
import type { RuleOutcome } from "../documents/drill-report.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import type { RestorePlan } from "./plan.js";

export type RestoreFields = {
  plan: RestorePlan | null;
  safetyCopy: string | null;
  restored: { files: number; bytes: number } | null;
  checked: StoreCheckCounts | null;
  /** What an interrupted restore of the target had left, and what was done about it. */
  recovered: readonly string[];
  /** Exactly which backup was restored (the snapshot `#latest` stood for), when it matters. */
  resolved: string | null;
  /** Each rule of the rollback policy, passed or not (empty when the evidence did not load). */
  policy: readonly RuleOutcome[];
};

export const EMPTY_RESTORE: RestoreFields = {
  plan: null,
  safetyCopy: null,
  restored: null,
  checked: null,
  recovered: [],
  policy: [],
  resolved: null,
};
