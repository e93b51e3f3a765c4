// The pure parts of identity levels: which level seal records for a kind, how shapes compare
// name by name, and the fewest rows a bound allows.
import { describe, expect, it } from "vitest";
import type { DatabaseShape } from "../../src/documents/types.js";
import { compareShapes, lowestAllowed } from "../../src/store/compare-shape.js";
import { levelOf, pinnedByOf, sealedLevelOf } from "../../src/store/identity-levels.js";

const shape = (overrides: Partial<DatabaseShape> = {}): DatabaseShape => ({
  tables: [
    {
      name: "interactions",
      columns: [
        { name: "id", type: "INTEGER", notNull: false, primaryKey: true },
        { name: "prompt", type: "TEXT", notNull: true, primaryKey: false },
      ],
    },
  ],
  indexes: [{ name: "by_prompt", table: "interactions", unique: false, columns: ["prompt"] }],
  views: [{ name: "recent" }],
  triggers: [{ name: "touch", table: "interactions" }],
  ...overrides,
});

describe("sealedLevelOf", () => {
  it("is bytes by default, sqlite.identity for SQLite, and what a level amounts to for a kind", () => {
    expect(sealedLevelOf("json", null, "content")).toBe("bytes");
    expect(sealedLevelOf("sqlite", null, "content")).toBe("content");
    expect(sealedLevelOf("sqlite", "schema", "bytes")).toBe("schema");
    expect(sealedLevelOf("file", "content", "bytes")).toBe("bytes");
    expect(sealedLevelOf("file", "schema", "bytes")).toBe("present");
    expect(sealedLevelOf("dir", "present", "bytes")).toBe("present");
  });
});

describe("levelOf and pinnedByOf", () => {
  const base = { path: "a", kind: "json" as const, role: "durable" as const, size: 1 };
  const digest = { sha256: "0".repeat(64) };
  it("read a manifest entry: no level is bytes, pinned by the release; others by a record or nothing", () => {
    expect(levelOf({ ...base, digest })).toBe("bytes");
    expect(pinnedByOf({ ...base, digest }, false)).toBe("release");
    expect(pinnedByOf({ ...base, digest, level: "schema" }, true)).toBe("backup record");
    expect(pinnedByOf({ ...base, digest, level: "present" }, false)).toBe("content rules only");
  });
});

describe("compareShapes", () => {
  it("finds nothing between a shape and itself, whatever the case and spacing of declared types", () => {
    const same = shape();
    const table = same.tables[0];
    if (table === undefined) throw new Error("no table");
    const spelled = shape({
      tables: [
        {
          ...table,
          columns: table.columns.map((c) => ({ ...c, type: ` ${c.type.toLowerCase()} ` })),
        },
      ],
    });
    expect(compareShapes(same, spelled)).toEqual([]);
  });

  it("names a dropped column, a changed type, an added table, a missing index, view and trigger", () => {
    const found = shape({
      tables: [
        {
          name: "interactions",
          columns: [{ name: "id", type: "TEXT", notNull: false, primaryKey: true }],
        },
        { name: "extra", columns: [] },
      ],
      indexes: [],
      views: [],
      triggers: [],
    });
    expect(compareShapes(shape(), found)).toEqual([
      { what: "table extra", sealed: "absent", found: "0 columns" },
      { what: "column interactions.id", sealed: "INTEGER PRIMARY KEY", found: "TEXT PRIMARY KEY" },
      { what: "column interactions.prompt", sealed: "TEXT NOT NULL", found: "absent" },
      { what: "index by_prompt", sealed: "on interactions(prompt)", found: "absent" },
      { what: "view recent", sealed: "a view", found: "absent" },
      { what: "trigger touch", sealed: "on interactions", found: "absent" },
    ]);
  });
});

describe("lowestAllowed", () => {
  it("is the higher of min and the maxShrink bound against the rows sealed, in exact arithmetic", () => {
    expect(lowestAllowed({ min: 1 }, "10%", 900)).toEqual({
      rows: 810,
      because: "at most 10% fewer than the 900 sealed",
    });
    expect(lowestAllowed({ min: 1000 }, "10%", 900)?.rows).toBe(1000);
    expect(lowestAllowed({ maxShrink: "100%" }, "10%", 900)?.rows).toBe(0);
    expect(lowestAllowed(undefined, "2.5%", 1000)?.rows).toBe(975);
    expect(lowestAllowed(undefined, undefined, 900)).toBeNull();
  });
});
