// The pure rules under the truthful audit and the folder prune: the date pattern of archive
// names, and retention read as what must be present (the window, the current period).
import { describe, expect, it } from "vitest";
import { compileDatePattern, dateInName } from "../../src/snapshots/archive-folder.js";
import { retentionShortfalls } from "../../src/audit/retention-kept.js";

describe("compileDatePattern and dateInName", () => {
  it("reads ChromaDB's names as UTC, finds the date anywhere, and refuses an impossible one", () => {
    const pattern = compileDatePattern("chromadb_backup_%Y%m%d_%H%M%S");
    if (typeof pattern === "string") throw new Error(pattern);
    expect(dateInName("chromadb_backup_20261207_020000.tar.gz", pattern)?.toISOString()).toBe(
      "2026-12-07T02:00:00.000Z",
    );
    expect(dateInName("old-chromadb_backup_20261207_020000.tar.gz", pattern)).not.toBeNull();
    expect(dateInName("chromadb_backup_20261307_020000.tar.gz", pattern)).toBeNull();
    expect(dateInName("chromadb_backup_manual.tar.gz", pattern)).toBeNull();
    const day = compileDatePattern("db-%Y-%m-%d.sql.gz");
    if (typeof day === "string") throw new Error(day);
    expect(dateInName("db-2026-02-28.sql.gz", day)?.toISOString()).toBe("2026-02-28T00:00:00.000Z");
  });

  it("refuses a pattern without a day, an unknown field, or a field twice", () => {
    expect(compileDatePattern("backup_%Y%m")).toBe("it has no %d");
    expect(compileDatePattern("backup_%Y%m%d_%q")).toMatch(/^%q is not a field/);
    expect(compileDatePattern("%Y%m%d%d")).toBe("%d appears twice");
    expect(compileDatePattern("100%%_%Y%m%d")).toBeInstanceOf(RegExp);
  });
});

describe("retentionShortfalls", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const at = (iso: string) => new Date(iso);
  const rules = { keepDaily: 3, keepWeekly: 0, keepMonthly: 0 };

  it("counts today when it has a copy, else starts the window the day before", () => {
    const withToday = [at("2026-12-07T02:00:00Z"), at("2026-12-05T02:00:00Z")];
    expect(retentionShortfalls(withToday, rules, now)).toEqual([
      { rule: "keepDaily", asked: 3, missing: ["2026-12-06"], held: 2 },
    ]);
    const notYetToday = [at("2026-12-06T02:00:00Z"), at("2026-12-05T02:00:00Z")];
    expect(retentionShortfalls(notYetToday, rules, now)).toEqual([
      { rule: "keepDaily", asked: 3, missing: ["2026-12-04"], held: 2 },
    ]);
  });

  it("names ISO weeks and months without a copy, and keepLast by count", () => {
    const times = [
      at("2026-12-07T02:00:00Z"),
      at("2026-11-23T02:00:00Z"),
      at("2026-10-01T00:00:00Z"),
    ];
    expect(
      retentionShortfalls(times, { keepLast: 4, keepDaily: 0, keepWeekly: 3, keepMonthly: 3 }, now),
    ).toEqual([
      { rule: "keepLast", asked: 4, missing: [], held: 3 },
      { rule: "keepWeekly", asked: 3, missing: ["2026-W49"], held: 3 },
    ]);
    expect(
      retentionShortfalls(
        [at("2026-12-01T02:00:00Z"), at("2026-10-31T23:59:59Z")],
        { keepDaily: 0, keepWeekly: 0, keepMonthly: 4 },
        now,
      ),
    ).toEqual([{ rule: "keepMonthly", asked: 4, missing: ["2026-09", "2026-11"], held: 2 }]);
  });
});
