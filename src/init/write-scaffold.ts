// What init writes must itself be valid, and is written all or none: the drill config and the
// rollback policy, each checked against its schema first.
import { checkSchema } from "../documents/schema-validation.js";
import { failed, failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { formatJSON } from "../util/atomic-write.js";
import { displayPath } from "../util/display-path.js";
import { writeAllOrNone } from "../util/write-all-or-none.js";
import type { InitPlan } from "./plan-init.js";

/** The files written, as displayed, or why nothing was. */
export async function writeScaffold(
  plan: InitPlan,
  configPath: string,
  policyPath: string,
): Promise<Checked<string[]>> {
  const selfCheck = [
    ...checkSchema("drillConfig", plan.drillConfig as never, displayPath(configPath)),
    ...checkSchema("rollbackPolicy", plan.rollbackPolicy as never, displayPath(policyPath)),
  ];
  if (selfCheck.length > 0) return failedWith(selfCheck);
  const written = await writeAllOrNone(
    [
      { path: configPath, data: formatJSON(plan.drillConfig) },
      { path: policyPath, data: formatJSON(plan.rollbackPolicy) },
    ],
    new AbortController().signal,
  );
  if (written) return ok([displayPath(configPath), displayPath(policyPath)]);
  return failed(
    createFinding("io_failed", {
      subject: displayPath(configPath),
      message: "init was interrupted before it wrote",
    }),
  );
}
