// The built CLI run in the background, for tests that signal or kill it at a chosen moment:
// wait for a line on its stderr (a RECOVERABLE_TEST_PAUSE_AT pause) or a condition, then
// send the signal and read how it ended.
import { spawn } from "node:child_process";
import { CLI } from "./cli.js";

export type BackgroundCLI = {
  readonly pid: number;
  /** Its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once its stderr holds `text`; rejects when it exits first or after `timeoutMs`. */
  readonly waitForStderr: (text: string, timeoutMs?: number) => Promise<void>;
  readonly kill: (signal: NodeJS.Signals) => void;
};

export function startCLI(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): BackgroundCLI {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolveExit) => {
      child.once("close", (code, signal) => {
        resolveExit({ code, signal });
      });
    },
  );
  return {
    pid: child.pid ?? 0,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (text, timeoutMs = 60_000) =>
      waitFor(
        () => stderr.includes(text),
        exited,
        timeoutMs,
        () => `"${text}" on stderr:\n${stderr}`,
      ),
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

/** Polls `condition` until it holds; rejects when `exited` settles first or time runs out. */
export async function waitFor(
  condition: () => boolean,
  exited: Promise<unknown> | null,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const state = { ended: false };
  void exited?.then(() => (state.ended = true));
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (state.ended) throw new Error(`the process ended before ${what()}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
