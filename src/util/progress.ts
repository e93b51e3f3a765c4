// How long work says how far it is, without knowing who listens: the CLI draws bars on a TTY
// or a line per stage in CI logs (src/cli/progress.ts); a library caller passes its own or none.

export type ProgressTotals = { readonly files?: number; readonly bytes?: number };

/** One long stage: advanced as work is done, ended once. */
export interface StageProgress {
  advance(files: number, bytes: number): void;
  done(): void;
}

export interface ProgressReporter {
  /** Starts a stage; `totals` when they are known up front (ETA needs them). */
  stage(name: string, totals?: ProgressTotals): StageProgress;
}

const SILENT_STAGE: StageProgress = {
  advance: () => undefined,
  done: () => undefined,
};

export const NO_PROGRESS: ProgressReporter = { stage: () => SILENT_STAGE };
