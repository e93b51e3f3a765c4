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
// `verify` is tuned, and so are `restore` and `drill` from a `dir:` source, whose files are
// copied and hashed on the workers while the main thread walks the tree a batch at a time and
// then checks the store as verify does (a restore's peak at 100 000 and 400 000 files: 241 and
// 362 MiB untuned, 198 and 259 MiB tuned). A restore from tar parses the archive on
// the main thread, where the same flags doubled the CPU time spent collecting (user time 5.4 s
// -> 10.5 s on the 2 GiB bench store) and did not lower its peak; a snapshot: source streams its
// blobs through the main thread too. docs/performance.md has the measurements.
//
// Only the command line tunes the heap: flags are the whole process's, and a program that uses
// the library decides for itself. Node resets V8's flags whenever it starts a worker thread, so
// each worker a tuned process starts sets them again (WorkerPool passes them on).
import { setFlagsFromString } from "node:v8";

const HEAP_FLAGS: readonly string[] = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];

let tuned = false;

/** The verbs whose runs are a store check, and gain from the tuning. */
const TUNED_VERBS: ReadonlySet<string> = new Set(["verify"]);
/** The verbs that restore, and gain from it when the files are copied on the workers. */
const RESTORING_VERBS: ReadonlySet<string> = new Set(["restore", "drill"]);

/** The --source given on the command line, if any. */
function sourceIn(argv: readonly string[]): string | undefined {
  const at = argv.indexOf("--source");
  if (at !== -1) return argv[at + 1];
  return argv.find((argument) => argument.startsWith("--source="))?.slice("--source=".length);
}

/** Whether the verb `argv` runs gains from the tuning. */
function gains(argv: readonly string[]): boolean {
  const verb = argv.find((argument) => !argument.startsWith("-"));
  if (verb === undefined) return false;
  if (TUNED_VERBS.has(verb)) return true;
  return RESTORING_VERBS.has(verb) && (sourceIn(argv)?.startsWith("dir:") ?? false);
}

/**
 * Tunes this process's heap if the command line runs a verb that gains from it (the command
 * line calls this first thing, with its arguments).
 */
export function tuneHeapFor(argv: readonly string[]): void {
  if (!gains(argv)) return;
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
