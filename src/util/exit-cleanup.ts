// Synchronous cleanups that must run however the process exits: at the end of the event loop,
// on process.exit(), and so when the command line's run scope (./run-scope.ts) ends an
// interrupted run. They stop what recoverable started outside itself (the service, a
// throwaway PostgreSQL server, a scratch database) and remove its files, the last registered
// first, as nested finally blocks would. Nothing here handles a signal: a library must not
// take over its host's signals, and a process that dies without an exit (a signal nobody
// handles, SIGKILL) is cleaned up after by ./reaper.ts.

type Cleanup = () => void;

const cleanups: Cleanup[] = [];
let installed = false;

function runAll(): void {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop() as Cleanup;
    try {
      cleanup();
    } catch {
      // A cleanup that fails must not keep the others from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
}

function uninstall(): void {
  if (!installed || cleanups.length > 0) return;
  installed = false;
  process.off("exit", runAll);
}

/** Registers a cleanup; the function returned unregisters it (after it was done the normal way). */
export function registerExitCleanup(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  install();
  return () => {
    const at = cleanups.indexOf(cleanup);
    if (at >= 0) cleanups.splice(at, 1);
    uninstall();
  };
}
