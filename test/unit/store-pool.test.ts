// src/store/store-pool.ts on real worker threads and real files: the digests equal the
// one-thread digest and `sha256sum`, answers keep request order whatever the batching, a file
// that cannot be read rejects with its errno code, and a closed pool refuses work.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cloneFileWithDigestSync, digestFile } from "../../src/store/file-digest.js";
import { StorePool } from "../../src/store/store-pool.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

describe("StorePool", () => {
  it("hashes many small and a few large files in request order, as sha256sum does", async () => {
    const dir = makeTempDir();
    const sizes = [
      0,
      1,
      100,
      4096,
      9 * 1024 * 1024,
      1024 * 1024,
      17,
      20 * 1024 * 1024 + 3,
      ...Array.from({ length: 150 }, (_, i) => 1 + ((i * 7919) % 70_000)),
    ];
    const files = sizes.map((size, i) => {
      const file = join(dir, `f${i}`);
      writeFileSync(file, randomBytes(size));
      return file;
    });
    const pool = new StorePool(2);
    let progressFiles = 0;
    let progressBytes = 0;
    try {
      const digests = await pool.digestAll(
        files.map((file, i) => ({ file, expectedSize: sizes[i] as number })),
        (doneFiles, doneBytes) => {
          progressFiles += doneFiles;
          progressBytes += doneBytes;
        },
      );
      const sums = execFileSync("sha256sum", files, { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((line) => line.slice(0, 64));
      expect(digests.map((d) => d.digest.sha256)).toEqual(sums);
      expect(digests.map((d) => d.size)).toEqual(sizes);
      for (const [i, file] of files.slice(0, 10).entries()) {
        const single = await digestFile(file);
        expect(digests[i]?.head.equals(single.head)).toBe(true);
      }
      expect(progressFiles).toBe(files.length);
      expect(progressBytes).toBe(sizes.reduce((a, b) => a + b, 0));
    } finally {
      await pool.close();
    }
  });

  it("rejects with the errno code when a file is gone or is a symlink", async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, "real"), "x");
    symlinkSync(join(dir, "real"), join(dir, "link"));
    const pool = new StorePool(1);
    try {
      await expect(
        pool.digestAll([{ file: join(dir, "absent"), expectedSize: 1 }]),
      ).rejects.toMatchObject({ code: "ENOENT" });
      await expect(
        pool.digestAll([{ file: join(dir, "link"), expectedSize: 1 }]),
      ).rejects.toMatchObject({
        code: "ELOOP",
      });
      // The pool still works after a failed task.
      const [ok] = await pool.digestAll([{ file: join(dir, "real"), expectedSize: 1 }]);
      expect(ok?.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("says what is at each path, a file's size, and names a symlinked directory on the way", async () => {
    const root = makeTempDir();
    mkdirSync(join(root, "real/deep"), { recursive: true });
    writeFileSync(join(root, "real/deep/file"), "x");
    symlinkSync(join(root, "real"), join(root, "alias"));
    const pool = new StorePool(2);
    try {
      const answers = await pool.probe(root, [
        "real/deep/file",
        "real/deep",
        "alias/deep/file",
        "alias",
        "missing/file",
      ]);
      expect(answers).toEqual([
        { type: "file", linkAncestor: null, size: 1 },
        { type: "dir", linkAncestor: null, size: null },
        { type: null, linkAncestor: "alias", size: null },
        { type: "symlink", linkAncestor: null, size: null },
        { type: null, linkAncestor: null, size: null },
      ]);
    } finally {
      await pool.close();
    }
  });

  it("reads a batch of small files whose sizes are not the expected ones as the one-file read does", async () => {
    const dir = makeTempDir();
    // Expected sizes as a manifest would say, actual files grown, shrunk, emptied or filled.
    const cases = [
      { actual: 100, expected: 100 },
      { actual: 101, expected: 100 },
      { actual: 99, expected: 100 },
      { actual: 0, expected: 100 },
      { actual: 100, expected: 0 },
      { actual: 70_000, expected: 60_000 },
      { actual: 2 * 1024 * 1024, expected: 1000 },
      { actual: 1000, expected: 2 * 1024 * 1024 },
      { actual: 0, expected: 0 },
    ];
    const files = cases.map(({ actual }, i) => {
      const file = join(dir, `f${i}`);
      writeFileSync(file, randomBytes(actual));
      return file;
    });
    const pool = new StorePool(2);
    try {
      const batched = await pool.digestAll(
        files.map((file, i) => ({ file, expectedSize: cases[i]?.expected as number })),
      );
      for (const [i, file] of files.entries()) {
        const single = await digestFile(file);
        expect(batched[i]?.size).toBe(cases[i]?.actual);
        expect(batched[i]?.digest).toEqual(single.digest);
        expect(batched[i]?.head.equals(single.head)).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it("refuses a vanished file, a symlink and a FIFO in a batch with the code the one-file read gives", async () => {
    const dir = makeTempDir();
    const good = Array.from({ length: 40 }, (_, i) => {
      const file = join(dir, `good${i}`);
      writeFileSync(file, randomBytes(200 + i));
      return file;
    });
    writeFileSync(join(dir, "real"), "x");
    symlinkSync(join(dir, "real"), join(dir, "link"));
    execFileSync("mkfifo", [join(dir, "fifo")]);
    const pool = new StorePool(1);
    try {
      for (const [name, code] of [
        ["absent", "ENOENT"],
        ["link", "ELOOP"],
        ["fifo", "EFTYPE"],
      ] as const) {
        const bad = join(dir, name);
        // The one-file read: refused, and a FIFO is never waited on.
        await expect(digestFile(bad)).rejects.toMatchObject({ code });
        const batch = [...good.slice(0, 20), bad, ...good.slice(20)];
        for (const expectedSize of [1, 0]) {
          await expect(
            pool.digestAll(batch.map((file) => ({ file, expectedSize }))),
          ).rejects.toMatchObject({ code });
        }
      }
      // The pool still works after the refusals.
      const digests = await pool.digestAll(good.map((file) => ({ file, expectedSize: 200 })));
      expect(digests.map((d) => d.size)).toEqual(good.map((_, i) => 200 + i));
    } finally {
      await pool.close();
    }
  });

  it("refuses work once closed", async () => {
    const pool = new StorePool(1);
    await pool.close();
    await expect(pool.digestAll([{ file: "/dev/null", expectedSize: 0 }])).rejects.toThrow(
      /closed/,
    );
  });
});

describe("cloneFileWithDigestSync", () => {
  it("clones and hashes where the file system can, and otherwise says so and writes nothing", () => {
    const dir = makeTempDir();
    const from = join(dir, "from");
    const content = randomBytes(300_000);
    writeFileSync(from, content);
    const to = join(dir, "to");
    const result = cloneFileWithDigestSync(from, to, 0o640, 1_700_000_000_000, Buffer.alloc(65536));
    if (result === null) {
      expect(existsSync(to)).toBe(false);
    } else {
      expect(result.size).toBe(content.length);
      expect(result.digest.sha256).toBe(createHash("sha256").update(content).digest("hex"));
      expect(statSync(to).mode & 0o777).toBe(0o640);
      expect(statSync(to).mtimeMs).toBe(1_700_000_000_000);
    }
  });

  it("refuses a symlink as the source", () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, "real"), "x");
    symlinkSync(join(dir, "real"), join(dir, "link"));
    expect(() =>
      cloneFileWithDigestSync(join(dir, "link"), join(dir, "to"), 0o644, null, Buffer.alloc(16)),
    ).toThrow(expect.objectContaining({ code: "ELOOP" }));
    expect(existsSync(join(dir, "to"))).toBe(false);
  });
});
