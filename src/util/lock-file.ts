// Lock files that lock. A lock appears with its whole content at once: it is written to a
// temporary file, flushed, then hard-linked to the lock's name, which fails when the name exists,
// so nobody ever reads a half-written lock and takes it for an abandoned one. The lock names its
// holder (process, host, start time, verb); a lock whose holder is no longer running is taken
// over in place, and only by the one process that also holds `<lock>.break`, so two processes
// finding the same stale lock cannot both take it.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { syncDirectory } from "./atomic-write.js";

export type LockHolder = {
  readonly pid: number;
  /** null in locks written by versions that did not record it: this host, then. */
  readonly host: string | null;
  /** When the kernel started the process (Linux), so a reused pid is not taken for the holder. */
  readonly processStart: string | null;
  readonly verb: string | null;
  readonly startedAt: string | null;
};

/** What a lock file holds: its holder, and whatever else its user journals in it. */
export type LockRecord = LockHolder & Readonly<Record<string, unknown>>;

/** A lock found with no running holder, as it was read before it was taken over. */
export type StaleLock = {
  readonly record: Readonly<Record<string, unknown>> | null;
  readonly holder: LockHolder | null;
};

export type LockAttempt =
  | { readonly acquired: true; readonly previous: StaleLock | null }
  | { readonly acquired: false; readonly holder: LockHolder | null };

/**
 * A lock that names no holder this young may be one an older version is still writing; older,
 * it is damaged and taken over. Temporary files of lock writes this old were abandoned.
 */
export const UNREADABLE_GRACE_MS = 10_000;

/** The calling process as a lock names it. */
export function currentHolder(verb: string): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    processStart: processStartOf(process.pid),
    verb,
    startedAt: new Date().toISOString(),
  };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null off Linux. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the holder may still be running: always yes for another host, which we cannot see. */
function isRunning(holder: LockHolder): boolean {
  if (holder.host !== null && holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = processStartOf(holder.pid);
  return holder.processStart === null || start === null || start === holder.processStart;
}

/**
 * "process 123 (restore, on host vm, since 2026-11-26T02:40:12.000Z)"; `what` says more than the
 * verb does ("restore run 20261126T024012Z-1a2b3c").
 */
export function describeHolder(holder: LockHolder | null, what: string | null = null): string {
  if (holder === null) return "a process that did not say who it is";
  const details = [
    what ?? holder.verb,
    holder.host === null ? null : `on host ${holder.host}`,
    holder.startedAt === null ? null : `since ${holder.startedAt}`,
  ].filter((detail) => detail !== null);
  return `process ${holder.pid}${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
}

function holderOf(record: Readonly<Record<string, unknown>> | null): LockHolder | null {
  if (record === null) return null;
  const { pid, host, processStart, verb, startedAt } = record;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return null;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    pid,
    host: text(host),
    processStart: text(processStart),
    verb: text(verb),
    startedAt: text(startedAt),
  };
}

type Found = {
  readonly raw: string;
  readonly record: Readonly<Record<string, unknown>> | null;
  readonly holder: LockHolder | null;
  readonly ageMs: number;
};

async function readLock(path: string): Promise<Found | null> {
  let raw: string;
  let ageMs: number;
  try {
    [raw, ageMs] = await Promise.all([
      readFile(path, "utf8"),
      stat(path).then((info) => Date.now() - info.mtimeMs),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let record: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      record = value as Record<string, unknown>;
  } catch {
    record = null;
  }
  return { raw, record, holder: holderOf(record), ageMs };
}

/** A lock nobody holds: its holder has stopped, or it names none and is past the grace. */
function isStale(found: Found): boolean {
  return found.holder === null ? found.ageMs >= UNREADABLE_GRACE_MS : !isRunning(found.holder);
}

function temporaryOf(path: string): string {
  return `${path}.${randomBytes(6).toString("hex")}.tmp`;
}

async function writeTemporary(path: string, content: string): Promise<string> {
  const temporary = temporaryOf(path);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temporary;
}

/** Creates `path` with `content` unless it exists, all at once; false when it exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = await writeTemporary(path, content);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
  return true;
}

/** Replaces the content of a lock this process holds, all at once (the journal's next phase). */
export async function rewriteLock(path: string, record: LockRecord): Promise<void> {
  const temporary = await writeTemporary(path, JSON.stringify(record));
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

export async function releaseLock(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  });
  await syncDirectory(dirname(path)).catch(() => undefined);
}

/** Whether a lock is free, held (by whom), or stale (and what it held), without taking it. */
export async function inspectLock(
  path: string,
): Promise<
  | { readonly state: "free" }
  | { readonly state: "held"; readonly holder: LockHolder | null }
  | { readonly state: "stale"; readonly stale: StaleLock }
> {
  const found = await readLock(path);
  if (found === null) return { state: "free" };
  if (!isStale(found)) return { state: "held", holder: found.holder };
  return { state: "stale", stale: { record: found.record, holder: found.holder } };
}

/**
 * Takes the lock: creates it, or takes over a stale one (returned as `previous`, so its user can
 * finish what the dead holder left). Refused, with the holder, when a running process holds it.
 * `recordFor` gives what the lock holds, knowing the stale lock it replaces (null when none).
 */
export async function acquireLock(
  path: string,
  recordFor: (previous: StaleLock | null) => LockRecord,
): Promise<LockAttempt> {
  let holder: LockHolder | null = null;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await createExclusive(path, JSON.stringify(recordFor(null))))
      return { acquired: true, previous: null };
    const found = await readLock(path);
    if (found === null) continue; // released in between: try again
    if (!isStale(found)) return { acquired: false, holder: found.holder };
    const previous = { record: found.record, holder: found.holder };
    const taken = await takeOver(path, found, recordFor(previous));
    if (taken === true) return { acquired: true, previous };
    if (taken !== false) holder = taken.holder;
    await sleep(10 * (attempt + 1));
  }
  return { acquired: false, holder };
}

/**
 * Under `<lock>.break`: if the lock is still the stale one read, it is replaced by ours (true).
 * false: it changed, try again. `{ holder }`: another process is taking it over right now.
 */
async function takeOver(
  path: string,
  stale: Found,
  record: LockRecord,
): Promise<boolean | { holder: LockHolder | null }> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, JSON.stringify(record)))) {
    const other = await readLock(breaker);
    if (other === null) return false;
    if (!isStale(other)) return { holder: other.holder };
    // A process died while taking the lock over: its breaker goes, if nobody replaced it yet.
    const again = await readLock(breaker);
    if (again?.raw === other.raw) await unlink(breaker).catch(() => undefined);
    return false;
  }
  try {
    const again = await readLock(path);
    if (again === null || again.raw !== stale.raw) return false;
    await rewriteLock(path, record);
    return true;
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}
