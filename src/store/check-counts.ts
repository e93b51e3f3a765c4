// How many of each check a store check ran, by check and by role: made by verifyStore, added
// up by a merge of shard reports.
import type { Role } from "../documents/types.js";

export type CheckName =
  | "presence"
  | "size"
  | "sha256"
  | "sqlite_integrity"
  | "sqlite_content"
  | "json_parse"
  | "pgdump_restore"
  | "pgdump_content"
  /** Identity levels (docs/live-data.md): a JSON document's canonical digest, */
  | "json_content"
  /** the shape of a database, a JSON Schema or a live directory's members, */
  | "schema"
  /** and the row bounds of a database's tables. */
  | "row_bounds";

export type StoreCheckCounts = {
  readonly artifacts: number;
  readonly byRole: Record<Role, number>;
  readonly byCheck: Record<CheckName, number>;
};

/** Every role and check at zero, to count into. */
export function zeroCounts(): { byRole: Record<Role, number>; byCheck: Record<CheckName, number> } {
  return {
    byRole: { durable: 0, reconstructable: 0, disposable: 0 },
    byCheck: {
      presence: 0,
      size: 0,
      sha256: 0,
      sqlite_integrity: 0,
      sqlite_content: 0,
      json_parse: 0,
      pgdump_restore: 0,
      pgdump_content: 0,
      json_content: 0,
      schema: 0,
      row_bounds: 0,
    },
  };
}

/** The sum of several counts, role by role and check by check. */
export function sumCounts(all: readonly StoreCheckCounts[]): StoreCheckCounts {
  const { byRole, byCheck } = zeroCounts();
  let artifacts = 0;
  for (const counts of all) {
    artifacts += counts.artifacts;
    for (const role of Object.keys(byRole) as Role[]) byRole[role] += counts.byRole[role];
    for (const check of Object.keys(byCheck) as CheckName[])
      // Reports written before a check existed do not count it.
      byCheck[check] += (counts.byCheck as Partial<Record<CheckName, number>>)[check] ?? 0;
  }
  return { artifacts, byRole, byCheck };
}
