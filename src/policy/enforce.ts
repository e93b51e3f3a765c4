// What restore and drill ask before any work: does the rollback policy allow this release for
// this store? The rules of src/policy/rules.ts with the store's high-water mark.
import type { Evidence, EvidenceFiles } from "../documents/identity-chain.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { readHighWater } from "./high-water.js";
import { evaluateRelease, rollbackForbidden, type HighWaterMark } from "./rules.js";
import type { RuleOutcome } from "../documents/drill-report.js";

export type PolicyCheck = {
  readonly outcomes: RuleOutcome[];
  readonly findings: ClassifiedFinding[];
  readonly highWater: HighWaterMark | null;
};

export async function checkReleasePolicy(
  evidence: Pick<Evidence, "packet" | "rollbackPolicy">,
  files: EvidenceFiles,
  stateDir: string,
  options: { readonly now: Date; readonly allowDowngrade: boolean },
): Promise<PolicyCheck> {
  const read = await readHighWater(stateDir);
  if (!read.ok) return { outcomes: [], findings: [...read.findings], highWater: null };
  const mark = read.value;
  const { release } = evidence.packet;
  const outcomes = evaluateRelease(
    evidence.rollbackPolicy,
    {
      id: release.id,
      version: release.version,
      createdAt: release.createdAt,
      identity: releaseIdentityOf(evidence.packet),
    },
    { now: options.now, highWater: mark, allowDowngrade: options.allowDowngrade },
  );
  return {
    outcomes,
    findings: rollbackForbidden(outcomes, displayPath(files.rollbackPolicy)),
    highWater: mark,
  };
}
