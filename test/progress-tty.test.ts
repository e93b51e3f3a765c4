// `npm start` in a terminal, recorded as a terminal recorder would: the drill of the bundled
// example runs in a pseudo-terminal made by util-linux's `script`, which writes down when each
// chunk of output came (--log-timing). No stage may leave the terminal silent for a second:
// the restore's bar, then a spinner for every stage without a count (the pg_dump restoring, the
// service starting, the probes, the teardown), then the summary.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "./helpers/clean-env.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const START = fileURLToPath(new URL("../scripts/start.mjs", import.meta.url));

type Recording = { code: number | null; chunks: { delay: number; text: string }[] };

/** Runs `command` in a pseudo-terminal; every chunk it wrote, with the delay before it. */
function record(example: ExampleCopy, command: string): Recording {
  const log = example.path("session.log");
  const timing = example.path("session.timing");
  const run = spawnSync(
    "script",
    ["--quiet", "--return", "--log-out", log, "--log-timing", timing, "--command", command],
    // A terminal outside CI: progress draws there (CI set would ask for log lines).
    { cwd: example.dir, env: cleanEnv({ CI: "", TERM: "xterm" }), encoding: "utf8" },
  );
  const bytes = readFileSync(log);
  // The log starts with a "Script started" line and ends with a "Script done" one.
  let offset = bytes.indexOf("\n") + 1;
  const chunks = readFileSync(timing, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [delay, size] = line.split(" ").map(Number) as [number, number];
      const text = bytes.subarray(offset, offset + size).toString("utf8");
      offset += size;
      return { delay, text };
    });
  return { code: run.status, chunks };
}

describe("npm start in a terminal", () => {
  let recording: Recording;
  beforeAll(() => {
    const example = copyExample();
    recording = record(example, `${process.execPath} ${START}`);
  }, 120_000);

  it("proves the example, and no stage is silent for a second", () => {
    const output = recording.chunks.map((c) => c.text).join("");
    expect(recording.code, output).toBe(0);
    expect(output).toContain("✔ PROVEN");
    // The delay before the first chunk is node starting and loading the evidence.
    const gaps = recording.chunks.slice(1).map((c) => c.delay);
    const largest = Math.max(...gaps);
    const at = recording.chunks[gaps.indexOf(largest) + 1]?.text ?? "";
    expect(
      largest,
      `${largest} s of silence before ${JSON.stringify(at.slice(0, 80))}`,
    ).toBeLessThan(1);
  });

  it("draws the restore's bar and a spinner for the stages that count nothing", () => {
    const output = recording.chunks.map((c) => c.text).join("");
    expect(output).toMatch(/restore files █+ 100% \| 9\/9 files/);
    // The pg_dump restores inside "restore", after the files are written: a spinner says so.
    expect(output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] restore \d+\.\d s/);
    // Every spinner is cleared and the cursor shown again before the summary.
    const summary = output.indexOf("✔ PROVEN");
    expect(output.lastIndexOf("\u001b[?25h")).toBeLessThan(summary);
    expect(output.lastIndexOf("\u001b[?25l")).toBeLessThan(output.lastIndexOf("\u001b[?25h"));
  });
});
