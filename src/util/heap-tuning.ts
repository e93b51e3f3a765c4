// How the command line asks V8 to size its heap for `verify`: memory that does not grow with
// the store.
//
// A check holds a few windows of the manifest at a time (src/store/verify-store.ts), so what it
// allocates dies young and only the compact columns stay. Left to its defaults, V8 still grows
// each thread's young generation to 2 x 16 MiB and lets the old one fill with promoted garbage
// to several times what is live before it collects; how far it has got depends on how long the
// run has lasted, so peak memory grew with the store. With the young generation kept at its
// first size and the old one collected at 20% above what is live, the peak stays flat at the
// same speed: the main thread of a check holds little and mostly waits for the workers.
//
// Only `verify` is tuned. A restore from tar parses the archive on the main thread, where the
// same flags doubled the CPU time spent collecting (user time 5.4 s -> 10.5 s on the 2 GiB
// bench store) and did not lower its peak. docs/performance.md has the measurements.
//
// Only the command line tunes the heap: flags are the whole process's, and a program that uses
// the library decides for itself. Node resets V8's flags whenever it starts a worker thread, so
// each worker a tuned process starts sets them again (WorkerPool passes them on).
import { setFlagsFromString } from "node:v8";

const HEAP_FLAGS: readonly string[] = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];

let tuned = false;

/** The verbs whose runs are a store check, and gain from the tuning. */
const TUNED_VERBS: ReadonlySet<string> = new Set(["verify"]);

/**
 * Tunes this process's heap if the command line runs a verb that gains from it (the command
 * line calls this first thing, with its arguments).
 */
export function tuneHeapFor(argv: readonly string[]): void {
  const verb = argv.find((argument) => !argument.startsWith("-"));
  if (verb === undefined || !TUNED_VERBS.has(verb)) return;
  tuned = true;
  applyHeapFlags(HEAP_FLAGS);
}

/** The flags a worker thread must set again: none unless tuneHeap was called. */
export function heapFlagsForWorkers(): readonly string[] {
  return tuned ? HEAP_FLAGS : [];
}

/** Sets V8 flags; both flags used here are read each time V8 resizes a heap. */
export function applyHeapFlags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}
