// Runs one command and measures it: wall time (hrtime around the child), and from GNU time
// (`/usr/bin/time -v`) the CPU it got and its peak resident memory. Without GNU time, the peak
// is the last VmHWM read from /proc/<pid>/status while the process ran (single processes only).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const GNU_TIME = "/usr/bin/time";
export const HAS_GNU_TIME = existsSync(GNU_TIME);

const running = new Set();

/** Stops every command still running (its whole process group), for Ctrl-C. */
export function killRunning(signal = "SIGTERM") {
  for (const child of running) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

function parseGNUTime(text) {
  const number = (pattern) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : null;
  };
  const rssKiB = number(/Maximum resident set size \(kbytes\): (\d+)/);
  return {
    userS: number(/User time \(seconds\): ([\d.]+)/),
    systemS: number(/System time \(seconds\): ([\d.]+)/),
    cpuPercent: number(/Percent of CPU this job got: (\d+)%/),
    peakRssMiB: rssKiB === null ? null : rssKiB / 1024,
  };
}

async function sampleHWM(pid, state) {
  while (!state.done) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) state.hwmKiB = Math.max(state.hwmKiB, Number(match[1]));
    } catch {
      return;
    }
    await sleep(20);
  }
}

/**
 * Runs `argv` (argv[0] is the program; use ["sh", "-c", "..."] for a pipeline) in `cwd` and
 * returns { seconds, exitCode, stdout, stderr, userS, systemS, cpuPercent, peakRssMiB }.
 * The child leads its own process group, so killRunning() stops a whole pipeline.
 */
export async function measure(argv, { cwd, scratch }) {
  const timeFile = join(scratch, `time-${process.pid}-${Date.now()}.txt`);
  const command = HAS_GNU_TIME ? [GNU_TIME, "-v", "-o", timeFile, ...argv] : argv;
  const started = process.hrtime.bigint();
  const child = spawn(command[0], command.slice(1), {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1" },
  });
  running.add(child);
  const stdout = [];
  const stderr = [];
  child.stdout.on("data", (chunk) => stdout.push(chunk));
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  const sampler = { done: false, hwmKiB: 0 };
  if (!HAS_GNU_TIME) void sampleHWM(child.pid, sampler);
  const exitCode = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  running.delete(child);
  sampler.done = true;
  let usage = { userS: null, systemS: null, cpuPercent: null, peakRssMiB: null };
  if (HAS_GNU_TIME && existsSync(timeFile)) {
    usage = parseGNUTime(readFileSync(timeFile, "utf8"));
    rmSync(timeFile, { force: true });
  } else if (sampler.hwmKiB > 0) {
    usage.peakRssMiB = sampler.hwmKiB / 1024;
  }
  return {
    seconds,
    exitCode,
    stdout: Buffer.concat(stdout).toString("utf8"),
    stderr: Buffer.concat(stderr).toString("utf8"),
    ...usage,
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
