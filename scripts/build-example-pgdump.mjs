// Makes the example's PostgreSQL dataset, ops/store/datasets/gazetteer.pgdump: a throwaway
// server (the same one recoverable runs for a drill, so it works as root too), the gazetteer
// database from scripts/example-gazetteer.mjs, then `pg_dump -Fc`. The rows are fixed; the
// dump's bytes are not (pg_dump writes the time and its version into the archive), so run it
// only to change the dataset, then seal the release again (see README). Needs `npm run build`
// and PostgreSQL's programs (docs/postgresql.md).
//   node scripts/build-example-pgdump.mjs [outFile]
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findPGBinaries, SERVER_PROGRAMS } from "../dist/postgres/binaries.js";
import { throwawayEndpoint } from "../dist/postgres/endpoint.js";
import { ThrowawayServer } from "../dist/postgres/throwaway-server.js";
import { GAZETTEER, READER_ROLE, gazetteerSQL } from "./example-gazetteer.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = resolve(process.argv[2] ?? join(REPO, "ops", "store", GAZETTEER.path));

const binaries = await findPGBinaries({ configured: null, programs: SERVER_PROGRAMS });
if ("code" in binaries) {
  console.error(`${binaries.message}\n${binaries.hint}`);
  process.exit(3);
}
const started = await ThrowawayServer.start(binaries);
if (!started.ok) {
  console.error(`the throwaway server did not start: ${started.error}\n${started.log}`);
  process.exit(3);
}
const server = started.server;
// How recoverable's own restores reach the server: --host, --port, --username, --dbname.
const endpoint = throwawayEndpoint(server, binaries.version);
const run = (program, database, args, input) => {
  const result = spawnSync(binaries.path(program), [...endpoint.toolArgs(database), ...args], {
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", LC_ALL: "C" },
  });
  if (result.status !== 0) {
    server.stopSync();
    console.error(`${program} ${args.join(" ")} failed:\n${result.stderr}`);
    process.exit(1);
  }
};
const psql = ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1"];
try {
  run("psql", "postgres", [...psql, "--command", `CREATE ROLE ${READER_ROLE} NOLOGIN`]);
  run("psql", "postgres", [...psql, "--command", "CREATE DATABASE gazetteer"]);
  run("psql", "gazetteer", [...psql, "--file", "-"], gazetteerSQL());
  mkdirSync(dirname(OUT), { recursive: true });
  run("pg_dump", "gazetteer", ["--format", "custom", "--file", OUT]);
  console.log(`built ${OUT} with pg_dump ${binaries.version}`);
} finally {
  await server.stop();
}
