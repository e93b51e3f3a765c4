// The CLI behind a reader that stops early (`recoverable drill --help | head -2`): no EPIPE
// stack trace, and the exit code is still the verb's. Behind a pipe that shows colour (a CI
// log), FORCE_COLOR turns the colours on.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli", "main.js");

function runClosingStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.destroy(); // the reader is gone before the first byte
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stderr });
    });
  });
}

describe("stdout closed by the reader", () => {
  it("prints help into a closed pipe without a stack trace", async () => {
    const { code, stderr } = await runClosingStdout(["drill", "--help"]);
    expect(stderr).not.toMatch(/EPIPE|at .*\(node:/);
    expect(code).toBe(0);
  });

  it("keeps a verb's exit code when its JSON cannot be written", async () => {
    const { code, stderr } = await runClosingStdout(["verify", "--root", "/nonexistent", "--json"]);
    expect(stderr).not.toMatch(/EPIPE|at .*\(node:/);
    expect(code).toBe(1); // the example's evidence, a missing store root: not proven
  });
});

describe("stdout that is a pipe", () => {
  const keygen = (env: Record<string, string>) =>
    runCLI(["keygen", "--out", join(makeTempDir("recoverable-color-"), "keys")], { env });

  it("is coloured when FORCE_COLOR asks for it, even beside NO_COLOR", () => {
    const run = keygen({ FORCE_COLOR: "1" });
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith("\u001b[32m✔ CREATED\u001b[39m  recoverable keygen")).toBe(true);
  });

  it("is plain without FORCE_COLOR, and with FORCE_COLOR=0", () => {
    for (const env of [{}, { FORCE_COLOR: "0" }]) {
      const run = keygen(env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^✔ CREATED {2}recoverable keygen/);
    }
  });
});
