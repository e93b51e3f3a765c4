// How the drill's stages meet an interruption (the run scope's SIGINT or SIGTERM, or a library
// caller's AbortSignal): a stage that has not started does not start, and one that is running
// is given up at once and counts as failed, so the drill goes straight on to stopping what it
// started. Work a stage gave up may still be running (a restore writing into the scratch
// place); `settled` says when it has ended, so what it left can be removed once more then.
import { interruptedBy, interruptedFinding } from "../findings/interrupted.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { whenAborted } from "../util/abort.js";
import type { Interruption } from "../util/run-scope.js";
import type { DrillOutcome } from "./drill-plan.js";
import type { StageRecord } from "../documents/drill-report.js";

export class Interruptions {
  /** The stage that was running (or was about to) when the run was interrupted. */
  during: string | null = null;
  private readonly abandoned: Promise<unknown>[] = [];
  private foundBefore: ClassifiedFinding[] | null = null;
  private readonly onAbort = () => {
    this.foundBefore = this.found();
  };

  /** `found`: the findings so far, kept as they are at the interruption. */
  constructor(
    readonly signal: AbortSignal,
    private readonly found: () => ClassifiedFinding[],
  ) {
    signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /**
   * What was found before the interruption: work given up then may still add findings that
   * mean nothing (a restore that lost its scratch place).
   */
  findingsBefore(): ClassifiedFinding[] {
    return this.foundBefore ?? this.found();
  }

  /** Stops listening to the signal (it may outlive the drill, in a library). */
  dispose(): void {
    this.signal.removeEventListener("abort", this.onAbort);
  }

  /** A stage too short to give up (starting the service): not started once interrupted. */
  async runWhole(name: string, body: () => boolean | Promise<boolean>): Promise<boolean> {
    return this.interrupted(name) ? false : body();
  }

  /** Runs a stage's body until it ends or the run is interrupted (then: false). */
  async run(name: string, body: () => boolean | Promise<boolean>): Promise<boolean> {
    if (this.interrupted(name)) return false;
    const work = Promise.resolve().then(body);
    const wait = whenAborted(this.signal);
    try {
      return await Promise.race([work, wait.aborted.then(() => false)]);
    } finally {
      wait.dispose();
      if (this.interrupted(name)) this.abandoned.push(work.catch(() => undefined));
    }
  }

  /** Whether the run was interrupted; the first stage to see it is recorded in `during`. */
  interrupted(stage: string): boolean {
    if (!this.signal.aborted) return false;
    this.during ??= stage;
    return true;
  }

  /** Whether any stage's work was given up while it still ran. */
  get anyAbandoned(): boolean {
    return this.abandoned.length > 0;
  }

  /** Resolves once every piece of work given up has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.abandoned);
  }

  /** An interrupted drill's outcome: no report; what it had found, and the interruption. */
  outcome(
    interruption: Interruption,
    stages: readonly StageRecord[],
    scratchKept: string | null,
  ): DrillOutcome {
    const when = this.during === null ? "after its last stage" : `during "${this.during}"`;
    return {
      interrupted: interruption,
      report: null,
      stages,
      storeCounts: null,
      storeSample: null,
      findings: [...this.findingsBefore(), drillInterrupted(interruption, when)],
      scratchKept,
      reapedNotes: [],
    };
  }
}

/** The finding of an interrupted drill; `when`: 'during "probes"', "before its report was signed". */
export function drillInterrupted(interruption: Interruption, when: string): ClassifiedFinding {
  return interruptedFinding(
    interruption,
    `the drill was interrupted by ${interruptedBy(interruption)} ${when}: it stopped what it had started, removed its scratch directory (unless --keep) and wrote and signed no report`,
  );
}
