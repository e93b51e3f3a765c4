// src/util/sync-fs.ts: the one flush of a file system, and the per-file fallback where
// `sync -f` is missing (a restored tree is made durable either way).
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syncEach, syncFileSystem } from "../../src/util/sync-fs.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

describe("syncFileSystem", () => {
  it("flushes the file system of a directory with coreutils' sync -f", async () => {
    expect(await syncFileSystem(makeTempDir())).toBe(true);
  });

  it("says false when the command is not there, and false for a path that does not exist", async () => {
    expect(await syncFileSystem(makeTempDir(), "/nonexistent/sync")).toBe(false);
    expect(await syncFileSystem("/nonexistent/dir")).toBe(false);
  });

  it("falls back to an fsync of each file and directory, and fails loudly on a missing file", async () => {
    const root = makeTempDir();
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d", "f"), "x");
    await expect(
      syncEach([join(root, "d", "f")], [join(root, "d"), root]),
    ).resolves.toBeUndefined();
    await expect(syncEach([join(root, "absent")], [])).rejects.toMatchObject({ code: "ENOENT" });
  });
});
