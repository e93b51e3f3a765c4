// What the restore safety, kill and lock tests share: the contract every run keeps, runs paused at
// a named point (src/util/checkpoint.ts) and killed there, a pid that is surely dead, and a small
// tmpfs for a full disk or another file system.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { CLI, type CLIRun, type JSONResult } from "./cli.js";
import { makeTempDir } from "./temp-dir.js";

/**
 * The contract of every run: --json printed exactly one object, its exitCode is the process's,
 * no stack trace reached stderr. Returns the object.
 */
export function expectContract(run: CLIRun): JSONResult {
  const json = run.json();
  expect(json.exitCode, run.stdout).toBe(run.code);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return json;
}

/** Starts the CLI with a test pause at `point`; resolves once it has paused there. */
export function pausedAt(
  args: readonly string[],
  cwd: string,
  point: string,
  env: Record<string, string> = {},
): Promise<ChildProcess & { pid: number }> {
  return new Promise((resolvePaused, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env, RECOVERABLE_TEST_PAUSE_AT: point },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(`paused at ${point}`))
        resolvePaused(child as ChildProcess & { pid: number });
    });
    child.once("exit", (code) => {
      reject(new Error(`exited (${code}) before pausing at ${point}: ${stderr}`));
    });
  });
}

/** Kills a child with SIGKILL and waits until it is gone. */
export async function kill(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit");
  const gone = new Promise((exited) => child.once("exit", exited));
  child.kill("SIGKILL");
  await gone;
}

/** Runs the CLI until it pauses at `point`, then SIGKILLs it there. */
export async function killedAt(
  args: readonly string[],
  cwd: string,
  point: string,
  env: Record<string, string> = {},
): Promise<number> {
  const child = await pausedAt(args, cwd, point, env);
  await kill(child);
  return child.pid;
}

/** The pid of a process that has exited (reused only after the kernel wraps around). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

/** The hidden entries a restore keeps beside `name` in `dir` (lock, scratch, safety copies). */
export function besides(dir: string, name: string): string[] {
  return readdirSync(dir)
    .filter((entry) => entry.startsWith(`.${name}.`))
    .sort();
}

export type Tmpfs = { readonly dir: string; readonly unmount: () => void };

/** A tmpfs of `bytes` mounted on a fresh directory; null when mounting is not permitted. */
export function mountTmpfs(bytes: number): Tmpfs | null {
  const dir = join(makeTempDir("recoverable-tmpfs-"), "fs");
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], {
      stdio: "ignore",
    });
  } catch {
    return null;
  }
  return {
    dir,
    unmount() {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
