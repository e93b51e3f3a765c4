// The drill's service stages: start the service against the restored store, wait until it is
// ready, run the release's probes against it and the store.
import { releaseIdentityOf } from "../documents/identity-chain.js";
import type { ResolvedService } from "../documents/drill-config.js";
import { createFinding, hasErrors } from "../findings/finding.js";
import { runProbes, probeSecrets, type ProbeCheck } from "../probes/run-probes.js";
import { freePort } from "../service/free-port.js";
import { createRedactor } from "../service/redact.js";
import { postgresURLsFor } from "../service/postgres-urls.js";
import { startService, waitUntilReady, type RunningService } from "../service/service-process.js";
import type { DrillPlan } from "./drill-plan.js";
import type { DrillScope } from "./drill-scope.js";
import { stageOf, type Stage } from "./stage.js";

/** What the probes found, and when they were done (the end of the RTO). */
export type Probed = { readonly checks: readonly ProbeCheck[]; readonly doneAt: Date };

function notStarted(service: ResolvedService, actual: string, message: string): Stage<null> {
  const subject = service.command.join(" ");
  const finding = createFinding("service_failed_to_start", { subject, actual, message });
  return stageOf(false, null, [finding]);
}

/** Start the service against the restored store, on a free port; the scope stops it. */
export async function startTheService(
  plan: DrillPlan,
  service: ResolvedService,
  storeRoot: string,
  scope: DrillScope,
): Promise<Stage<RunningService | null>> {
  const { packet } = plan.evidence;
  const redact = createRedactor(probeSecrets(packet.probes, plan.config.secretHeaders));
  const kindOf = (path: string) => (plan.pgdumps.has(path) ? ("pgdump" as const) : undefined);
  const postgres = await postgresURLsFor(
    service,
    packet.datasets,
    kindOf,
    storeRoot,
    scope.postgres,
  );
  if (!postgres.ok)
    return notStarted(service, postgres.error, `the service was not started: ${postgres.error}`);
  const port = await freePort();
  const variables = { store: storeRoot, port, packet: plan.paths.packet, postgres: postgres.urls };
  const started = await startService(service, variables, redact);
  if (!started.started)
    return notStarted(
      service,
      started.error,
      `the service command could not be started: ${started.error}`,
    );
  scope.adoptService(started.service);
  return stageOf(true, started.service);
}

/** Wait until it answers its readiness path, within the configured limit. */
export async function waitForReadiness(
  running: RunningService,
  service: ResolvedService,
  signal: AbortSignal,
): Promise<Stage<null>> {
  const { readinessPath, readinessTimeoutMs } = service;
  const readiness = await waitUntilReady(running, readinessPath, readinessTimeoutMs, signal);
  if (readiness.ready || signal.aborted) return stageOf(readiness.ready, null);
  const finding = createFinding("service_not_ready", {
    subject: `${running.url}${readinessPath}`,
    expected: "a 2xx answer",
    actual: readiness.reason,
    message: `the service did not become ready: ${readiness.reason}`,
  });
  return stageOf(false, null, [finding]);
}

/** Run the release's probes against the service (null: none runs) and the restored store. */
export async function probe(
  plan: DrillPlan,
  target: { readonly serviceURL: string | null; readonly storeRoot: string },
  scope: DrillScope,
  now: () => Date,
): Promise<Stage<Probed>> {
  const { packet } = plan.evidence;
  const result = await runProbes(
    packet.probes,
    {
      baseURL: target.serviceURL,
      storeRoot: target.storeRoot,
      packet,
      allowedHosts: plan.config.probeHosts,
      secretHeaders: plan.config.secretHeaders,
      pgdumps: plan.pgdumps,
      postgres: scope.postgres,
    },
    releaseIdentityOf(packet).sha256,
  );
  const probed = { checks: result.checks, doneAt: now() };
  return stageOf(!hasErrors(result.findings), probed, result.findings);
}
