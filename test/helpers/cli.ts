// Runs the built CLI as a user would: a child process, exit code, stdout and stderr.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export type CLIRun = {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (throws when it is not exactly one JSON value). */
  readonly json: () => JSONResult;
};

export type JSONResult = {
  verb: string;
  verdict: string;
  exitCode: number;
  releaseId: string | null;
  releaseIdentity: { sha256: string } | null;
  findings: {
    code: string;
    severity: string;
    subject: string;
    expected: string | null;
    actual: string | null;
    message: string;
    hint: string;
  }[];
  [field: string]: unknown;
};

export function runCLI(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): CLIRun {
  // Plain text, whatever the environment of the tests says (FORCE_COLOR wins over NO_COLOR).
  const inherited = { ...process.env };
  delete inherited["FORCE_COLOR"];
  const child = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...inherited, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    // Not spawnSync's 1 MiB: report verify --json prints a large store's whole signed report.
    maxBuffer: 1024 * 1024 * 1024,
  });
  return {
    code: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
    json: () => JSON.parse(child.stdout) as JSONResult,
  };
}
