// How long work says how far it is, without knowing who listens: the CLI draws bars and
// spinners on a TTY or lines in CI logs (src/cli/progress.ts); a library caller passes its own
// or none. Every stage of a drill is told, the short ones and those that count nothing too;
// stages nest (the restore's "restore files" and "check store" run inside its "restore").

export type ProgressTotals = { readonly files?: number; readonly bytes?: number };

/** How a stage ended: as its record in the report says (no status: it just ended). */
export type StageOutcome = "passed" | "failed" | "skipped";

/** One stage: advanced as work is done, when it counts files and bytes, and ended once. */
export interface StageProgress {
  advance(files: number, bytes: number): void;
  done(outcome?: StageOutcome): void;
}

export interface ProgressReporter {
  /** Starts a stage; `totals` when they are known up front (a bar and an ETA need them). */
  stage(name: string, totals?: ProgressTotals): StageProgress;
}

const SILENT_STAGE: StageProgress = {
  advance: () => undefined,
  done: () => undefined,
};

export const NO_PROGRESS: ProgressReporter = { stage: () => SILENT_STAGE };
