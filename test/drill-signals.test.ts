// An interrupted or killed drill, through the CLI: real signals at chosen moments (the
// RECOVERABLE_TEST_PAUSE_AT pause points, or a service that never becomes ready), and then
// what is left: the exit code, the one JSON result, the report (none), and every process of the
// service and of the throwaway PostgreSQL server, found by a marker in its command line.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { drill } from "../src/index.js";
import { startCLI, waitFor, type BackgroundCLI } from "./helpers/background-cli.js";
import { runCLI, type JSONResult } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { leftovers, privateTmp } from "./helpers/postgres.js";

let example: ExampleCopy;
/** The drill's TMPDIR: its scratch place and its PostgreSQL server's directory go there. */
let tmp: string;
beforeEach(() => {
  example = copyExample();
  tmp = privateTmp();
});

const DRILL = ["drill", "--json", "--source", "dir:ops/store", "--out", "out"];

function startDrill(pauseAt?: string): BackgroundCLI {
  return startCLI(DRILL, {
    cwd: example.dir,
    env: { TMPDIR: tmp, ...(pauseAt === undefined ? {} : { RECOVERABLE_TEST_PAUSE_AT: pauseAt }) },
  });
}

/**
 * A service that writes its pid, ignores SIGTERM and never becomes ready; `{store}` on its
 * command line puts the drill's TMPDIR there, so leftovers() finds it.
 */
function useStubbornService(stopGrace = "2s"): void {
  example.editDrillConfig((config) => {
    config["service"] = {
      command: [
        "node",
        "-e",
        "require('fs').writeFileSync('service.pid', String(process.pid));" +
          "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" +
          "require('http').createServer((q, s) => { s.writeHead(503); s.end(); })" +
          ".listen(Number(process.env.PORT), '127.0.0.1')",
        "{store}",
      ],
      cwd: ".",
      readiness: { path: "/readyz", timeout: "120s" },
      stopGrace,
    };
  });
}

/** The example's own service, with `{store}` on its command line as a marker. */
function markExampleService(): void {
  example.editDrillConfig((config) => {
    const service = config["service"] as { command: string[] };
    service.command = [...service.command, "{store}"];
  });
}

async function serviceStarted(run: BackgroundCLI): Promise<number> {
  const file = example.path("service.pid");
  await waitFor(
    () => existsSync(file),
    run.exited,
    60_000,
    () => "the service's pid file",
  );
  // The drill is waiting for readiness once the PostgreSQL server is up and the service runs.
  await waitFor(
    () => leftovers(tmp).processes.length >= 2,
    run.exited,
    10_000,
    () => "both",
  );
  return Number(readFileSync(file, "utf8"));
}

/** Gone, or a zombie nobody has reaped yet. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}

/** What a run left running or on disk in its TMPDIR, once the reaper had its time. */
async function settledLeftovers(): Promise<{ entries: string[]; processes: string[] }> {
  const clean = () => {
    const left = leftovers(tmp);
    return left.entries.length === 0 && left.processes.length === 0;
  };
  await waitFor(clean, null, 15_000, () => JSON.stringify(leftovers(tmp))).catch(() => undefined);
  return leftovers(tmp);
}

/** The run's one JSON result, whose exitCode is the process's; no stack trace anywhere. */
async function interruptedResult(run: BackgroundCLI, exitCode: number): Promise<JSONResult> {
  const { code } = await run.exited;
  expect(code).toBe(exitCode);
  const result = JSON.parse(run.stdout()) as JSONResult;
  expect(result.exitCode).toBe(exitCode);
  expect(result.verdict).toBe("could_not_run");
  expect(result).toHaveFinding("interrupted", exitCode === 130 ? "SIGINT" : "SIGTERM");
  expect(run.stderr()).not.toMatch(/\n\s+at /);
  expect(existsSync(example.path("out"))).toBe(false);
  return result;
}

