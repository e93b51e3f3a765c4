// Two databases' tables compared by their digests (pure): added, dropped, or rows that differ.
import type { TableDigest } from "../store/sqlite-content.js";

export type TableChange = {
  readonly name: string;
  /** null when the table does not exist on that side. */
  readonly rowsBefore: number | null;
  readonly rowsAfter: number | null;
  readonly rowDelta: number;
};

/** Tables added, dropped, or whose rows differ by count or content, by name. */
export function compareTables(
  before: readonly TableDigest[],
  after: readonly TableDigest[],
): TableChange[] {
  const old = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: TableChange[] = [];
  for (const name of names) {
    const a = old.get(name);
    const b = now.get(name);
    if (a && b && a.sha256 === b.sha256) continue;
    changes.push({
      name,
      rowsBefore: a?.rows ?? null,
      rowsAfter: b?.rows ?? null,
      rowDelta: (b?.rows ?? 0) - (a?.rows ?? 0),
    });
  }
  return changes;
}
