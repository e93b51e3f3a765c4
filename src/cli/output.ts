// Prints a result: exactly one JSON object on stdout with --json (nothing else there), or the
// human summary. The exit code is the result's.
import type { VerbResult } from "../verbs/result.js";
import { renderText } from "./render-text.js";

export type OutputOptions = { readonly json?: boolean };

let printed = false;

/** Whether this run's result has been printed (there is only ever one). */
export function resultPrinted(): boolean {
  return printed;
}

export function emit(
  result: VerbResult,
  options: OutputOptions,
  summary: readonly string[] = [],
): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(renderText(result, summary, colorsFor(process.stdout)));
  }
  process.exitCode = result.exitCode;
  printed = true;
}

export type Paint = {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
};

const plain = (s: string): string => s;
export const NO_COLOR: Paint = { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };

/**
 * Colour on a TTY that has colours (`hasColors` honours NO_COLOR), or wherever FORCE_COLOR asks
 * for it, TTY or not: a CI log that renders colour is a pipe. FORCE_COLOR is read as Node reads
 * it: "", 1, 2, 3 or true turn colour on, any other value turns it off, and it wins over NO_COLOR.
 */
export function colorsFor(
  stream: { readonly isTTY?: boolean; hasColors?: () => boolean },
  env: NodeJS.ProcessEnv = process.env,
): Paint {
  const forced = env["FORCE_COLOR"];
  const on =
    forced === undefined
      ? stream.isTTY === true && stream.hasColors?.() === true
      : ["", "1", "2", "3", "true"].includes(forced);
  if (!on) return NO_COLOR;
  const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
  return {
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  };
}
