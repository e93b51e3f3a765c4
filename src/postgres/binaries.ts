// Finds the PostgreSQL programs: one directory that holds every program a run needs, so the
// server and the client tools are of one version. Looked for in order: RECOVERABLE_PG_BINDIR,
// postgres.bindir of the drill config, the directory of the program on PATH (symlinks
// resolved, so /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin counts), `pg_config
// --bindir`, then the newest /usr/lib/postgresql/<version>/bin (Debian and Ubuntu keep the
// server programs there, off PATH). The programs asked (pg_config, pg_restore --version) are
// awaited, never run synchronously, so a drill's progress keeps drawing while they answer.
import { failed, ok, type Checked } from "../findings/checked.js";
import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

/** The throwaway server needs all five; a server named by URL only the two clients. */
export const SERVER_PROGRAMS = ["initdb", "pg_ctl", "postgres", "pg_restore", "psql"] as const;
export const CLIENT_PROGRAMS = ["pg_restore", "psql"] as const;
export type PGProgram = (typeof SERVER_PROGRAMS)[number];

export type PGBinaries = {
  readonly bindir: string;
  /** As `pg_restore --version` says it, e.g. "15.18". */
  readonly version: string;
  readonly path: (program: PGProgram) => string;
};

const BINDIR_ENV = "RECOVERABLE_PG_BINDIR";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function holdsAll(dir: string, programs: readonly PGProgram[]): boolean {
  return programs.every((program) => isExecutable(join(dir, program)));
}

function onPath(program: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, program);
    if (isExecutable(candidate)) {
      try {
        return dirname(realpathSync(candidate));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** What a program printed on stdout, or null when it could not be run or failed. */
export function outputOf(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: "utf8", env, timeout: 10_000 }, (error, stdout) => {
      resolve(error === null ? stdout : null);
    });
  });
}

async function pgConfigBindir(env: NodeJS.ProcessEnv): Promise<string | null> {
  return (await outputOf("pg_config", ["--bindir"], env))?.trim() || null;
}

/** /usr/lib/postgresql/<version>/bin, newest version first. */
function debianBindirs(root = "/usr/lib/postgresql"): string[] {
  let versions: string[];
  try {
    versions = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    return [];
  }
  return versions.sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, "bin"));
}

async function versionOf(pgRestore: string): Promise<string> {
  const match = /\(PostgreSQL\)\s+(\S+)/.exec((await outputOf(pgRestore, ["--version"])) ?? "");
  return match?.[1] ?? "unknown";
}

export type FindBinariesOptions = {
  /** postgres.bindir of the drill config, resolved. */
  readonly configured: string | null;
  readonly programs: readonly PGProgram[];
  readonly env?: NodeJS.ProcessEnv;
};

export async function findPGBinaries(options: FindBinariesOptions): Promise<Checked<PGBinaries>> {
  const env = options.env ?? process.env;
  const { programs } = options;
  const fromEnv = env[BINDIR_ENV] ?? "";
  const override = fromEnv !== "" ? fromEnv : options.configured;
  const found = async (bindir: string): Promise<Checked<PGBinaries>> =>
    ok({
      bindir,
      version: await versionOf(join(bindir, "pg_restore")),
      path: (program: PGProgram) => join(bindir, program),
    });
  if (override !== null) {
    if (holdsAll(override, programs)) return found(override);
    const source = fromEnv !== "" ? BINDIR_ENV : "postgres.bindir in the drill config";
    return failed(notFound(programs, `${override} (from ${source})`));
  }
  const onPATH = onPath(programs[0] ?? "pg_restore", env);
  const candidates = [
    onPATH,
    onPATH !== null && holdsAll(onPATH, programs) ? null : await pgConfigBindir(env),
    ...debianBindirs(),
  ];
  for (const dir of candidates) if (dir !== null && holdsAll(dir, programs)) return found(dir);
  return failed(notFound(programs, "PATH, pg_config --bindir and /usr/lib/postgresql/*/bin"));
}

function notFound(programs: readonly PGProgram[], where: string): ClassifiedFinding {
  const server = programs.includes("initdb");
  return createFinding("tool_unavailable", {
    subject: "postgresql",
    expected: `${programs.join(", ")} in one directory`,
    actual: `not found in ${where}`,
    message: `the PostgreSQL programs ${programs.join(", ")} were not found in ${where}, so no pg_dump can be restored and checked`,
    hint: server
      ? `Install PostgreSQL's server and client programs (Debian/Ubuntu: \`apt-get install postgresql postgresql-contrib\`; Fedora: \`dnf install postgresql-server postgresql-contrib\`; macOS: \`brew install postgresql\`), or point ${BINDIR_ENV} (or postgres.bindir in the drill config) at the directory that holds them; or set postgres.url to restore into an existing server.`
      : `Install PostgreSQL's client programs (Debian/Ubuntu: \`apt-get install postgresql-client\`), or point ${BINDIR_ENV} (or postgres.bindir) at the directory that holds them.`,
  });
}
