// Runs the release's probes against the recovered service and store: http, sql, catalog and
// identity (./http-probes.ts, ./sql-probes.ts). Each returns a check; failures are findings.
// Probes reach only allowed hosts, and secret header values never reach a result.
import type { Probe } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { catalogProbe, httpProbe, identityProbe } from "./http-probes.js";
import {
  mergeUnanswered,
  type Outcome,
  type ProbeCheck,
  type ProbeContext,
} from "./probe-check.js";
import { sqlProbe } from "./sql-probes.js";

export {
  describeProbe,
  probeSecrets,
  type PGQuerier,
  type ProbeCheck,
  type ProbeContext,
} from "./probe-check.js";

export async function runProbes(
  probes: readonly Probe[],
  context: ProbeContext,
  expectedIdentity: string,
): Promise<{ checks: ProbeCheck[]; findings: ClassifiedFinding[] }> {
  const results: Outcome[] = [];
  for (const probe of probes) {
    const result =
      probe.type === "sql"
        ? await sqlProbe(probe, context)
        : probe.type === "identity"
          ? await identityProbe(probe, context, expectedIdentity)
          : probe.type === "catalog"
            ? await catalogProbe(probe, context)
            : await httpProbe(probe, context);
    results.push(result);
  }
  return { checks: results.map((r) => r.check), findings: mergeUnanswered(results) };
}
