// The reaper's own process (see ./reaper.ts): reads what its parent registers, one JSON message
// a line, until the pipe closes, which happens when the parent is gone, however it ended. Then
// it stops every process or group still registered and alive (its signal, SIGKILL after its
// grace period), removes every directory still registered, and, if it did anything, writes a
// note into each directory its parent asked for. It imports nothing of recoverable: it must
// start fast and work whatever state its parent died in.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Leftover, ReaperMessage } from "./reaper.js";

type Proc = Extract<Leftover, { kind: "group" | "process" }>;

const watched = new Map<number, Leftover>();
const notes = new Map<number, { dir: string; run: string }>();

function apply(message: ReaperMessage): void {
  if (message.op === "watch") watched.set(message.id, message.leftover);
  else if (message.op === "note") notes.set(message.id, { dir: message.dir, run: message.run });
  else {
    watched.delete(message.id);
    notes.delete(message.id);
  }
}

function send(target: Proc, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target.kind === "group" ? -target.pid : target.pid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const alive = (target: Proc): boolean => send(target, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const described = (target: Leftover) =>
  target.kind === "directory"
    ? `${target.label} ${target.path}`
    : `${target.label} (${target.kind === "group" ? "process group" : "process"} ${String(target.pid)})`;

/** Stops the processes: each its signal, then SIGKILL once its grace period is over. */
async function stopAll(targets: readonly Proc[]): Promise<string[]> {
  const done: string[] = [];
  const started = Date.now();
  for (const target of targets) send(target, target.signal);
  const pending = new Set(targets);
  while (pending.size > 0) {
    for (const target of pending) {
      if (!alive(target)) {
        done.push(`${described(target)}: stopped with ${target.signal}`);
        pending.delete(target);
      } else if (Date.now() - started >= target.graceMs) {
        send(target, "SIGKILL");
        done.push(`${described(target)}: killed with SIGKILL after ${target.signal}`);
        pending.delete(target);
      }
    }
    if (pending.size > 0) await sleep(50);
  }
  // Killed processes release their files before their directories go (bounded: a zombie
  // nobody reaps stays "alive" forever).
  const until = Date.now() + 5000;
  while (targets.some(alive) && Date.now() < until) await sleep(50);
  return done;
}

function writeNote(dir: string, run: string, leftovers: readonly string[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}.json`;
    const temporary = join(dir, `.${name}.tmp`);
    const note = { run, reapedAt: new Date().toISOString(), leftovers };
    writeFileSync(temporary, `${JSON.stringify(note, null, 2)}\n`);
    renameSync(temporary, join(dir, name));
  } catch {
    // A note that cannot be written costs only the next run's finding.
  }
}

async function reap(): Promise<void> {
  const everything = [...watched.values()];
  const processes = everything.filter((l): l is Proc => l.kind !== "directory" && alive(l));
  const done = await stopAll(processes);
  for (const leftover of everything) {
    if (leftover.kind !== "directory" || !existsSync(leftover.path)) continue;
    rmSync(leftover.path, { recursive: true, force: true });
    done.push(`${described(leftover)}: removed`);
  }
  if (done.length > 0) for (const { dir, run } of notes.values()) writeNote(dir, run, done);
}

// A Ctrl-C at the terminal or a hang-up is for the parent, not for its reaper.
process.on("SIGINT", () => undefined);
process.on("SIGHUP", () => undefined);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  try {
    apply(JSON.parse(line) as ReaperMessage);
  } catch {
    // Half a line from a parent that died mid-write.
  }
});
lines.on("close", () => {
  void reap().finally(() => process.exit(0));
});
