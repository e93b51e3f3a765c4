// Where dumps are restored: a throwaway server of this run, or an existing server named by a
// postgresql:// URL (postgres.url in the drill config). Either way, how the client programs
// and node-postgres reach one database of it. A password in the URL is moved into PGPASSWORD
// for the programs, so it never shows on a command line (ps); PGPASSWORD, PGPASSFILE and the
// PGSSL* variables of the caller are kept for a URL server, every other PG* variable dropped.
import type { ClientConfig } from "pg";
import type { ThrowawayServer } from "./throwaway-server.js";

export type PGEndpoint = {
  /** Arguments of pg_restore and psql that connect to `database`. */
  readonly toolArgs: (database: string) => string[];
  /** Environment for the programs (a password from the URL). */
  readonly toolEnv: Readonly<Record<string, string>>;
  /** The caller's PG* variables the programs may see. */
  readonly keepEnv: readonly string[];
  readonly client: (database: string) => ClientConfig;
  /**
   * The postgresql:// URL of `database` that the service under test is given
   * ({postgres.url}): a Unix socket as libpq reads it (`?host=<socket dir>`), never a password.
   */
  readonly serviceURL: (database: string) => string;
  /** The database to connect to for CREATE and DROP DATABASE. */
  readonly maintenanceDatabase: string;
  /** For messages: never holds a password. */
  readonly description: string;
};

const URL_KEEP_ENV = [
  "PGPASSWORD",
  "PGPASSFILE",
  "PGSSLMODE",
  "PGSSLROOTCERT",
  "PGSSLCERT",
  "PGSSLKEY",
  "PGSSLCRL",
  "PGCONNECT_TIMEOUT",
];

export function throwawayEndpoint(server: ThrowawayServer, version: string): PGEndpoint {
  return {
    toolArgs: (database) => [
      "--host",
      server.socketDir,
      "--port",
      String(server.port),
      "--username",
      server.user,
      "--dbname",
      database,
    ],
    toolEnv: {},
    keepEnv: [],
    client: (database) => ({
      host: server.socketDir,
      port: server.port,
      user: server.user,
      database,
    }),
    serviceURL: (database) =>
      `postgresql://${encodeURIComponent(server.user)}@/${encodeURIComponent(database)}?host=${encodeURIComponent(server.socketDir)}&port=${server.port}`,
    maintenanceDatabase: "postgres",
    description: `a throwaway PostgreSQL ${version} server`,
  };
}

export type ParsedURL = {
  /** Without its password, for the programs and for messages. */
  readonly url: URL;
  readonly password: string | null;
  /** As given, for node-postgres, which reads the password from it. */
  readonly full: URL;
};

/** The URL and its password apart (the password goes to PGPASSWORD); null if not a URL. */
export function parsePGURL(text: string): ParsedURL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") return null;
  const full = new URL(url.href);
  const password = url.password === "" ? null : decodeURIComponent(url.password);
  url.password = "";
  return { url, password, full };
}

/** The URL naming another database of the same server. */
function withDatabase(url: URL, database: string): string {
  const copy = new URL(url.href);
  copy.pathname = `/${encodeURIComponent(database)}`;
  copy.searchParams.delete("dbname");
  return copy.href;
}

export function urlEndpoint(parsed: ParsedURL): PGEndpoint {
  const { url, password, full } = parsed;
  const maintenance = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  const host = url.hostname || url.searchParams.get("host") || "localhost";
  return {
    toolArgs: (database) => ["--dbname", withDatabase(url, database)],
    toolEnv: password === null ? {} : { PGPASSWORD: password },
    keepEnv: URL_KEEP_ENV,
    client: (database) => ({ connectionString: withDatabase(full, database) }),
    serviceURL: (database) => withDatabase(url, database),
    maintenanceDatabase: maintenance,
    description: `the PostgreSQL server at ${host}${url.port ? `:${url.port}` : ""} (postgres.url)`,
  };
}
