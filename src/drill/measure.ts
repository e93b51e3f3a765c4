// RTO and RPO of a drill (pure): RTO from the drill's start to a service that answered its
// probes, when the drill proved the store; RPO, the age of the backup at the drill's start.
// Each is judged against the scenario's target when the drill was given one (drill --scenario),
// else the rollback policy's objectives; one over its target is a finding.
import type { Scenario } from "../documents/types.js";
import type { Objective } from "../documents/drill-report.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { measureObjective } from "../report/drill-report.js";
import { parseDuration } from "../util/duration.js";

export type Measured = {
  readonly rto: Objective;
  readonly rpo: Objective;
  readonly findings: readonly ClassifiedFinding[];
};

export type MeasureInput = {
  /** The targets: the rollback policy's objectives, or a scenario's. */
  readonly objectives: { readonly rto: string; readonly rpo: string };
  readonly scenario: Scenario | null;
  readonly startedAt: Date;
  /** When the probes were done; null: they did not run. */
  readonly probesDoneAt: Date | null;
  /** Whether every stage so far found no error: an unproven recovery has no RTO. */
  readonly proven: boolean;
  /** The backup's time; null: unknown (live mode, or a source that cannot say). */
  readonly backupTime: Date | null;
};

export function measureObjectives(input: MeasureInput): Measured {
  const { startedAt, probesDoneAt, backupTime } = input;
  const objectives = input.scenario ?? input.objectives;
  const of = input.scenario === null ? "" : ` of scenario ${input.scenario.name}`;
  const rto = measureObjective(
    probesDoneAt === null || !input.proven ? null : probesDoneAt.getTime() - startedAt.getTime(),
    parseDuration(objectives.rto),
  );
  const rpo = measureObjective(
    backupTime === null ? null : startedAt.getTime() - backupTime.getTime(),
    parseDuration(objectives.rpo),
  );
  const findings: ClassifiedFinding[] = [];
  if (rto.status === "failed")
    findings.push(
      createFinding("rto_exceeded", {
        subject: "rto",
        expected: `at most ${objectives.rto}`,
        actual: `${String(rto.seenSeconds)}s`,
        message: `recovery took ${String(rto.seenSeconds)}s, over the RTO target${of} of ${objectives.rto}`,
      }),
    );
  if (rpo.status === "failed")
    findings.push(
      createFinding("rpo_exceeded", {
        subject: "rpo",
        expected: `at most ${objectives.rpo}`,
        actual: `${String(rpo.seenSeconds)}s`,
        message: `the backup was ${String(rpo.seenSeconds)}s old, over the RPO target${of} of ${objectives.rpo}`,
      }),
    );
  return { rto, rpo, findings };
}
