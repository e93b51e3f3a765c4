// The rules every backup entry passes before a byte is written, without an archive: escapes are
// path_escapes_root, special files, dangling hardlinks, symlinks, bad names and duplicates are
// archive_entry_refused, and the root entry is skipped.
import { describe, expect, it } from "vitest";
import { createEntryState, judgeEntry, type BackupEntry } from "../../src/archive/entry-rules.js";

/** Judges the entries in order in one backup; returns each decision. */
function judgeAll(entries: BackupEntry[]) {
  const state = createEntryState();
  return entries.map((entry) => judgeEntry(entry, state));
}
const file = (name: string): BackupEntry => ({ name, kind: "file" });

describe("judgeEntry", () => {
  it("accepts files and directories under clean names, and skips the root entry", () => {
    expect(
      judgeAll([
        { name: "./", kind: "dir" },
        { name: "./datasets/", kind: "dir" },
        file("./datasets/a.db"),
      ]),
    ).toEqual([
      { accept: false, skip: true },
      { accept: true, path: "datasets", kind: "dir" },
      { accept: true, path: "datasets/a.db", kind: "file" },
    ]);
    expect(judgeAll([{ name: ".", kind: "dir" }])[0]).toEqual({ accept: false, skip: true });
  });

  it.each([
    ["/etc/passwd", "is an absolute path"],
    ["a/../../x", "has a '..' segment"],
    ["../x", "has a '..' segment"],
  ])("refuses %s as path_escapes_root (%s)", (name, reason) => {
    expect(judgeAll([file(name)])[0]).toEqual({
      accept: false,
      skip: false,
      code: "path_escapes_root",
      path: name,
      reason,
    });
  });

  it("refuses names that are not UTF-8, too long, or not clean store paths", () => {
    const [bad, long, longPath, backslash] = judgeAll([
      file("caf\uFFFD.db"),
      file(`${"a".repeat(256)}.db`),
      file(`${"abcdefgh/".repeat(460)}x`),
      file("a\\b"),
    ]);
    expect(bad).toMatchObject({
      code: "archive_entry_refused",
      reason: "has a name that is not UTF-8",
    });
    expect(long).toMatchObject({ reason: "has a name too long for the file system" });
    expect(longPath).toMatchObject({ reason: "has a name too long for the file system" });
    expect(backslash).toMatchObject({ accept: false, skip: false });
  });

  it("refuses the second entry of a path", () => {
    const [, twice] = judgeAll([file("a.db"), file("./a.db")]);
    expect(twice).toMatchObject({
      code: "archive_entry_refused",
      path: "./a.db",
      reason: "appears twice",
    });
  });

  it("accepts a hardlink to an earlier file only, and never one outside the root", () => {
    const [, link, dangling, outside] = judgeAll([
      file("a.db"),
      { name: "b.db", kind: "hardlink", linkTarget: "./a.db" },
      { name: "c.db", kind: "hardlink", linkTarget: "later.db" },
      { name: "d.db", kind: "hardlink", linkTarget: "../x" },
    ]);
    expect(link).toEqual({ accept: true, path: "b.db", kind: "hardlink", linkPath: "a.db" });
    expect(dangling).toMatchObject({
      code: "archive_entry_refused",
      reason: "is a hardlink to later.db, which is not an earlier file of the backup",
    });
    expect(outside).toMatchObject({
      code: "path_escapes_root",
      reason: "is a hardlink to ../x, outside the root",
    });
  });

  it("refuses every symlink, as an escape when it leads outside, and anything written through one", () => {
    const [inside, escaping, absolute, through] = judgeAll([
      { name: "d/link", kind: "symlink", linkTarget: "../other/./x" },
      { name: "d/up", kind: "symlink", linkTarget: "../../etc" },
      { name: "abs", kind: "symlink", linkTarget: "/etc" },
      file("d/link/evil.db"),
    ]);
    expect(inside).toMatchObject({
      code: "archive_entry_refused",
      reason: "is a symlink (to ../other/./x); a store root holds no symlinks",
    });
    expect(escaping).toMatchObject({
      code: "path_escapes_root",
      reason: "is a symlink to ../../etc, outside the root",
    });
    expect(absolute).toMatchObject({ code: "path_escapes_root" });
    expect(through).toMatchObject({
      code: "path_escapes_root",
      reason: "would be written through the symlink d/link",
    });
  });

  it("refuses special files, naming what they are", () => {
    const [fifo, unnamed] = judgeAll([
      { name: "pipe", kind: "special", detail: "FIFO" },
      { name: "dev", kind: "special" },
    ]);
    expect(fifo).toMatchObject({
      code: "archive_entry_refused",
      reason: "is a FIFO, which is never restored",
    });
    expect(unnamed).toMatchObject({ reason: "is a special file, which is never restored" });
  });
});
