// What recoverable starts outside itself (the service, a throwaway PostgreSQL server) and the
// scratch it makes must not outlive it, also when it dies without a chance to clean up:
// SIGKILL, the OOM killer, a signal a library's host does not handle. On first need, a small
// watcher process, the reaper (./reaper-main.ts), is started in a session of its own, and is
// told over a pipe what this process started and what it has stopped again. The pipe closes
// only when this process is gone; whatever is then still registered and still there is
// stopped (its own first signal, SIGKILL after its grace period) and removed, and a note
// says so where the run asked (a drill's state directory; the next drill reports it).
import { spawn, type ChildProcess } from "node:child_process";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";

export type Leftover =
  | {
      /** A process group (a process started with `detached`), or one process. */
      readonly kind: "group" | "process";
      readonly pid: number;
      /** What it is, for the note: "service", "PostgreSQL server". */
      readonly label: string;
      readonly signal: NodeJS.Signals;
      /** How long after `signal` it is sent SIGKILL. */
      readonly graceMs: number;
    }
  | { readonly kind: "directory"; readonly path: string; readonly label: string };

/** One line on the reaper's standard input. */
export type ReaperMessage =
  | { readonly op: "watch"; readonly id: number; readonly leftover: Leftover }
  | { readonly op: "note"; readonly id: number; readonly dir: string; readonly run: string }
  | { readonly op: "forget"; readonly id: number };

let reaper: ChildProcess | null = null;
let unavailable = false;
let nextId = 1;
const notes = new Map<number, ReaperMessage>();

/**
 * The compiled reaper. Under the test runner this module runs from src/*.ts, which node cannot
 * start, so the build's copy in dist/ is used (`npm test` builds first).
 */
function reaperEntry(): string {
  const here = import.meta.url;
  const entry = here.endsWith(".ts")
    ? new URL("../../dist/util/reaper-main.js", here)
    : new URL("./reaper-main.js", here);
  return fileURLToPath(entry);
}

function start(): ChildProcess | null {
  if (reaper !== null || unavailable) return reaper;
  // Its own session: a Ctrl-C at the terminal, or a signal to this process's group, does not
  // reach it. Nothing of it keeps this process alive.
  const child = spawn(process.execPath, [reaperEntry()], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    cwd: "/",
  });
  child.once("error", () => {
    unavailable = true;
    reaper = null;
  });
  child.stdin.on("error", () => undefined);
  // A pipe to a child is a socket, which can be left out of the event loop's count.
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.unref();
  reaper = child;
  for (const note of notes.values()) write(note);
  return child;
}

function write(message: ReaperMessage): void {
  reaper?.stdin?.write(`${JSON.stringify(message)}\n`);
}

/**
 * Registers something that must go if this process dies first; the function returned says it
 * was stopped or removed the normal way.
 */
export function reapIfOrphaned(leftover: Leftover): () => void {
  const id = nextId++;
  start();
  write({ op: "watch", id, leftover });
  return () => {
    write({ op: "forget", id });
  };
}

/**
 * While the function returned is not called: if the reaper has to stop or remove anything, it
 * leaves a note in `dir` that `run` (e.g. "drill of <release>, process <pid>") ended without
 * cleaning up. Starts no reaper by itself.
 */
export function noteReapsIn(dir: string, run: string): () => void {
  const id = nextId++;
  const message: ReaperMessage = { op: "note", id, dir, run };
  notes.set(id, message);
  write(message);
  return () => {
    notes.delete(id);
    write({ op: "forget", id });
  };
}
