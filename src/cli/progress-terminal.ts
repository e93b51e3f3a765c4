// Progress on a terminal: one live line at the bottom, redrawn ten times a second, for the
// innermost stage that runs: a bar with files, bytes, rate and ETA where the totals are known,
// else a spinner with the time so far (and what was counted, if anything). Stages nest: when
// "restore files" ends inside "restore", its final bar stays on screen and the spinner of
// "restore" takes the live line again, so no stage is ever silent. A stage that counted
// nothing leaves no line behind: the drill's summary lists every stage with its time.
import type { ProgressTotals, StageProgress } from "../util/progress.js";
import { formatBytes, stageLine } from "./progress.js";

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const TICK_MS = 100;
const BAR_WIDTH = 40;
const HIDE_CURSOR = "\u001b[?25l";
const SHOW_CURSOR = "\u001b[?25h";
const CLEAR_LINE = "\r\u001b[K";

type Running = {
  readonly name: string;
  readonly totals: ProgressTotals;
  readonly started: bigint;
  files: number;
  bytes: number;
};

type Terminal = NodeJS.WritableStream & { readonly columns?: number };

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** "2m 05s", "12s": what is left, as an ETA. */
function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const whole = Math.max(0, Math.round(seconds));
  return whole < 60
    ? `${whole}s`
    : `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
}

/** The live line of a stage whose totals are known: the bar. */
function barLine(stage: Running, totalBytes: number): string {
  const fraction = Math.min(1, stage.bytes / totalBytes);
  const filled = Math.round(fraction * BAR_WIDTH);
  const rate = stage.bytes / Math.max(secondsSince(stage.started), 0.001);
  const files =
    stage.totals.files === undefined ? `${stage.files}` : `${stage.files}/${stage.totals.files}`;
  return [
    `${stage.name} ${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)} ${Math.round(fraction * 100)}%`,
    `${files} files`,
    `${formatBytes(stage.bytes)} of ${formatBytes(totalBytes)}`,
    `${formatBytes(rate)}/s`,
    `ETA ${eta((totalBytes - stage.bytes) / rate)}`,
  ].join(" | ");
}

/** The live line of a stage without known totals: a spinner, the time so far, any counts. */
function spinnerLine(stage: Running, frame: number): string {
  const seconds = secondsSince(stage.started);
  const counted =
    stage.files > 0 || stage.bytes > 0
      ? ` | ${stage.files} files | ${formatBytes(stage.bytes)} | ${formatBytes(stage.bytes / Math.max(seconds, 0.001))}/s`
      : "";
  return `${FRAMES[frame % FRAMES.length] ?? "-"} ${stage.name} ${seconds.toFixed(1)} s${counted}`;
}

export class TerminalProgress {
  private readonly running: Running[] = [];
  private timer: NodeJS.Timeout | null = null;
  private frame = 0;
  /** Something is drawn on the live line (and the cursor is hidden). */
  private drawn = false;

  constructor(private readonly stream: Terminal) {}

  stage(name: string, totals: ProgressTotals = {}): StageProgress {
    const stage: Running = { name, totals, started: process.hrtime.bigint(), files: 0, bytes: 0 };
    this.running.push(stage);
    this.timer ??= setInterval(() => {
      this.draw();
    }, TICK_MS).unref();
    return {
      advance: (files, bytes) => {
        stage.files += files;
        stage.bytes += bytes;
      },
      done: () => {
        this.end(stage);
      },
    };
  }

  private end(stage: Running): void {
    const at = this.running.indexOf(stage);
    if (at === -1) return; // done twice
    this.running.splice(at, 1);
    // A stage that counted leaves its last state on screen, as a finished bar or a line.
    const total = stage.totals.bytes ?? 0;
    if (total > 0) this.write(`${CLEAR_LINE}${this.fit(barLine(stage, total))}\n`);
    else if (stage.files > 0 || stage.bytes > 0)
      this.write(
        `${CLEAR_LINE}${this.fit(stageLine(stage.name, stage.files, stage.bytes, secondsSince(stage.started)))}\n`,
      );
    else if (this.drawn && this.running.length === 0) this.write(CLEAR_LINE);
    // The stage around it (if any) takes the live line at once.
    if (this.running.length > 0) {
      this.draw();
      return;
    }
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.showCursor();
  }

  private draw(): void {
    const stage = this.running.at(-1);
    if (stage === undefined) return;
    this.frame += 1;
    const total = stage.totals.bytes ?? 0;
    const line = total > 0 ? barLine(stage, total) : spinnerLine(stage, this.frame);
    if (!this.drawn) {
      this.drawn = true;
      process.once("exit", this.restoreCursor);
      this.write(HIDE_CURSOR);
    }
    this.write(`${CLEAR_LINE}${this.fit(line)}`);
  }

  /** Cut to the terminal's width: a line that wraps can no longer be redrawn in place. */
  private fit(line: string): string {
    // A pseudo-terminal of unknown size says 0 columns.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    // Code points are enough: the lines are stage names, digits and box characters.
    const chars = Array.from(line);
    return chars.length <= width ? line : `${chars.slice(0, width - 1).join("")}…`;
  }

  private showCursor(): void {
    if (!this.drawn) return;
    this.drawn = false;
    process.off("exit", this.restoreCursor);
    this.write(SHOW_CURSOR);
  }

  private readonly restoreCursor = (): void => {
    this.write(SHOW_CURSOR);
  };

  private write(text: string): void {
    this.stream.write(text);
  }
}
