// The digests a restore keeps as it writes: within a budget, the largest files' (issue 21).
import { describe, expect, it } from "vitest";
import { WrittenDigests } from "../../src/archive/written-digests.js";
import { TreeWriter } from "../../src/archive/tree-writer.js";
import { Readable } from "node:stream";
import { makeTempDir } from "../helpers/temp-dir.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";

const file = (size: number) => ({ size, digest: { sha256: String(size).padStart(64, "0") } });

describe("WrittenDigests", () => {
  it("keeps every digest while under its budget", () => {
    const written = new WrittenDigests(3);
    written.set("a", file(1)).set("b", file(2));
    expect(written.complete).toBe(true);
    expect(written.get("b")).toEqual(file(2));
    expect([...written.keys()]).toEqual(["a", "b"]);
  });

  it("keeps the largest files once full, and says it let the others go", () => {
    const written = new WrittenDigests(3);
    const sizes = [5, 1, 9, 3, 7, 2, 8, 4, 6, 0];
    for (const size of sizes) written.set(`f${size}`, file(size));
    expect(written.size).toBe(3);
    expect([...written.keys()].sort()).toEqual(["f7", "f8", "f9"]);
    expect(written.has("f5")).toBe(false);
    expect(written.get("f5")).toBeUndefined();
    expect(written.complete).toBe(false);
    expect(written.dropped).toBe(sizes.length - 3);
  });

  it("keeps nothing with a budget of 0, and everything without one", () => {
    const none = new WrittenDigests(0);
    const all = new WrittenDigests();
    for (let size = 0; size < 1000; size++) {
      none.set(`f${size}`, file(size));
      all.set(`f${size}`, file(size));
    }
    expect(none.size).toBe(0);
    expect(all.size).toBe(1000);
    expect(all.complete).toBe(true);
  });
});

describe("TreeWriter with a written budget", () => {
  it("writes every file but keeps the digests of the largest only, and syncs them all", async () => {
    const root = join(makeTempDir(), "scratch");
    mkdirSync(root);
    // A sync command that is not there: the writer fsyncs each file of the tree instead.
    const writer = new TreeWriter(root, { writtenBudget: 2, syncCommand: "no-such-sync" });
    for (let i = 1; i <= 6; i++)
      await writer.file(`d${i % 2}/f${i}`, Readable.from([Buffer.alloc(i * 10, i)]));
    await writer.sync();
    expect(writer.files).toBe(6);
    expect(writer.bytes).toBe(210);
    expect([...writer.written.keys()].sort()).toEqual(["d0/f6", "d1/f5"]);
  });
});