describe("a drill interrupted with SIGTERM or SIGINT", () => {
  it("before its verb has begun (the command line still loading), exits 143 with the interrupted finding", async () => {
    const run = startDrill("cli-start");
    await run.waitForStderr("paused at cli-start");
    run.kill("SIGTERM");
    const result = await interruptedResult(run, 143);
    expect(result.verb).toBe("drill");
    expect(await settledLeftovers()).toEqual({ entries: [], processes: [] });
  });

  it("while waiting for readiness, stops a service that ignores SIGTERM (SIGKILL after stopGrace) and PostgreSQL, removes the scratch, and exits 143", async () => {
    useStubbornService("2s");
    const run = startDrill();
    const pid = await serviceStarted(run);
    run.kill("SIGTERM");
    const result = await interruptedResult(run, 143);
    expect(result.findings.find((f) => f.code === "interrupted")?.message).toContain(
      'during "wait for readiness"',
    );
    // The drill waited for its service's group and its server to be gone before it exited.
    expect(processGone(pid)).toBe(true);
    expect(leftovers(tmp)).toEqual({ entries: [], processes: [] });
  });

  it("after the probes, just before signing, exits 143 and writes and signs no report, nor raises the high-water mark", async () => {
    markExampleService();
    const run = startDrill("drill-before-report");
    await run.waitForStderr("paused at drill-before-report");
    run.kill("SIGTERM");
    const result = await interruptedResult(run, 143);
    expect(result.findings.find((f) => f.code === "interrupted")?.message).toContain(
      "before its report was signed",
    );
    expect(result["report"]).toBeNull();
    expect(existsSync(example.path(".recoverable/state/high-water.json"))).toBe(false);
    expect(leftovers(tmp)).toEqual({ entries: [], processes: [] });
  });

  it("with Ctrl-C twice, stops at the second at once (SIGKILL to the service, not its 60s grace) and exits 130", async () => {
    useStubbornService("60s");
    const run = startDrill();
    const pid = await serviceStarted(run);
    run.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 500));
    const second = Date.now();
    run.kill("SIGINT");
    await interruptedResult(run, 130);
    expect(Date.now() - second).toBeLessThan(20_000);
    await waitFor(
      () => processGone(pid),
      null,
      5000,
      () => "the service gone",
    ).catch(() => undefined);
    expect(processGone(pid)).toBe(true);
    expect(await settledLeftovers()).toEqual({ entries: [], processes: [] });
  });
});

describe("a drill killed with SIGKILL", () => {
  async function killAt(run: BackgroundCLI, paused: string | null): Promise<void> {
    if (paused !== null) await run.waitForStderr(`paused at ${paused}`);
    run.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
  }

  it("while restoring, leaves no scratch: the reaper removes it", async () => {
    const run = startDrill("after-extract");
    await run.waitForStderr("paused at after-extract");
    expect(readdirSync(tmp).some((name) => name.startsWith("recoverable-drill-"))).toBe(true);
    await killAt(run, null);
    expect(await settledLeftovers()).toEqual({ entries: [], processes: [] });
  });

  it("while waiting for readiness, leaves no service, no PostgreSQL and no scratch; the next drill says so with leftovers_reaped", async () => {
    useStubbornService("2s");
    const run = startDrill();
    const pid = await serviceStarted(run);
    await killAt(run, null);
    expect(await settledLeftovers()).toEqual({ entries: [], processes: [] });
    expect(processGone(pid)).toBe(true);
    // The reaper's note, then the next drill (the example's own service again) reports it.
    const notes = example.path(".recoverable/state/reaped");
    await waitFor(
      () => existsSync(notes) && readdirSync(notes).length > 0,
      null,
      10_000,
      () => "the reaper's note",
    );
    example.editDrillConfig((config) => {
      const original = readFileSync(new URL("../ops/drill.json", import.meta.url), "utf8");
      config["service"] = (JSON.parse(original) as Record<string, unknown>)["service"];
    });
    const next = runCLI(DRILL, { cwd: example.dir, env: { TMPDIR: tmp } });
    expect(next.code).toBe(0);
    const reaped = next.json().findings.filter((f) => f.code === "leftovers_reaped");
    expect(reaped).toHaveLength(1);
    expect(reaped[0]?.severity).toBe("warning");
    expect(reaped[0]?.subject).toMatch(new RegExp(`\\(process ${String(run.pid)}\\)$`));
    expect(reaped[0]?.actual).toContain(`service (process group ${String(pid)})`);
    expect(reaped[0]?.actual).toContain("PostgreSQL server");
    expect(reaped[0]?.actual).toContain("drill scratch directory");
    // Reported once: the note is gone.
    expect(readdirSync(notes)).toEqual([]);
  });

  it("after the probes, before signing, leaves nothing running and no report", async () => {
    markExampleService();
    const run = startDrill("drill-before-report");
    await killAt(run, "drill-before-report");
    expect(await settledLeftovers()).toEqual({ entries: [], processes: [] });
    expect(existsSync(example.path("out"))).toBe(false);
  });
});

describe("the library's drill, given an AbortSignal", () => {
  it("aborted while waiting for readiness, stops the service, installs no signal handler, and returns interrupted (exit code 3)", async () => {
    useStubbornService("1s");
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const controller = new AbortController();
    const pidFile = example.path("service.pid");
    const watching = waitFor(
      () => existsSync(pidFile),
      null,
      60_000,
      () => "the service",
    ).then(() => {
      expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
      controller.abort();
    });
    const result = await drill({
      cwd: example.dir,
      source: "dir:ops/store",
      scratch: join(tmp, "scratch"),
      out: join(example.dir, "out"),
      signal: controller.signal,
    });
    await watching;
    expect(result.exitCode).toBe(3);
    expect(result.verdict).toBe("could_not_run");
    expect(result).toHaveFinding("interrupted", "AbortSignal");
    expect(result.report).toBeNull();
    expect(processGone(Number(readFileSync(pidFile, "utf8")))).toBe(true);
    expect(readdirSync(join(tmp, "scratch"))).toEqual([]);
    expect(existsSync(example.path("out"))).toBe(false);
  });
});
