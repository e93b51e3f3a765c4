// The sql probe: a read-only query of a SQLite dataset in the restored store, or of a pg_dump
// dataset in the database the drill restored it into.
import Database from "better-sqlite3";
import { join } from "node:path";
import type { Probe } from "../documents/types.js";
import { checkSQLExpectations } from "./expectations.js";
import { parseDuration } from "../util/duration.js";
import {
  DEFAULT_TIMEOUT_MS,
  describeProbe,
  outcome,
  type Outcome,
  type ProbeContext,
} from "./probe-check.js";

export function sqlProbe(probe: Probe, context: ProbeContext): Outcome | Promise<Outcome> {
  const started = Date.now();
  const dataset = context.packet.datasets.find((d) => d.name === probe.dataset);
  const { target, expected } = describeProbe(probe, context.packet, "");
  if (!dataset)
    return outcome(
      probe,
      target,
      started,
      [{ expected: `dataset ${probe.dataset ?? "?"}`, actual: "not a dataset of the release" }],
      "probe_failed",
      expected,
    );
  if (context.pgdumps?.has(dataset.path)) return pgProbe(probe, dataset.path, context, target);
  let db: Database.Database | null = null;
  try {
    db = new Database(join(context.storeRoot, ...dataset.path.split("/")), {
      readonly: true,
      fileMustExist: true,
    });
    const statement = db.prepare(probe.query ?? "");
    if (!statement.readonly)
      return outcome(
        probe,
        target,
        started,
        [{ expected: "a read-only query", actual: "the query writes" }],
        "probe_failed",
        expected,
      );
    const rows = statement.reader
      ? (statement.raw(true).safeIntegers(true).all() as unknown[][])
      : [];
    return outcome(
      probe,
      target,
      started,
      checkSQLExpectations(probe.expect, rows),
      "probe_failed",
      expected,
    );
  } catch (error) {
    return outcome(
      probe,
      target,
      started,
      [{ expected: "the query runs", actual: (error as Error).message }],
      "probe_failed",
      expected,
    );
  } finally {
    db?.close();
  }
}

/** A sql probe of a pg_dump dataset: read-only, in the database the drill restored it into. */
async function pgProbe(
  probe: Probe,
  path: string,
  context: ProbeContext,
  target: string,
): Promise<Outcome> {
  const started = Date.now();
  const expected = JSON.stringify(probe.expect ?? {});
  const fail = (actual: string) =>
    outcome(
      probe,
      target,
      started,
      [{ expected: "the query runs", actual }],
      "probe_failed",
      expected,
    );
  if (!context.postgres) return fail("no PostgreSQL server to query the dump in");
  const timeout = parseDuration(probe.timeout ?? "") ?? DEFAULT_TIMEOUT_MS;
  const answer = await context.postgres.query(
    path,
    join(context.storeRoot, ...path.split("/")),
    probe.query ?? "",
    timeout,
  );
  if (!answer.ok) return fail(answer.error);
  return outcome(
    probe,
    target,
    started,
    checkSQLExpectations(probe.expect, answer.rows),
    "probe_failed",
    expected,
  );
}
