// A throwaway PostgreSQL server owned by one run of recoverable: initdb into a private temp
// directory (mode 0700), a Unix socket in that directory and no TCP listener at all
// (listen_addresses = ''), trust authentication (only the owner of the directory, and root,
// can reach the socket), fsync off and small buffers, since nothing in it must survive. It is
// always stopped (pg_ctl stop -m immediate, then SIGKILL) and its directory removed: when the
// run ends, on a thrown error, and on process.exit (so when the command line's run scope ends
// an interrupted run); if recoverable dies without an exit (SIGKILL), the reaper stops it
// (SIGQUIT, PostgreSQL's immediate shutdown, then SIGKILL) and removes the directory.
//
// PostgreSQL refuses to run as root. When recoverable runs as root (CI containers do), initdb,
// pg_ctl and the server run as the `postgres` system user, or `nobody` when there is none, and
// the directory is theirs; the client programs keep running as root, which may use the socket.
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { appendFile, chmod, chown, mkdtemp, mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { registerExitCleanup } from "../util/exit-cleanup.js";
import { reapIfOrphaned } from "../util/reaper.js";
import { outputOf, type PGBinaries } from "./binaries.js";
import { runProgram, runProgramSync, type RunAs } from "./run-program.js";

/** The superuser of the throwaway server: most dumps name it as owner, so OWNER TO works. */
const SUPERUSER = "postgres";
const PORT = 5432;
// A Unix socket's path must fit in sun_path (108 bytes on Linux, 104 on macOS).
const SOCKET_PATH_LIMIT = 100;

export type ServerStart =
  | { readonly ok: true; readonly server: ThrowawayServer }
  | { readonly ok: false; readonly error: string; readonly log: string };

/** The unprivileged user the server runs as when recoverable is root; null: the current user. */
async function serverUser(): Promise<RunAs> {
  if (typeof process.geteuid !== "function" || process.geteuid() !== 0) return null;
  for (const name of ["postgres", "nobody"]) {
    const [uid, gid] = await Promise.all([
      outputOf("id", ["-u", name]),
      outputOf("id", ["-g", name]),
    ]);
    if (uid !== null && gid !== null)
      return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  }
  return null;
}

/** Every directory from / down to `dir` may be entered by anyone (the server's user too). */
function traversable(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    try {
      if ((statSync(at).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(at) === at) return true;
  }
}

/** Where the private directory goes: the OS temp dir, or /tmp when that will not do. */
function parentDir(runAs: RunAs): string {
  // Absolute: the PostgreSQL programs run in /, and $TMPDIR may be relative.
  const preferred = resolve(tmpdir());
  const socket = join(preferred, "recoverable-pg-XXXXXX", `.s.PGSQL.${PORT}`);
  if (socket.length > SOCKET_PATH_LIMIT) return "/tmp";
  if (runAs !== null && !traversable(preferred)) return "/tmp";
  return preferred;
}

export class ThrowawayServer {
  private stopped = false;
  /** Undo the exit cleanup and the reaper's watches, once the server and its directory are gone. */
  private readonly releases: (() => void)[] = [];
  /** initdb or pg_ctl while one runs, in its own process group: killed if the run stops. */
  private running: ChildProcess | null = null;
  private forgetRunning: () => void = () => undefined;

  private constructor(
    readonly dir: string,
    private readonly binaries: PGBinaries,
    readonly runAs: RunAs,
  ) {
    this.releases.push(
      registerExitCleanup(() => {
        this.stopSync();
      }),
      reapIfOrphaned({ kind: "directory", path: dir, label: "PostgreSQL directory" }),
    );
  }

  get dataDir(): string {
    return join(this.dir, "data");
  }

  get socketDir(): string {
    return this.dir;
  }

  readonly port = PORT;
  readonly user = SUPERUSER;

  /**
   * initdb, configure, start; on any failure everything made so far is removed. `signal`
   * (the run closing early) stops a server still starting at once.
   */
  static async start(
    binaries: PGBinaries,
    user?: RunAs,
    signal?: AbortSignal,
  ): Promise<ServerStart> {
    const runAs = user === undefined ? await serverUser() : user;
    const parent = parentDir(runAs);
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(join(parent, "recoverable-pg-"));
    const server = new ThrowawayServer(dir, binaries, runAs);
    const onAbort = () => {
      server.stopSync();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) throw new Error("closed before it started");
      await chmod(dir, 0o700);
      if (runAs !== null) await chown(dir, runAs.uid, runAs.gid);
      const failure = (await server.initdb()) ?? (await server.launch());
      if (failure !== null || server.stopped) {
        const log = await server.logTail();
        await server.stop();
        return { ok: false, error: failure ?? "closed before it started", log };
      }
      return { ok: true, server };
    } catch (error) {
      await server.stop();
      return { ok: false, error: (error as Error).message, log: "" };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private async initdb(): Promise<string | null> {
    const run = await runProgram(
      this.binaries.path("initdb"),
      [
        "--pgdata",
        this.dataDir,
        "--username",
        SUPERUSER,
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync",
      ],
      { runAs: this.runAs, timeoutMs: 120_000, ...this.tracked("PostgreSQL initdb") },
    );
    this.untrack();
    if (run.spawnError !== null) return `initdb could not be started (${run.spawnError})`;
    if (run.code !== 0) return `initdb failed: ${lastLines(run.stderr || run.stdout)}`;
    // Appended as whoever we are: the file keeps its owner.
    await appendFile(
      join(this.dataDir, "postgresql.conf"),
      [
        "",
        "# recoverable: a throwaway server for one run",
        "listen_addresses = ''",
        `unix_socket_directories = '${this.socketDir}'`,
        "unix_socket_permissions = 0700",
        `port = ${PORT}`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "shared_buffers = 16MB",
        "max_connections = 20",
        "max_wal_size = 256MB",
        "logging_collector = off",
        "",
      ].join("\n"),
    );
    return null;
  }

  private async launch(): Promise<string | null> {
    const run = await runProgram(
      this.binaries.path("pg_ctl"),
      [
        "--pgdata",
        this.dataDir,
        "--log",
        this.logFile,
        "--wait",
        "--timeout",
        "60",
        "--silent",
        "start",
      ],
      { runAs: this.runAs, timeoutMs: 90_000, ...this.tracked("PostgreSQL pg_ctl start") },
    );
    this.untrack();
    if (run.spawnError !== null) return `pg_ctl could not be started (${run.spawnError})`;
    if (run.code !== 0) return `the server did not start: ${lastLines(run.stderr || run.stdout)}`;
    // Its children leave when the postmaster does; SIGQUIT is pg_ctl's immediate shutdown.
    const pid = this.postmasterPid();
    if (pid !== null)
      this.releases.push(
        reapIfOrphaned({
          kind: "process",
          pid,
          label: "PostgreSQL server",
          signal: "SIGQUIT",
          graceMs: 5000,
        }),
      );
    return null;
  }

  /** Each program in a process group of its own (so a Ctrl-C at the terminal does not reach
   *  it before recoverable has cleaned up), remembered while it runs, and watched by the reaper. */
  private tracked(label: string): { detached: true; onSpawn: (child: ChildProcess) => void } {
    return {
      detached: true,
      onSpawn: (child) => {
        this.running = child;
        if (child.pid !== undefined)
          this.forgetRunning = reapIfOrphaned({
            kind: "group",
            pid: child.pid,
            label,
            signal: "SIGKILL",
            graceMs: 0,
          });
      },
    };
  }

  private untrack(): void {
    this.running = null;
    this.forgetRunning();
  }

  private get logFile(): string {
    return join(this.dir, "server.log");
  }

  /** The last lines the server logged, for a finding when it would not start. */
  async logTail(): Promise<string> {
    try {
      return lastLines(await readFile(this.logFile, "utf8"), 12);
    } catch {
      return "";
    }
  }

  /** The postmaster's process id, from postmaster.pid (null when it never started). */
  private postmasterPid(): number | null {
    try {
      const pid = Number(readFileSync(join(this.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  /**
   * Stops the server at once and removes its directory; safe to call more than once. The same
   * steps as stopSync, but awaited, so the event loop (and a progress spinner) keeps running
   * while pg_ctl waits for the server to go.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    // Interrupted in initdb or pg_ctl start: the synchronous path kills that program's group.
    if (this.running !== null) {
      this.stopSync();
      return;
    }
    const pid = this.postmasterPid();
    if (pid !== null && existsSync(this.dataDir))
      await runProgram(this.binaries.path("pg_ctl"), this.stopArgs(), {
        runAs: this.runAs,
        timeoutMs: 30_000,
      });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set meanwhile by an exit handler
    if (this.stopped) return;
    if (pid !== null && isAlive(pid)) killHard(pid);
    await rm(this.dir, { recursive: true, force: true });
    // Only now: an exit in the middle of the removal still finds the cleanup registered.
    this.stopped = true;
    this.forgetRunning();
    for (const release of this.releases.splice(0)) release();
  }

  private stopArgs(): string[] {
    return [
      "--pgdata",
      this.dataDir,
      "--mode",
      "immediate",
      "--wait",
      "--timeout",
      "20",
      "--silent",
      "stop",
    ];
  }

  /**
   * The one way down, synchronous so an exit or signal handler can use it: immediate shutdown
   * (nothing in the server must survive), SIGKILL if the postmaster is still there, then the
   * directory goes.
   */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Interrupted in initdb or pg_ctl start: that program and whatever it started go first.
    // Not waited for: the program is this process's child, a zombie until the event loop
    // reaps it, and SIGKILL leaves it nothing more to do.
    const group = this.running?.pid;
    if (group !== undefined) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    const pid = this.postmasterPid();
    if (pid !== null && existsSync(this.dataDir)) {
      runProgramSync(this.binaries.path("pg_ctl"), this.stopArgs(), {
        runAs: this.runAs,
        timeoutMs: 30_000,
      });
      if (isAlive(pid)) killHard(pid);
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.forgetRunning();
    for (const release of this.releases.splice(0)) release();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/**
 * A postmaster that exited but was not reaped: pg_ctl leaves it to init, and an init that does
 * not reap (a container's PID 1 that is not tini) keeps it a zombie forever. It is gone all the
 * same; waiting for it would only block the run (two seconds at each drill's teardown).
 */
function isZombie(pid: number): boolean {
  try {
    // "<pid> (<comm>) <state> ...": the state follows the last ")" (comm may hold one).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false; // not Linux, or already gone
  }
}

/** SIGKILL the postmaster and wait (briefly) until it is gone; its children follow it. */
function killHard(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  const until = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < until) spawnSync("sleep", ["0.05"]);
}

function lastLines(text: string, count = 6): string {
  return text.trim().split("\n").slice(-count).join("\n");
}
