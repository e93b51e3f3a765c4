// Running restic for the restic: source: spawned (never through a shell) with --no-lock, the
// environment inherited for passwords and backend credentials, and its failures turned into
// findings by exit code and stderr.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { maskURLPassword, sourceUnreadable, type SourceRef } from "../archive/source.js";

/** The `--source` location split: restic's own repository string and the snapshot asked for. */
export type ResticLocation = { readonly repository: string; readonly snapshot: string };

export type ResticExit = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly spawnError: NodeJS.ErrnoException | null;
};

const STDERR_LIMIT = 64 * 1024;

/** restic started; stdin closed so a missing password fails instead of waiting for a prompt. */
export function startRestic(
  location: ResticLocation,
  args: readonly string[],
): { child: ChildProcessByStdio<null, Readable, Readable>; exit: Promise<ResticExit> } {
  // --repo=<value> in one argument: a repository string can never be read as a flag.
  const child = spawn("restic", [`--repo=${location.repository}`, "--no-lock", ...args], {
    env: resticEnvironment(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: Buffer[] = [];
  let size = 0;
  child.stderr.on("data", (chunk: Buffer) => {
    if (size < STDERR_LIMIT) stderr.push(chunk);
    size += chunk.length;
  });
  // A spawn failure ('error') comes first; the promise keeps the first outcome.
  const exit = new Promise<ResticExit>((resolveExit) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      resolveExit({ code: null, signal: null, stderr: "", spawnError: error });
    });
    child.once("close", (code, signal) => {
      const text = Buffer.concat(stderr).toString("utf8");
      resolveExit({ code, signal, stderr: text, spawnError: null });
    });
  });
  return { child, exit };
}

export async function runRestic(
  location: ResticLocation,
  args: readonly string[],
): Promise<ResticExit & { stdout: string }> {
  const { child, exit } = startRestic(location, args);
  const stdout: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  const ended = await exit;
  return { ...ended, stdout: Buffer.concat(stdout).toString("utf8") };
}

/** The caller's environment, minus what would name another repository than --source does. */
function resticEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // restic refuses --repo together with RESTIC_REPOSITORY_FILE; RESTIC_REPOSITORY is overridden.
  delete env["RESTIC_REPOSITORY"];
  delete env["RESTIC_REPOSITORY_FILE"];
  return env;
}

export function exitFailed(exit: ResticExit): boolean {
  return exit.spawnError !== null || exit.code !== 0;
}

// Failures, by restic's exit code where it has one (10 no repository, 12 wrong password, from
// restic 0.17) and by its stderr text (restic 0.14 exits 1 for every fatal error).
export function resticFailure(
  ref: SourceRef,
  location: ResticLocation,
  exit: ResticExit,
): ClassifiedFinding {
  if (exit.spawnError !== null) return toolUnavailable(ref, exit.spawnError);
  const line = resticLine(exit.stderr);
  const repository = maskURLPassword(location.repository);
  if (exit.code === 12 || /wrong password|no key found|password/i.test(exit.stderr))
    return createFinding("source_credentials_refused", {
      subject: ref.text,
      expected:
        "the repository's password in RESTIC_PASSWORD, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND",
      actual: line,
      message: `${ref.text}: restic could not open ${repository} with the password given; set RESTIC_PASSWORD_FILE (or RESTIC_PASSWORD) to this repository's password`,
      cause: "restic_password",
    });
  if (
    exit.code === 10 ||
    /unable to open config file|is there a repository|repository does not exist/i.test(exit.stderr)
  )
    return sourceUnreadable(
      ref,
      `there is no restic repository at ${repository}, or it cannot be reached; check the repository string and that its server or bucket is reachable`,
      line,
    );
  if (/no matching ID|no snapshot found|ambiguous/i.test(exit.stderr))
    return noSnapshot(ref, location, line);
  if (/not found in snapshot|should be a (?:dir|file)/i.test(exit.stderr))
    return sourceUnreadable(
      ref,
      "the snapshot holds no store directory where it records one; back up the store root alone",
      line,
    );
  return sourceUnreadable(
    ref,
    `restic could not read ${repository} (exit ${exit.code ?? exit.signal ?? "unknown"}); run \`restic -r ${repository} check\``,
    line,
  );
}

export function noSnapshot(
  ref: SourceRef,
  location: ResticLocation,
  line: string | null,
): ClassifiedFinding {
  const repository = maskURLPassword(location.repository);
  return sourceUnreadable(
    ref,
    location.snapshot === "latest"
      ? `the repository ${repository} holds no snapshot`
      : `the repository ${repository} has no snapshot ${location.snapshot}; list them with \`restic -r ${repository} snapshots\``,
    line,
  );
}

function toolUnavailable(ref: SourceRef, error: NodeJS.ErrnoException): ClassifiedFinding {
  const why =
    error.code === "ENOENT" ? "restic is not installed or not on PATH" : "restic cannot be run";
  return createFinding("tool_unavailable", {
    subject: "restic",
    expected: "the restic program on PATH",
    actual: error.code ?? error.message,
    message: `${why} (${error.code ?? error.message}), so ${ref.text} cannot be read; install restic (0.14 or later) or put it on PATH`,
  });
}

/** restic's telling stderr line (its "Fatal:" line first), with any password masked. */
export function resticLine(stderr: string): string | null {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const line = lines.find((l) => l.startsWith("Fatal:")) ?? lines.at(-1);
  if (line === undefined) return null;
  // restic never prints the password; masking its value too keeps that true whatever restic
  // does. Below 4 characters it would mask ordinary words, and guards nothing.
  const password = process.env["RESTIC_PASSWORD"] ?? "";
  const masked = maskURLPassword(line);
  return password.length >= 4 ? masked.split(password).join("***") : masked;
}
