// Times every stage of a drill; once a stage fails, the ones after it are recorded as skipped.
// Each stage is also told to the progress reporter as it starts and ends, so a terminal shows
// that it runs and a library caller sees every stage, not only those that count files.
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import type { StageRecord, CheckStatus } from "../documents/drill-report.js";

export class StageClock {
  readonly stages: StageRecord[] = [];
  private failed = false;

  /** `onError` records what a stage threw (as a finding); the stage then counts as failed. */
  constructor(
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
    private readonly progress: ProgressReporter = NO_PROGRESS,
  ) {}

  /** Runs a stage unless an earlier one failed; the body says whether it passed. */
  async run(name: string, body: () => boolean | Promise<boolean>): Promise<void> {
    if (this.failed) {
      this.skip(name);
      return;
    }
    if (!(await this.time(name, body))) this.failed = true;
  }

  /** Runs a stage even after a failure (stopping the service); null from the body: nothing to do. */
  async always(name: string, body: () => Promise<boolean | null>): Promise<void> {
    await this.time(name, body);
  }

  skip(name: string): void {
    this.progress.stage(name).done("skipped");
    this.record(name, "skipped", this.now(), 0);
  }

  private async time(
    name: string,
    body: () => boolean | null | Promise<boolean | null>,
  ): Promise<boolean> {
    const started = this.now();
    const shown = this.progress.stage(name);
    let passed: boolean | null;
    try {
      passed = await body();
    } catch (error) {
      this.onError(error);
      passed = false;
    }
    const status: CheckStatus = passed === null ? "skipped" : passed ? "passed" : "failed";
    shown.done(status);
    this.record(name, status, started, this.now().getTime() - started.getTime());
    return passed !== false;
  }

  private record(name: string, status: CheckStatus, started: Date, durationMs: number): void {
    this.stages.push({ name, status, startedAt: started.toISOString(), durationMs });
  }
}
