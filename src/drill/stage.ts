// A drill stage's answer, and the pipeline that runs the stages in order. A stage takes the plan
// and what earlier stages returned, and returns whether the drill goes on, what it made and what
// it found; it writes into nothing shared. The pipeline times each stage (StageClock), gives up
// a running one when the run is interrupted (Interruptions), and keeps the findings in the order
// the stages found them: the first error is the first failure.
import { findingOfError } from "../findings/errors.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import type { StageRecord } from "../documents/drill-report.js";
import { Interruptions } from "./interruptions.js";
import { StageClock } from "./stage-clock.js";
import type { DrillRuntime } from "./drill-plan.js";

export type Stage<T> = {
  /** False: the stages after it are skipped (the ones that always run still run). */
  readonly passed: boolean;
  readonly value: T;
  readonly findings: readonly ClassifiedFinding[];
};

export function stageOf<T>(
  passed: boolean,
  value: T,
  findings: readonly ClassifiedFinding[] = [],
): Stage<T> {
  return { passed, value, findings };
}

export class StagePipeline {
  /** Every finding in the order the stages found them. */
  readonly findings: ClassifiedFinding[] = [];
  readonly interruptions: Interruptions;
  private readonly clock: StageClock;

  constructor(runtime: DrillRuntime) {
    this.clock = new StageClock(
      runtime.now,
      (error) => this.findings.push(findingOfError(error)),
      runtime.progress,
    );
    this.interruptions = new Interruptions(runtime.signal, () => this.findings);
  }

  get stages(): readonly StageRecord[] {
    return this.clock.stages;
  }

  /** Findings from before the first stage (the reaper's notes). */
  record(findings: readonly ClassifiedFinding[]): void {
    this.findings.push(...findings);
  }

  /** Runs a stage until it ends or the run is interrupted; its value, or null if none. */
  run<T>(name: string, body: () => Promise<Stage<T>> | Stage<T>): Promise<T | null> {
    return this.timed(name, body, (stage) => this.interruptions.run(name, stage));
  }

  /** A stage too short to give up (starting the service): not started once interrupted. */
  whole<T>(name: string, body: () => Promise<Stage<T>> | Stage<T>): Promise<T | null> {
    return this.timed(name, body, (stage) => this.interruptions.runWhole(name, stage));
  }

  skip(name: string): void {
    this.clock.skip(name);
  }

  /** Runs even after a failure (stopping, tearing down); null from the body: nothing to do. */
  always(name: string, body: () => Promise<boolean | null>): Promise<void> {
    return this.clock.always(name, body);
  }

  private async timed<T>(
    name: string,
    body: () => Promise<Stage<T>> | Stage<T>,
    guard: (stage: () => Promise<boolean>) => Promise<boolean>,
  ): Promise<T | null> {
    let value: T | null = null;
    await this.clock.run(name, () =>
      guard(async () => {
        const stage = await body();
        this.findings.push(...stage.findings);
        value = stage.value;
        return stage.passed;
      }),
    );
    return value;
  }
}
