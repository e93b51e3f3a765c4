// A real PostgreSQL server for tests to make dumps with (pg_dump from real databases), and the
// means to prove a run left no server or directory behind: each CLI run gets a private
// TMPDIR, so whatever its throwaway server made is found there, and any postmaster still
// running from it is found by its command line.
import { spawnSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { findPGBinaries, SERVER_PROGRAMS, type PGBinaries } from "../../src/postgres/binaries.js";
import { ThrowawayServer } from "../../src/postgres/throwaway-server.js";
import { makeTempDir } from "./temp-dir.js";

export type SourceServer = {
  readonly binaries: PGBinaries;
  readonly server: ThrowawayServer;
  /** Runs SQL in a database (ON_ERROR_STOP); throws with psql's words when it fails. */
  readonly psql: (database: string, sql: string) => string;
  /** pg_dump of a database into a file. */
  readonly dump: (
    database: string,
    file: string,
    options?: { format?: "custom" | "plain"; gzip?: boolean },
  ) => void;
  /** pg_restore of a custom dump into a new database. */
  readonly restore: (file: string, database: string) => void;
  readonly stop: () => Promise<void>;
};

export async function startSourceServer(): Promise<SourceServer> {
  const found = await findPGBinaries({ configured: null, programs: SERVER_PROGRAMS });
  if (!found.ok) throw new Error(found.findings.map((f) => f.message).join("; "));
  const binaries = found.value;
  const started = await ThrowawayServer.start(binaries);
  if (!started.ok) throw new Error(`${started.error}\n${started.log}`);
  const server = started.server;
  const connect = ["--host", server.socketDir, "--port", String(server.port)];
  const run = (program: string, args: string[], input?: string): string => {
    const result = spawnSync(join(binaries.bindir, program), [...connect, ...args], {
      input: input ?? "",
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "", LC_ALL: "C", PGUSER: server.user },
    });
    if (result.status !== 0) throw new Error(`${program} ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  return {
    binaries,
    server,
    psql: (database, sql) =>
      run(
        "psql",
        [
          "--no-psqlrc",
          "--quiet",
          "--tuples-only",
          "--no-align",
          "--set",
          "ON_ERROR_STOP=1",
          "--dbname",
          database,
          "--file",
          "-",
        ],
        sql,
      ),
    dump(database, file, options = {}) {
      const format = options.format ?? "custom";
      run("pg_dump", ["--format", format, "--file", file, "--dbname", database]);
      if (options.gzip) writeFileSync(file, gzipSync(readFileSync(file)));
    },
    restore(file, database) {
      run("psql", [
        "--no-psqlrc",
        "--quiet",
        "--dbname",
        "postgres",
        "--command",
        `CREATE DATABASE ${database}`,
      ]);
      run("pg_restore", ["--exit-on-error", "--dbname", database, file]);
    },
    stop: () => server.stop(),
  };
}

/**
 * A private temp dir for one CLI run (TMPDIR), open to the server's unprivileged user the way
 * /tmp is, so a throwaway server of that run is made inside it.
 */
export function privateTmp(): string {
  const dir = makeTempDir("recoverable-pgtmp-");
  chmodSync(dir, 0o755);
  return dir;
}

/** What a run left in its TMPDIR, and the processes still running from there. */
export function leftovers(tmp: string): { entries: string[]; processes: string[] } {
  const processes: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (command.includes(tmp)) processes.push(`${pid}: ${command.trim()}`);
  }
  return { entries: readdirSync(tmp), processes };
}
