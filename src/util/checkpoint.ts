/**
 * A hook for tests that kill or interrupt a process at a named point: with
 * RECOVERABLE_TEST_PAUSE_AT set to the name, the process says so on stderr and waits to be
 * killed, or, given the run's `signal`, until that signal aborts (an interruption the run
 * handles). Costs one comparison otherwise.
 */
export async function checkpoint(name: string, signal?: AbortSignal): Promise<void> {
  if (!pausesAt(name)) return;
  process.stderr.write(`paused at ${name}\n`);
  // The timer keeps the event loop alive: a bare pending promise would let Node end the
  // process at once (exit 13, "unsettled top-level await"), racing the kill.
  const timer = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolveAbort) => {
    if (signal?.aborted) resolveAbort();
    signal?.addEventListener(
      "abort",
      () => {
        resolveAbort();
      },
      { once: true },
    );
  });
  clearInterval(timer);
}

/**
 * Whether a test asked to pause at `name`: for a point between two steps that must otherwise run
 * with nothing in between (`if (pausesAt(name)) await checkpoint(name)`).
 */
export function pausesAt(name: string): boolean {
  return process.env["RECOVERABLE_TEST_PAUSE_AT"] === name;
}
