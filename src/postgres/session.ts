// One run's PostgreSQL: made at the first pg_dump artifact that needs it (a run without one
// never starts a server), shared by every dump of the run, each restored into its own scratch
// database, and ended by close() (at once, also while it is still starting or restoring: an
// interrupted drill does not wait), or by the exit cleanups and the reaper if the run ends
// first.
// seal and verify drop each database once its content is known; a drill keeps them for its
// sql probes. Restores run one at a time: they share one small server.
import { randomBytes } from "node:crypto";
import { failed, firstFinding, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { registerExitCleanup } from "../util/exit-cleanup.js";
import { readHead } from "../util/read-head.js";
import { CLIENT_PROGRAMS, findPGBinaries, SERVER_PROGRAMS, type PGBinaries } from "./binaries.js";
import type { SQLAnswer } from "./sql-answer.js";
import { detectDumpFormat, DUMP_HEAD_BYTES } from "./dump-format.js";
import { parsePGURL, throwawayEndpoint, urlEndpoint, type PGEndpoint } from "./endpoint.js";
import {
  clip,
  judgeRestoreError,
  problem,
  unavailable,
  type PGDumpChecker,
  type PGDumpInspection,
} from "./inspection.js";
import { quoteIdent } from "./quote.js";
import { restoreDump } from "./restore-dump.js";
import { runProgramSync } from "./run-program.js";
import type { PostgresSettings } from "../documents/postgres-settings.js";
import { ThrowawayServer } from "./throwaway-server.js";

/**
 * withClient of ./client.js, loaded when a dump is checked: node-postgres costs ~45 ms of
 * start-up to every verb that imports it, and most stores have no pg_dump.
 */
async function withClient<T>(
  config: Parameters<typeof import("./client.js").withClient>[0],
  work: (
    client: Parameters<Parameters<typeof import("./client.js").withClient>[1]>[0],
  ) => Promise<T>,
): Promise<T> {
  return (await import("./client.js")).withClient(config, work);
}

export type { PGDumpChecker, PGDumpInspection } from "./inspection.js";
export type { SQLAnswer } from "./sql-answer.js";

type Ready = {
  readonly binaries: PGBinaries;
  readonly endpoint: PGEndpoint;
  readonly server: ThrowawayServer | null;
};

type Restored =
  | { readonly ok: true; readonly database: string }
  | { readonly ok: false; readonly reason: string };

export class PostgresSession implements PGDumpChecker {
  private ready: Promise<Checked<Ready>> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly restored = new Map<string, Restored>();
  private readonly databases = new Map<string, () => void>();
  private readonly prefix = `recoverable_${randomBytes(4).toString("hex")}`;
  private closed = false;
  /** Aborted by close(): a throwaway server still starting stops at once. */
  private readonly closing = new AbortController();

  constructor(
    private readonly settings: PostgresSettings,
    /** Keep each restored database for sql probes until close() (a drill). */
    private readonly keep: boolean,
  ) {}

  /** Restores the dump into a scratch database and reads its content facts. */
  inspect(storePath: string, absolutePath: string): Promise<PGDumpInspection> {
    return this.serially(() => this.inspectNow(storePath, absolutePath));
  }

  /** Runs a read-only query against the dump at storePath, restoring it first if need be. */
  query(
    storePath: string,
    absolutePath: string,
    sql: string,
    timeoutMs: number,
  ): Promise<SQLAnswer> {
    return this.serially(async () => {
      const database = await this.restoredDatabase(storePath, absolutePath);
      if (!database.ok) return database;
      return this.runQuery(database.database, sql, timeoutMs);
    });
  }

  /**
   * The URL of the database the dump at storePath is restored in (restored first if need be),
   * for the service under test: {postgres.url} (src/service/postgres-urls.ts).
   */
  connectionURL(
    storePath: string,
    absolutePath: string,
  ): Promise<{ ok: true; url: string } | { ok: false; error: string }> {
    return this.serially(async () => {
      const database = await this.restoredDatabase(storePath, absolutePath);
      if (!database.ok) return database;
      const ready = await this.start();
      if (!ready.ok) return { ok: false as const, error: firstFinding(ready).message };
      return { ok: true as const, url: ready.value.endpoint.serviceURL(database.database) };
    });
  }

  private async restoredDatabase(
    storePath: string,
    absolutePath: string,
  ): Promise<{ ok: true; database: string } | { ok: false; error: string }> {
    let restored = this.restored.get(storePath);
    if (restored === undefined) {
      const inspection = await this.inspectNow(storePath, absolutePath);
      restored = this.restored.get(storePath);
      if (restored === undefined)
        return {
          ok: false,
          error: "unavailable" in inspection ? inspection.unavailable.message : "not restored",
        };
    }
    if (!restored.ok) return { ok: false, error: `the dump was not restored: ${restored.reason}` };
    return { ok: true, database: restored.database };
  }

  /**
   * Drops the scratch databases (a URL server) and stops the throwaway server. A restore or
   * query still running loses its database or server and ends with an error.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const started = this.ready === null ? null : await this.ready;
    if (started === null || !started.ok) return;
    const ready = started.value;
    if (ready.server !== null) {
      await ready.server.stop();
      for (const unregister of this.databases.values()) unregister();
      this.databases.clear();
      return;
    }
    for (const name of [...this.databases.keys()]) await this.dropDatabase(ready, name);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private start(): Promise<Checked<Ready>> {
    this.ready ??= this.startNow();
    return this.ready;
  }

  private async startNow(): Promise<Checked<Ready>> {
    const { url } = this.settings;
    const found = await findPGBinaries({
      configured: this.settings.bindir,
      programs: url === null ? SERVER_PROGRAMS : CLIENT_PROGRAMS,
    });
    if (!found.ok) return found;
    const binaries = found.value;
    if (url !== null) {
      const parsed = parsePGURL(url);
      if (parsed === null)
        return failed(
          createFinding("document_invalid", {
            subject: "postgres.url",
            actual: "not a postgresql:// URL",
            message: "postgres.url of the drill config is not a postgresql:// URL",
            hint: "Give postgres.url as postgresql://user@host:port/database (the password in PGPASSWORD or ~/.pgpass).",
          }),
        );
      const endpoint = urlEndpoint(parsed);
      const reached = await this.reach(endpoint);
      return reached === null ? ok({ binaries, endpoint, server: null }) : failed(reached);
    }
    const started = await ThrowawayServer.start(binaries, undefined, this.closing.signal);
    if (!started.ok)
      return failed(
        unavailable(
          `a throwaway PostgreSQL ${binaries.version} server (${binaries.bindir}) could not be started: ${started.error}${started.log ? `\nserver log:\n${started.log}` : ""}`,
          started.error,
        ),
      );
    const endpoint = throwawayEndpoint(started.server, binaries.version);
    const roles = await this.makeRoles(endpoint);
    if (roles !== null) {
      await started.server.stop();
      return failed(roles);
    }
    return ok({ binaries, endpoint, server: started.server });
  }

  /** The URL server answers; its failure, in words that never show a password. */
  private async reach(endpoint: PGEndpoint): Promise<ClassifiedFinding | null> {
    try {
      await withClient(endpoint.client(endpoint.maintenanceDatabase), (client) =>
        client.query("SELECT 1"),
      );
      return null;
    } catch (error) {
      return unavailable(
        `${endpoint.description} cannot be reached: ${(error as Error).message}`,
        (error as Error).message,
      );
    }
  }

  private async makeRoles(endpoint: PGEndpoint): Promise<ClassifiedFinding | null> {
    if (this.settings.roles.length === 0) return null;
    try {
      await withClient(endpoint.client(endpoint.maintenanceDatabase), async (client) => {
        for (const role of this.settings.roles)
          await client.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
      });
      return null;
    } catch (error) {
      return unavailable(
        `the roles of postgres.roles could not be made: ${(error as Error).message}`,
        (error as Error).message,
      );
    }
  }

  private async inspectNow(storePath: string, absolutePath: string): Promise<PGDumpInspection> {
    if (this.closed)
      return { ok: false, unavailable: unavailable("the PostgreSQL session was closed", "closed") };
    let head: Buffer;
    try {
      head = await readHead(absolutePath, DUMP_HEAD_BYTES);
    } catch (error) {
      const reason = `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
      this.restored.set(storePath, { ok: false, reason });
      return problem("pgdump_unreadable", `${storePath}: ${reason}`, reason, "a pg_dump archive");
    }
    const format = detectDumpFormat(head);
    if (format === null) {
      const reason = "not a pg_dump archive (no PGDMP header, no plain dump header)";
      this.restored.set(storePath, { ok: false, reason });
      return problem(
        "pgdump_unreadable",
        `${storePath}: is ${reason}`,
        reason,
        "a custom or plain pg_dump",
      );
    }
    const started = await this.start();
    if (!started.ok) return { ok: false, unavailable: firstFinding(started) };
    const ready = started.value;
    const database = await this.createDatabase(ready);
    if (typeof database !== "string") return { ok: false, unavailable: database };
    if (this.closing.signal.aborted) {
      // close() ran while the database was being made: it is not left behind.
      await this.dropDatabase(ready, database);
      return { ok: false, unavailable: unavailable("the PostgreSQL session was closed", "closed") };
    }
    const restore = await restoreDump(
      ready.binaries,
      ready.endpoint,
      database,
      absolutePath,
      format,
    );
    if (!restore.ok) {
      await this.dropDatabase(ready, database);
      this.restored.set(storePath, { ok: false, reason: clip(restore.error.error) });
      return judgeRestoreError(storePath, restore.error, {
        where: ready.endpoint.description,
        version: ready.binaries.version,
        bindir: ready.binaries.bindir,
      });
    }
    try {
      const { digestDatabase } = await import("./content-digest.js");
      const { readPGShape } = await import("./shape.js");
      const { content, shape } = await withClient(
        ready.endpoint.client(database),
        async (client) => ({
          content: await digestDatabase(client),
          shape: await readPGShape(client),
        }),
      );
      if (this.keep) this.restored.set(storePath, { ok: true, database });
      else await this.dropDatabase(ready, database);
      return { ok: true, facts: { ...format, ...content }, shape };
    } catch (error) {
      await this.dropDatabase(ready, database);
      const message = (error as Error).message;
      this.restored.set(storePath, { ok: false, reason: message });
      return {
        ok: false,
        unavailable: unavailable(
          `${storePath}: the restored database could not be read: ${message}`,
          message,
        ),
      };
    }
  }

  private async createDatabase(ready: Ready): Promise<string | ClassifiedFinding> {
    const name = `${this.prefix}_${this.databases.size + 1}`;
    try {
      await withClient(ready.endpoint.client(ready.endpoint.maintenanceDatabase), (client) =>
        client.query(
          `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
        ),
      );
    } catch (error) {
      const message = (error as Error).message;
      return unavailable(
        `${ready.endpoint.description} refused to create a scratch database: ${message}`,
        message,
      );
    }
    // A URL server outlives this process: if the run dies, the database is dropped on the way out.
    const unregister =
      ready.server === null
        ? registerExitCleanup(() => {
            runProgramSync(
              ready.binaries.path("psql"),
              [
                ...ready.endpoint.toolArgs(ready.endpoint.maintenanceDatabase),
                "--no-password",
                "--no-psqlrc",
                "--quiet",
                "--command",
                `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`,
              ],
              { env: ready.endpoint.toolEnv, keepEnv: ready.endpoint.keepEnv },
            );
          })
        : () => undefined;
    this.databases.set(name, unregister);
    return name;
  }

  private async dropDatabase(ready: Ready, name: string): Promise<void> {
    const unregister = this.databases.get(name);
    if (unregister === undefined) return;
    this.databases.delete(name);
    try {
      await withClient(
        ready.endpoint.client(ready.endpoint.maintenanceDatabase),
        async (client) => {
          await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        },
      );
    } catch {
      // The exit cleanup tries once more; a throwaway server takes it with it anyway.
      return;
    }
    unregister();
  }

  private async runQuery(database: string, sql: string, timeoutMs: number): Promise<SQLAnswer> {
    const ready = await this.start();
    if (!ready.ok) return { ok: false, error: firstFinding(ready).message };
    const { readOnlyQuery } = await import("./client.js");
    return readOnlyQuery(ready.value.endpoint.client(database), sql, timeoutMs);
  }
}
