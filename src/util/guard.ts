// Guards for what a run makes outside itself: undone by its owner the normal way (who then
// releases the guard), else at process exit (an exit cleanup), else, when the process dies
// without an exit, by the reaper. Release a guard only once the thing is really gone.
import { rmSync } from "node:fs";
import { registerExitCleanup } from "./exit-cleanup.js";
import { reapIfOrphaned } from "./reaper.js";

export type Release = () => void;

function both(unregister: Release, forget: Release): Release {
  return () => {
    unregister();
    forget();
  };
}

/** A directory the run made (a scratch place): removed at exit, or by the reaper. */
export function guardDirectory(path: string, label: string): Release {
  return both(
    registerExitCleanup(() => {
      rmSync(path, { recursive: true, force: true });
    }),
    reapIfOrphaned({ kind: "directory", path, label }),
  );
}

/**
 * A process group the run started (a child spawned with `detached`): SIGKILL at exit (nothing
 * can wait for a grace period there), or from the reaper `signal`, then SIGKILL after `graceMs`.
 */
export function guardProcessGroup(
  pid: number,
  label: string,
  signal: NodeJS.Signals,
  graceMs: number,
): Release {
  return both(
    registerExitCleanup(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }),
    reapIfOrphaned({ kind: "group", pid, label, signal, graceMs }),
  );
}
