// drill, run: the planned drill (drill/drill.ts), then its outputs written and signed, whatever
// the verdict, then the high-water mark raised by a proven drill. An interrupted drill proves
// nothing and writes nothing.
import { join } from "node:path";
import type { DrillReport, StageRecord } from "../documents/drill-report.js";
import { raiseMarkAfter, runDrill, type DrillOutcome, type DrillRuntime } from "../drill/drill.js";
import { drillInterrupted } from "../drill/interruptions.js";
import { shardColumns } from "../drill/drill-plan.js";
import { drillOutputs, writeDrillOutputs, type DrillOutputs } from "../drill/outputs.js";
import { forgetReapedNotes } from "../drill/reaped-notes.js";
import { shardDrillOutputs } from "../drill/shard-outputs.js";
import { findingOfError } from "../findings/errors.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { pinnedLine } from "../report/render-text.js";
import { runsToCover } from "../store/sample.js";
import { checkpoint } from "../util/checkpoint.js";
import { compactUTC } from "../util/compact-time.js";
import type { StageOutcome } from "../util/progress.js";
import { interruptionOf } from "../util/run-scope.js";
import { NO_REPORT, type DrillResult } from "./drill-options.js";
import type { DrillJob } from "./drill-planner.js";
import { createResult } from "./result.js";
import type { VerifySample } from "./verify.js";

export async function runDrillJob(job: DrillJob, runtime: DrillRuntime): Promise<DrillResult> {
  const outcome = await runDrill(job.plan, runtime);
  if (outcome.interrupted !== null) return unsigned(job, outcome, outcome.findings);
  await checkpoint("drill-before-report", runtime.signal);
  // A stage for progress and the result, after the report's own stages: a signed report cannot
  // hold the time of its signing.
  const outputs = outputsOf(job, outcome.report, outcome);
  const written =
    interruptionOf(runtime.signal) === null
      ? await timed(runtime, "sign report", () => writeDrillOutputs(outputs, runtime.signal))
      : null;
  if (written === null || !written.value) return notSigned(job, outcome, runtime.signal);
  // Only now, with the signed report safe, a proven drill raises the high-water mark, and the
  // reaper's notes it reports are done with.
  const findings = [...outcome.findings];
  try {
    await raiseMarkAfter(job.plan, outcome.report);
    await forgetReapedNotes(outcome.reapedNotes);
  } catch (error) {
    findings.push(findingOfError(error));
  }
  return createResult("drill", findings, job.release, {
    ...resultOf(job, outcome.report, outputs),
    ...sampleOf(job, outcome),
    stages: [...outcome.report.stages, written.stage],
    scratchKept: outcome.scratchKept,
  });
}

/** The result's fields from the report: where it is, RTO and RPO, who pinned the bytes. */
function resultOf(job: DrillJob, report: DrillReport, outputs: DrillOutputs) {
  const pinned = pinnedLine(report);
  const { shard } = job.plan;
  return {
    report: outputs.paths,
    rto: report.rto,
    rpo: report.rpo,
    ...(pinned === null ? {} : { pinned }),
    ...(report.scenario === undefined ? {} : { scenario: report.scenario }),
    ...(shard === null
      ? {}
      : {
          shard: {
            index: shard.spec.index,
            count: shard.spec.count,
            artifacts: shard.artifacts.length,
            bytes: shard.bytes,
          },
        }),
  };
}

/** drill --sample: what the sample checked, with its paths, as verify --sample says it. */
function sampleOf(job: DrillJob, outcome: DrillOutcome): { sample?: VerifySample } {
  const spec = job.plan.sample;
  if (spec === null) return {};
  const checked = outcome.storeSample ?? { ...spec, contentChecked: 0, placeOnly: 0, paths: [] };
  return { sample: { ...checked, runsToCover: runsToCover(spec.fraction) } };
}

/** The files to write: the drill report's, or a shard report's. */
function outputsOf(job: DrillJob, report: DrillReport, outcome: DrillOutcome): DrillOutputs {
  const { out, signer, plan } = job;
  // The reports folder's own folder is named at the drill's start, its reference time.
  const dir =
    out.kind === "given"
      ? out.dir
      : join(out.dir, `${out.prefix}-${compactUTC(new Date(report.startedAt))}${out.suffix}`);
  if (plan.shard === null) return drillOutputs(report, dir, signer);
  const manifest = { artifacts: shardColumns(plan), digest: plan.manifestDigest };
  return shardDrillOutputs(report, outcome.storeCounts, manifest, plan.shard, { dir, signer });
}

function unsigned(
  job: DrillJob,
  outcome: DrillOutcome,
  findings: readonly ClassifiedFinding[],
): DrillResult {
  const { stages, scratchKept } = outcome;
  return createResult("drill", [...findings], job.release, { ...NO_REPORT, stages, scratchKept });
}

/** Interrupted after the drill, before its report was signed: no report either. */
function notSigned(job: DrillJob, outcome: DrillOutcome, signal: AbortSignal): DrillResult {
  const interrupted = drillInterrupted(
    interruptionOf(signal) ?? "aborted",
    "before its report was signed",
  );
  return unsigned(job, outcome, [...outcome.findings, interrupted]);
}

/** A stage the verb runs itself, told to progress and recorded as the report's stages are. */
async function timed<T>(
  runtime: DrillRuntime,
  name: string,
  body: () => Promise<T>,
): Promise<{ value: T; stage: StageRecord }> {
  const shown = runtime.progress.stage(name);
  const started = runtime.now();
  let status: StageOutcome = "failed";
  try {
    const value = await body();
    status = "passed";
    const durationMs = runtime.now().getTime() - started.getTime();
    return { value, stage: { name, status, startedAt: started.toISOString(), durationMs } };
  } finally {
    shown.done(status);
  }
}
