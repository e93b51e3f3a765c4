// The drill's first two stages, which decide whether the release may be drilled at all.
import { verifyChainOf } from "../documents/identity-chain.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import type { RuleOutcome } from "../documents/drill-report.js";
import type { DrillPlan } from "./drill-plan.js";
import { stageOf, type Stage } from "./stage.js";

/** The evidence chain: a drill of broken evidence proves nothing. */
export function checkEvidence(plan: DrillPlan): Stage<null> {
  const broken = verifyChainOf(plan.evidence, plan.manifestDigest, plan.files);
  return stageOf(broken.length === 0, null, broken);
}

/**
 * The rollback policy with the store's high-water mark, at the drill's reference time: a release
 * it forbids is not drilled. A downgrade let through on purpose is recorded.
 */
export async function checkPolicy(plan: DrillPlan, at: Date): Promise<Stage<RuleOutcome[]>> {
  const check = await checkReleasePolicy(plan.evidence, plan.files, plan.config.stateDir, {
    now: at,
    allowDowngrade: plan.allowDowngrade,
  });
  const findings: ClassifiedFinding[] = [...check.findings];
  const downgrade = check.outcomes.find((o) => o.overridden === true);
  if (downgrade)
    findings.push(
      createFinding("downgrade_allowed", {
        subject: `${plan.files.rollbackPolicy}#${downgrade.field}`,
        severity: "info",
        expected: downgrade.expected,
        actual: downgrade.actual,
        message: downgrade.message,
      }),
    );
  return stageOf(check.findings.length === 0, check.outcomes, findings);
}
