// The drill's scratch tree is removed a directory at a time (src/util/remove-tree.ts): every
// file, directory and link goes, a link's target stays, and nothing there is not an error.
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeTree } from "../../src/util/remove-tree.js";
import { makeTempDir } from "../helpers/temp-dir.js";

describe("removeTree", () => {
  it("removes a tree of many files in nested directories, and keeps what a link points at", async () => {
    const dir = makeTempDir();
    const tree = join(dir, "tree");
    for (let d = 0; d < 5; d++) {
      mkdirSync(join(tree, `d${d}`, "inner"), { recursive: true });
      for (let f = 0; f < 150; f++) writeFileSync(join(tree, `d${d}`, `f${f}`), `${f}\n`);
      writeFileSync(join(tree, `d${d}`, "inner", "deep"), "deep\n");
    }
    const outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "kept"), "kept\n");
    symlinkSync(outside, join(tree, "link"));
    await removeTree(tree);
    expect(existsSync(tree)).toBe(false);
    expect(existsSync(join(outside, "kept"))).toBe(true);
  });

  it("removes a single file, and is quiet about a path that is not there", async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, "file"), "x");
    await removeTree(join(dir, "file"));
    expect(existsSync(join(dir, "file"))).toBe(false);
    await expect(removeTree(join(dir, "absent"))).resolves.toBeUndefined();
  });
});
