// node-postgres connections, one per task, always ended; and the read-only query of a sql
// probe, with values typed the way a probe's `expect` is written.
import pg from "pg";
import type { SQLAnswer } from "./sql-answer.js";

export async function withClient<T>(
  config: pg.ClientConfig,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...config, application_name: "recoverable" });
  // An error after connect (the server going away) must not be an unhandled event.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Probe values as a test would write them: integers, floats, booleans, JSON; the rest text. */
const PROBE_TYPES = {
  getTypeParser: (oid: number) => {
    switch (oid) {
      case 20:
        return (value: string) => BigInt(value);
      case 21:
      case 23:
      case 26:
      case 700:
      case 701:
        return (value: string) => Number(value);
      case 16:
        return (value: string) => value === "t";
      case 114:
      case 3802:
        return (value: string): unknown => JSON.parse(value);
      default:
        return (value: string) => value;
    }
  },
};

/** One statement in a READ ONLY transaction that is rolled back, within the timeout. */
export async function readOnlyQuery(
  config: pg.ClientConfig,
  sql: string,
  timeoutMs: number,
): Promise<SQLAnswer> {
  try {
    const rows = await withClient(config, async (client) => {
      await client.query("SELECT pg_catalog.set_config('statement_timeout', $1, false)", [
        String(timeoutMs),
      ]);
      await client.query("BEGIN READ ONLY");
      try {
        // A named statement takes the extended protocol: exactly one statement, never several.
        const result = await client.query<unknown[]>({
          name: "probe",
          text: sql,
          rowMode: "array",
          types: PROBE_TYPES,
        });
        return result.rows;
      } finally {
        await client.query("ROLLBACK");
      }
    });
    return { ok: true, rows };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
