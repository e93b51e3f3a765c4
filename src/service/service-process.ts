// Starts the service under test against the restored store, waits for it to be ready, and
// stops it: SIGTERM, then SIGKILL after the grace period. Its output is kept, redacted. From
// its start to its stop it is registered to be killed if recoverable exits first (an exit
// cleanup) or dies first (the reaper).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { request } from "undici";
import type { ResolvedService } from "../documents/drill-config.js";
import { substitutePostgresURLs, type PostgresURLs } from "./postgres-urls.js";
import { whenAborted } from "../util/abort.js";
import { guardProcessGroup } from "../util/guard.js";

/** What the placeholders become. The paths are absolute: the service runs in its own cwd. */
export type ServiceVariables = {
  readonly store: string;
  readonly port: number;
  readonly packet: string;
  /** {postgres.url} and {postgres.url:<dataset>}: the restored dumps' databases. */
  readonly postgres: PostgresURLs;
};

export type StartResult =
  | { readonly started: true; readonly service: RunningService }
  | { readonly started: false; readonly error: string };

export type ServiceExit = { readonly code: number | null; readonly signal: string | null };

const OUTPUT_LIMIT = 64 * 1024;

export class RunningService {
  private output = "";
  private exitInfo: ServiceExit | null = null;
  readonly exited: Promise<ServiceExit>;

  constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly redact: (text: string) => string,
    /** Unregisters the exit cleanup and the reaper's watch, once the group is gone. */
    private readonly release: () => void,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolveExit) => {
      child.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
  }

  get exit(): ServiceExit | null {
    return this.exitInfo;
  }

  /** The last 64 KiB the service printed, with every secret replaced. */
  get log(): string {
    return this.redact(this.output);
  }

  /** Sends a signal to the service's whole process group (it runs in its own). */
  signal(signal: NodeJS.Signals): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
    } catch {
      // The group is gone (ESRCH): nothing left to signal.
    }
  }

  /** Whether any process of the service's group is still running. */
  private groupAlive(): boolean {
    try {
      if (this.child.pid === undefined) return false;
      process.kill(-this.child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * SIGTERM to the whole group; whatever of it still runs when the grace period is over (the
   * service, or a child of it that ignored SIGTERM) gets SIGKILL. Its output pipes are closed
   * then, so a surviving grandchild can never keep the drill waiting.
   */
  async stop(graceMs: number): Promise<ServiceExit> {
    this.signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (this.groupAlive() && Date.now() < deadline)
      await new Promise((resolveWait) => setTimeout(resolveWait, 25));
    if (this.groupAlive()) this.signal("SIGKILL");
    const exit = await this.exited;
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.release();
    return exit;
  }
}

function substitute(text: string, vars: ServiceVariables, url: string): string {
  const replaced = text
    .replaceAll("{store}", vars.store)
    .replaceAll("{port}", String(vars.port))
    .replaceAll("{packet}", vars.packet)
    .replaceAll("{url}", url);
  return substitutePostgresURLs(replaced, vars.postgres);
}

export function startService(
  config: ResolvedService,
  vars: ServiceVariables,
  redact: (text: string) => string,
): Promise<StartResult> {
  if (!isAbsolute(vars.store) || !isAbsolute(vars.packet))
    throw new Error(`the service's paths must be absolute: ${vars.store}, ${vars.packet}`);
  const url = `http://127.0.0.1:${vars.port}`;
  const [program, ...args] = config.command.map((part) => substitute(part, vars, url));
  const env = {
    ...process.env,
    RECOVERABLE_STORE: vars.store,
    RECOVERABLE_PORT: String(vars.port),
    RECOVERABLE_PACKET: vars.packet,
    RECOVERABLE_URL: url,
    PORT: String(vars.port),
    ...Object.fromEntries(
      Object.entries(config.env).map(([k, v]) => [k, substitute(v, vars, url)]),
    ),
  };
  if (!existsSync(config.cwd))
    return Promise.resolve({
      started: false,
      error: `the service's working directory ${config.cwd} does not exist (service.cwd in the drill config)`,
    });
  return new Promise((resolveStart) => {
    // Its own process group, so stopping it also stops anything it started.
    const child = spawn(program ?? "", args, {
      cwd: config.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      resolveStart({ started: false, error: `${program ?? ""}: ${error.code ?? error.message}` });
    });
    child.once("spawn", () => {
      resolveStart({
        started: true,
        service: new RunningService(
          child,
          url,
          redact,
          child.pid === undefined
            ? () => undefined
            : guardProcessGroup(child.pid, "service", "SIGTERM", config.stopGraceMs),
        ),
      });
    });
  });
}

export type Readiness =
  | { readonly ready: true; readonly afterMs: number }
  | { readonly ready: false; readonly reason: string };

/**
 * Polls the readiness URL with backoff until it answers 2xx, the service exits, time runs out,
 * or the run is interrupted.
 */
export async function waitUntilReady(
  service: RunningService,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Readiness> {
  const started = Date.now();
  let delay = 50;
  let last = "no answer yet";
  const interrupted = whenAborted(signal);
  try {
    return await poll();
  } finally {
    interrupted.dispose();
  }

  async function poll(): Promise<Readiness> {
    while (Date.now() - started < timeoutMs) {
      if (signal?.aborted) return { ready: false, reason: "interrupted" };
      const exit = service.exit;
      if (exit)
        return {
          ready: false,
          reason: `the service exited (${exit.signal ?? `code ${exit.code ?? "?"}`}) before it was ready`,
        };
      try {
        const response = await request(`${service.url}${path}`, {
          headersTimeout: 2000,
          bodyTimeout: 2000,
          ...(signal === undefined ? {} : { signal }),
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300)
          return { ready: true, afterMs: Date.now() - started };
        last = `${path} answered ${response.statusCode}`;
      } catch (error) {
        last = `${path}: ${(error as Error).message}`;
      }
      await Promise.race([
        new Promise((r) => setTimeout(r, delay)),
        service.exited,
        interrupted.aborted,
      ]);
      delay = Math.min(delay * 2, 1000);
    }
    return { ready: false, reason: `not ready after ${Math.round(timeoutMs / 1000)}s (${last})` };
  }
}
