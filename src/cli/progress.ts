// Progress on stderr, never stdout (DESIGN.md "--json" and "--no-progress"): on a TTY, a live
// line for the stage that runs, a bar where files and bytes are counted against known totals
// and a spinner where not (progress-terminal.ts); where stderr is not a TTY or CI is set, no
// bars, but one line per stage that counted files, for the CI log (the drill's summary lists
// every stage), unless --json asked for a quiet machine-readable run; nothing with --no-progress.
import {
  NO_PROGRESS,
  type ProgressReporter,
  type ProgressTotals,
  type StageProgress,
} from "../util/progress.js";
import { TerminalProgress } from "./progress-terminal.js";

export type ProgressMode = "bars" | "lines" | "off";

export function progressMode(
  flags: { readonly json?: boolean; readonly progress?: boolean },
  stream: { readonly isTTY?: boolean } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  if (flags.progress === false) return "off";
  if (stream.isTTY === true && (env.CI === undefined || env.CI === "")) return "bars";
  return flags.json === true ? "off" : "lines";
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** "check store: 19 574 files, 2.0 GiB in 2.1 s (975.2 MiB/s)" */
export function stageLine(name: string, files: number, bytes: number, seconds: number): string {
  const rate = seconds > 0 ? ` (${formatBytes(bytes / seconds)}/s)` : "";
  return `${name}: ${files} files, ${formatBytes(bytes)} in ${seconds.toFixed(1)} s${rate}`;
}

/** A line per finished stage that counted files or bytes; the others say nothing. */
function linesProgress(stream: NodeJS.WritableStream): ProgressReporter {
  return {
    stage(name: string, totals: ProgressTotals = {}): StageProgress {
      const started = process.hrtime.bigint();
      let files = 0;
      let bytes = 0;
      return {
        advance(doneFiles, doneBytes) {
          files += doneFiles;
          bytes += doneBytes;
        },
        done() {
          const counted = totals.bytes !== undefined || totals.files !== undefined;
          if (!counted && files === 0 && bytes === 0) return;
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          stream.write(`${stageLine(name, files, bytes, seconds)}\n`);
        },
      };
    },
  };
}

export function createProgress(
  mode: ProgressMode,
  stream: NodeJS.WritableStream = process.stderr,
): ProgressReporter {
  if (mode === "off") return NO_PROGRESS;
  if (mode === "lines") return linesProgress(stream);
  const terminal = new TerminalProgress(stream);
  return { stage: (name, totals) => terminal.stage(name, totals) };
}
