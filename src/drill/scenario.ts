// drill --scenario <name>: the failure scenario of the rollback policy whose RTO and RPO the drill
// is judged against, instead of the policy's objectives. An unknown name is bad input.
import type { RollbackPolicy, Scenario } from "../documents/types.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";

export function resolveScenario(
  name: string | undefined,
  policy: RollbackPolicy,
  policyFile: string,
): Checked<Scenario | null> {
  if (name === undefined) return ok(null);
  const scenarios = policy.scenarios ?? [];
  const found = scenarios.find((s) => s.name === name);
  if (found !== undefined) return ok(found);
  const known = scenarios.map((s) => s.name);
  return failed(
    createFinding("usage_invalid", {
      subject: "--scenario",
      expected:
        known.length === 0 ? "a scenario of the rollback policy (it has none)" : known.join(", "),
      actual: name,
      message:
        known.length === 0
          ? `--scenario ${name}: the rollback policy ${policyFile} has no scenarios; add them under "scenarios" (name, rto, rpo, backups)`
          : `--scenario ${name} is not a scenario of the rollback policy ${policyFile}; its scenarios are ${known.join(", ")}`,
    }),
  );
}
