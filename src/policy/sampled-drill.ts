// /drills/allowSampled (pure): whether a sampled drill (drill --sample), which checked the content
// of only a share of the artifacts, counts as a drill of the release. gate refuses such a report
// and audit does not take it as the last drill evidence unless the policy allows it; both say
// the same thing, with the finding code drill_sampled.
import type { RollbackPolicy } from "../documents/types.js";

/** What a report that does not count says: the fields of its drill_sampled finding. */
export type SampledRefusal = {
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;
  readonly message: string;
};

export function allowsSampled(policy: RollbackPolicy): boolean {
  return policy.drills.allowSampled === true;
}

/**
 * `report` as gate and audit read a signed report: its file, and its sample ("50% (seed 3)"),
 * null when it checked every artifact. Null when the report counts: it is not sampled, or the
 * policy allows sampled drills.
 */
export function sampledRefusal(
  report: { readonly file: string; readonly sampled: string | null },
  policy: RollbackPolicy,
): SampledRefusal | null {
  if (report.sampled === null || allowsSampled(policy)) return null;
  return {
    subject: report.file,
    expected: "a drill that checked every artifact (/drills/allowSampled is false)",
    actual: `sampled ${report.sampled}`,
    message: `${report.file}: the drill was sampled (--sample ${report.sampled}): it checked the content of only a share of the artifacts, and the rollback policy does not count sampled drills (/drills/allowSampled); run a drill without --sample, or set drills.allowSampled to true`,
  };
}
