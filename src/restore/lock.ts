// One restore per target: an exclusive lock file beside it that also journals the swap, so a
// restore killed between its two renames is rolled back by the next one.
import { open, readFile, rename, rm } from "node:fs/promises";
import { entryTypeAt } from "../store/walk-store.js";

export type LockJournal = {
  readonly pid: number;
  readonly startedAt: string;
  readonly phase: "restoring" | "swapping";
  readonly target: string;
  readonly scratch: string;
  readonly safetyCopy: string | null;
};

export type LockResult =
  { readonly acquired: true } | { readonly acquired: false; readonly holder: number };

export type LockState =
  | { readonly state: "free" }
  | { readonly state: "held"; readonly pid: number }
  | { readonly state: "stale"; readonly journal: LockJournal | null };

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readJournal(lock: string): Promise<LockJournal | null> {
  try {
    return JSON.parse(await readFile(lock, "utf8")) as LockJournal;
  } catch {
    return null;
  }
}

/**
 * Finishes what a killed restore left: if it died mid-swap with the target moved away, the
 * safety copy goes back; its scratch tree is removed. Returns what was done, for the report.
 */
export async function recoverAbandoned(journal: LockJournal): Promise<string[]> {
  const done: string[] = [];
  if (
    journal.phase === "swapping" &&
    journal.safetyCopy &&
    (await entryTypeAt(journal.target)) === null
  ) {
    if ((await entryTypeAt(journal.safetyCopy)) === "dir") {
      await rename(journal.safetyCopy, journal.target);
      done.push(`moved the safety copy ${journal.safetyCopy} back to ${journal.target}`);
    }
  }
  if ((await entryTypeAt(journal.scratch)) !== null) {
    await rm(journal.scratch, { recursive: true, force: true });
    done.push(`removed the abandoned scratch tree ${journal.scratch}`);
  }
  return done;
}

/** Whether a lock is free, held by a live process, or left by a dead one. */
export async function inspectLock(lock: string): Promise<LockState> {
  if ((await entryTypeAt(lock)) === null) return { state: "free" };
  const journal = await readJournal(lock);
  if (journal && journal.pid !== process.pid && isAlive(journal.pid))
    return { state: "held", pid: journal.pid };
  return { state: "stale", journal };
}

/** Rolls back what a dead restore left and removes its lock; returns what was done. */
export async function clearStaleLock(lock: string, journal: LockJournal | null): Promise<string[]> {
  const recovered = journal ? await recoverAbandoned(journal) : [];
  await rm(lock, { force: true });
  recovered.push(`removed the stale lock ${lock}`);
  return recovered;
}

/** Takes the lock exclusively; false when someone else took it first. */
export async function acquireLock(lock: string, journal: LockJournal): Promise<boolean> {
  try {
    const handle = await open(lock, "wx", 0o600);
    await handle.writeFile(JSON.stringify(journal));
    await handle.sync();
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export async function updateJournal(lock: string, journal: LockJournal): Promise<void> {
  const handle = await open(lock, "r+");
  try {
    await handle.truncate(0);
    await handle.write(JSON.stringify(journal), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function releaseLock(lock: string): Promise<void> {
  await rm(lock, { force: true });
}
