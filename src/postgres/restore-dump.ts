// Restores one pg_dump archive into an empty database: a custom archive with pg_restore, a
// plain SQL dump with psql, either stopping at the first error (--exit-on-error,
// ON_ERROR_STOP) so the failing statement is the one reported. A gzip-wrapped file is
// inflated on the way in, never written out. Ownership is restored as the dump says (the
// roles must exist: postgres.roles), so a restore here fails where it would fail in
// production. A plain dump must end with pg_dump's closing comment: psql runs a truncated
// one to its end without an error, so the end is what proves it whole.
import { createReadStream } from "node:fs";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { PGBinaries } from "./binaries.js";
import type { DumpFormat } from "./dump-format.js";
import type { PGEndpoint } from "./endpoint.js";
import { parsePGRestoreErrors, parsePsqlErrors, type RestoreError } from "./restore-errors.js";
import { runProgram, type ProgramRun } from "./run-program.js";

export type RestoreResult =
  { readonly ok: true } | { readonly ok: false; readonly error: RestoreError };

// "-- PostgreSQL database dump complete\n--\n", then (pg_dump 17.6, 16.10, 15.14 and later)
// "\unrestrict <key>".
const PLAIN_END = /-- PostgreSQL database dump complete\s*(?:--\s*)?(?:\\unrestrict [^\n]*\s*)?$/;
const TAIL_BYTES = 1024;

/** The file's bytes, inflated when gzip; errors of reading or inflating are kept. */
function openDump(
  file: string,
  format: DumpFormat,
): { stream: Readable; failed: () => string | null } {
  let failure: string | null = null;
  const raw = createReadStream(file);
  raw.on("error", (error) => (failure ??= error.message));
  if (format.compression === "none") return { stream: raw, failed: () => failure };
  const gunzip = createGunzip();
  gunzip.on("error", (error) => (failure ??= `gzip: ${error.message}`));
  raw.on("error", (error) => gunzip.destroy(error));
  return { stream: raw.pipe(gunzip), failed: () => failure };
}

/** Passes bytes through, keeping the last ones seen. */
function tailKeeper(): { transform: Transform; tail: () => string } {
  let tail = Buffer.alloc(0);
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      tail = Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      done(null, chunk);
    },
  });
  return { transform, tail: () => tail.toString("utf8") };
}

function stopped(run: ProgramRun, program: string): string {
  if (run.spawnError !== null) return `${program} could not be started (${run.spawnError})`;
  return `${program} ended with ${run.signal ?? `exit code ${String(run.code)}`}: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`;
}

export async function restoreDump(
  binaries: PGBinaries,
  endpoint: PGEndpoint,
  database: string,
  file: string,
  format: DumpFormat,
): Promise<RestoreResult> {
  const common = { env: endpoint.toolEnv, keepEnv: endpoint.keepEnv };
  if (format.format === "custom") {
    const args = [...endpoint.toolArgs(database), "--no-password", "--exit-on-error"];
    if (format.compression === "none") {
      const run = await runProgram(binaries.path("pg_restore"), [...args, file], common);
      return judge(run, parsePGRestoreErrors(run.stderr), null, "pg_restore");
    }
    const input = openDump(file, format);
    const run = await runProgram(binaries.path("pg_restore"), args, {
      ...common,
      stdin: input.stream,
    });
    input.stream.destroy();
    return judge(run, parsePGRestoreErrors(run.stderr), input.failed(), "pg_restore");
  }
  const input = openDump(file, format);
  const keeper = tailKeeper();
  const stdin = input.stream.pipe(keeper.transform);
  input.stream.on("error", (error) => keeper.transform.destroy(error));
  const run = await runProgram(
    binaries.path("psql"),
    [
      ...endpoint.toolArgs(database),
      "--no-password",
      "--no-psqlrc",
      "--quiet",
      "--set",
      "ON_ERROR_STOP=1",
      "--echo-errors",
      "--output",
      "/dev/null",
      "--file",
      "-",
    ],
    { ...common, stdin },
  );
  input.stream.destroy();
  const result = judge(run, parsePsqlErrors(run.stderr), input.failed(), "psql");
  // psql stopped early: whether the file is whole is read from its end, since a dump cut in
  // the middle of a statement fails there with a syntax error that is not the dump's fault.
  const end = result.ok ? { tail: keeper.tail() } : await readPlainEnd(file, format);
  if ("error" in end) return { ok: false, error: { kind: "archive", error: end.error } };
  if (!PLAIN_END.test(end.tail))
    return {
      ok: false,
      error: {
        kind: "archive",
        error:
          'the dump ends before pg_dump\'s closing line "-- PostgreSQL database dump complete": it is truncated',
      },
    };
  return result;
}

/** The last bytes of a plain dump, inflated through to its end if gzip. */
async function readPlainEnd(
  file: string,
  format: DumpFormat,
): Promise<{ tail: string } | { error: string }> {
  const input = openDump(file, format);
  const keeper = tailKeeper();
  try {
    await pipeline(
      input.stream,
      keeper.transform,
      new Writable({
        write: (_chunk, _encoding, done) => {
          done();
        },
      }),
    );
  } catch (error) {
    return { error: input.failed() ?? (error as Error).message };
  }
  return { tail: keeper.tail() };
}

function judge(
  run: ProgramRun,
  parsed: RestoreError | null,
  readFailure: string | null,
  program: string,
): RestoreResult {
  // A broken gzip stream ends the input early: the program then fails or stops short, and
  // the cause is the archive either way.
  if (readFailure !== null) return { ok: false, error: { kind: "archive", error: readFailure } };
  if (run.code === 0 && run.spawnError === null) return { ok: true };
  if (parsed !== null) return { ok: false, error: parsed };
  return { ok: false, error: { kind: "connection", error: stopped(run, program) } };
}
