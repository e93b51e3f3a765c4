// Synchronous cleanups that must run however the process ends: a normal exit, process.exit(),
// SIGINT or SIGTERM. They stop what recoverable started outside itself (a throwaway PostgreSQL
// server, a scratch database) and remove its files. A signal runs them at once; when nobody
// else handles that signal (the drill and restore have their own handlers, which exit after
// their own cleanup), the process then exits as the signal would have it (130, 143).

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // A cleanup that fails must not keep the others from running.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  if (process.listenerCount(signal) <= 1) process.exit(signal === "SIGINT" ? 130 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

function uninstall(): void {
  if (!installed || cleanups.size > 0) return;
  installed = false;
  process.off("exit", runAll);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

/** Registers a cleanup; the function returned unregisters it (after it was done the normal way). */
export function registerExitCleanup(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    uninstall();
  };
}
