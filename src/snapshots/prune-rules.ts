// Which retention rules a prune applies (pure): the --keep-* flags win; without any, the rollback
// policy's retention; without that, a usage finding saying how to give some.
import type { RollbackPolicy } from "../documents/types.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { parseDuration } from "../util/duration.js";
import { checkRetentionRules, type RetentionRules } from "./retention.js";

/** The rollback policy's retention and the file it is in, when there is a usable policy. */
export type PolicyRetention = {
  readonly retention: RollbackPolicy["retention"];
  readonly file: string;
};

export function chooseRules(
  flags: Partial<RetentionRules>,
  policy: PolicyRetention | null,
): Checked<RetentionRules> {
  if (Object.keys(flags).length > 0) return usable(flags, "--keep-*");
  if (policy) return usable(policyRetention(policy.retention), policy.file);
  return failed(
    createFinding("usage_invalid", {
      subject: "--keep-*",
      message:
        "no retention rules: pass --keep-last/--keep-daily/--keep-weekly/--keep-monthly/--keep-within, or keep a rollback policy with retention in ops/",
    }),
  );
}

function usable(rules: RetentionRules, from: string): Checked<RetentionRules> {
  const problems = checkRetentionRules(rules);
  if (problems.length === 0) return ok(rules);
  return failed(
    createFinding("usage_invalid", {
      subject: from,
      actual: problems.join("; "),
      message: `the retention rules in ${from} cannot be used: ${problems.join("; ")}`,
    }),
  );
}

/**
 * The policy's retention as restic rules. Its keepWithin is a recoverable duration (m is
 * minutes, w weeks); restic's m is months, so it is handed on in whole hours, rounded up.
 */
export function policyRetention(retention: RollbackPolicy["retention"]): RetentionRules {
  const { keepWithin, ...counts } = retention;
  if (keepWithin === undefined) return counts;
  const ms = parseDuration(keepWithin);
  return ms === null
    ? { ...counts, keepWithin }
    : { ...counts, keepWithin: `${Math.ceil(ms / 3_600_000)}h` };
}
