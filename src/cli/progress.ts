// Progress on stderr, never stdout (DESIGN.md "--json" and "--no-progress"): on a TTY, a bar
// per long stage with files and bytes done, throughput and ETA (cli-progress); where stderr
// is not a TTY or CI is set, no bars, but one line per finished stage for the CI log, unless
// --json asked for a quiet machine-readable run; nothing at all with --no-progress.
import cliProgress from "cli-progress";
import {
  NO_PROGRESS,
  type ProgressReporter,
  type ProgressTotals,
  type StageProgress,
} from "../util/progress.js";

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
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** "check store: 19 574 files, 2.0 GiB in 2.1 s (975.2 MiB/s)" */
export function stageLine(name: string, files: number, bytes: number, seconds: number): string {
  const rate = seconds > 0 ? ` (${formatBytes(bytes / seconds)}/s)` : "";
  return `${name}: ${files} files, ${formatBytes(bytes)} in ${seconds.toFixed(1)} s${rate}`;
}

export function createProgress(
  mode: ProgressMode,
  stream: NodeJS.WritableStream = process.stderr,
): ProgressReporter {
  if (mode === "off") return NO_PROGRESS;
  return {
    stage(name: string, totals: ProgressTotals = {}): StageProgress {
      const started = process.hrtime.bigint();
      let files = 0;
      let bytes = 0;
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      if (mode === "lines") {
        return {
          advance(doneFiles, doneBytes) {
            files += doneFiles;
            bytes += doneBytes;
          },
          done() {
            stream.write(`${stageLine(name, files, bytes, seconds())}\n`);
          },
        };
      }
      const known = totals.bytes !== undefined && totals.bytes > 0;
      const bar = new cliProgress.SingleBar(
        {
          stream,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
          format: known
            ? `${name} {bar} {percentage}% | {files} files | {done} of {total_bytes} | {rate}/s | ETA {eta_formatted}`
            : `${name} | {files} files | {done} | {rate}/s`,
        },
        cliProgress.Presets.shades_classic,
      );
      const fields = () => ({
        files: totals.files === undefined ? String(files) : `${files}/${totals.files}`,
        done: formatBytes(bytes),
        total_bytes: formatBytes(totals.bytes ?? 0),
        rate: formatBytes(bytes / Math.max(seconds(), 0.001)),
      });
      bar.start(known ? totals.bytes : 1, 0, fields());
      return {
        advance(doneFiles, doneBytes) {
          files += doneFiles;
          bytes += doneBytes;
          bar.update(known ? bytes : 0, fields());
        },
        done() {
          bar.update(known ? bytes : 0, fields());
          bar.stop();
        },
      };
    },
  };
}
