// The reaper's own process (see ./reaper.ts): reads what its parent registers, one JSON message
// a line, until the pipe closes, which happens when the parent is gone, however it ended. Then
// it stops every process or group still registered and alive (its signal, SIGKILL after its
// grace period), removes every directory still registered, and, if it did anything, writes a
// note into each directory its parent asked for. It imports nothing of recoverable: it must
// start fast and work whatever state its parent died in.
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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

/** Each process's group and whether it is a zombie, from /proc; null where there is none. */
function processTable(): { pid: number; group: number; zombie: boolean }[] | null {
  let names: string[];
  try {
    names = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const table: { pid: number; group: number; zombie: boolean }[] = [];
  for (const name of names) {
    try {
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
      const fields = readFileSync(`/proc/${name}/stat`, "utf8").split(") ").pop()?.split(" ");
      table.push({ pid: Number(name), group: Number(fields?.[2]), zombie: fields?.[0] === "Z" });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

/**
 * Which targets still have a process running. Their orphans belong to init now, and an init
 * that does not reap leaves them zombies, which the kernel still counts; they hold nothing.
 */
function running(targets: Iterable<Proc>): Set<Proc> {
  const table = processTable();
  const live = new Set<Proc>();
  for (const target of targets) {
    if (!send(target, 0)) continue;
    const member = (p: { pid: number; group: number }) =>
      target.kind === "group" ? p.group === target.pid : p.pid === target.pid;
    if (table === null || table.some((p) => !p.zombie && member(p))) live.add(target);
  }
  return live;
}

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
    const live = running(pending);
    for (const target of pending) {
      if (!live.has(target)) {
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
  while (running(targets).size > 0 && Date.now() < until) await sleep(50);
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
  const processes = running(everything.filter((l): l is Proc => l.kind !== "directory"));
  const done = await stopAll([...processes]);
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
