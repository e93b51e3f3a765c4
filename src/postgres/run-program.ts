// Runs one PostgreSQL program to its end: its exit, and the tail of what it printed. The
// environment is cleaned of the caller's PG* variables (PGHOST, PGOPTIONS, PGSERVICE ...),
// which would otherwise send a restore somewhere else, and messages are asked for in English,
// because the errors are read (restore-errors.ts).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";

export type ProgramRun = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be spawned at all (ENOENT, EACCES). */
  readonly spawnError: string | null;
};

/** Who runs a program: the current user, or (as root) the unprivileged server owner. */
export type RunAs = { readonly uid: number; readonly gid: number; readonly name: string } | null;

export type ProgramOptions = {
  readonly env?: Readonly<Record<string, string>>;
  /** PG* variables of the caller kept as they are (a password for a server named by URL). */
  readonly keepEnv?: readonly string[];
  readonly runAs?: RunAs;
  /** Fed to the program's standard input, then closed. */
  readonly stdin?: Readable;
  /** A new process group, so a Ctrl-C at the terminal reaches recoverable, not the server. */
  readonly detached?: boolean;
  readonly timeoutMs?: number;
  /** Told the process once it is spawned (to kill it if the run is interrupted). */
  readonly onSpawn?: (child: ChildProcess) => void;
};

const TAIL = 64 * 1024;

function programEnv(
  extra: Readonly<Record<string, string>> = {},
  keep: readonly string[] = [],
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith("PG") || keep.includes(key)) env[key] = value;
  return { ...env, LC_ALL: "C", LC_MESSAGES: "C", ...extra };
}

function spawnOptions(options: ProgramOptions): SpawnOptions {
  return {
    env: programEnv(options.env, options.keepEnv),
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    // The server's user may not be allowed into the caller's working directory.
    cwd: "/",
  };
}

export function runProgram(
  command: string,
  args: readonly string[],
  options: ProgramOptions = {},
): Promise<ProgramRun> {
  return new Promise((resolveRun) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const child = spawn(command, args, spawnOptions(options));
    options.onSpawn?.(child);
    const timer =
      options.timeoutMs === undefined
        ? null
        : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    const finish = (run: Omit<ProgramRun, "stdout" | "stderr">) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolveRun({ ...run, stdout, stderr });
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout = (stdout + chunk.toString("utf8")).slice(-TAIL);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-TAIL);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, spawnError: error.code ?? error.message });
    });
    child.on("close", (code, signal) => {
      finish({ code, signal, spawnError: null });
    });
    if (options.stdin && child.stdin) {
      const input = child.stdin;
      // The program may stop reading early (an error with ON_ERROR_STOP): that is its answer.
      input.on("error", () => undefined);
      // A source that fails (a truncated gzip) ends the input; the caller judges the error.
      options.stdin.on("error", () => input.destroy());
      options.stdin.pipe(input);
    }
  });
}

/** The same, synchronously: for cleanup in an exit or signal handler, where nothing async runs. */
export function runProgramSync(
  command: string,
  args: readonly string[],
  options: Omit<ProgramOptions, "stdin" | "detached"> = {},
): number | null {
  const run = spawnSync(command, args, {
    ...spawnOptions(options),
    stdio: "ignore",
    timeout: options.timeoutMs ?? 30_000,
  });
  return run.status;
}
