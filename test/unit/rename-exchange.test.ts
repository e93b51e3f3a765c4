// The rename-exchange addon itself (built by `npm ci`, scripts/build-native.mjs) on real
// directories, how its errors look, and the choice between it and the two renames: a missing
// addon, or a kernel or file system that cannot exchange, means the two renames.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADDON_PATH,
  cannotExchange,
  loadRenameExchange,
  renameExchange,
  type RenameExchange,
} from "../../src/util/rename-exchange.js";
import { mountTmpfs } from "../helpers/restore-runs.js";
import { makeTempDir } from "../helpers/temp-dir.js";

let dir: string;
let addon: RenameExchange;
beforeEach(() => {
  dir = makeTempDir("recoverable-exchange-");
  const loaded = loadRenameExchange();
  if (loaded === null) throw new Error(`${ADDON_PATH} is not built: run \`npm ci\``);
  addon = loaded;
});

function directoryWith(name: string, file: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, file), text);
  return path;
}

describe("exchange(a, b)", () => {
  it("swaps two directories and their contents in one call", () => {
    const a = directoryWith("a", "from-a.txt", "A");
    const b = directoryWith("b", "from-b.txt", "B");
    addon.exchange(a, b);
    expect(readFileSync(join(a, "from-b.txt"), "utf8")).toBe("B");
    expect(readFileSync(join(b, "from-a.txt"), "utf8")).toBe("A");
  });

  it("throws ENOENT shaped as Node's fs errors, naming both paths, and changes nothing", () => {
    const a = directoryWith("a", "f", "A");
    const missing = join(dir, "missing");
    let thrown: unknown;
    try {
      addon.exchange(a, missing);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({
      code: "ENOENT",
      errno: -2,
      syscall: "renameat2",
      path: a,
      dest: missing,
    });
    expect((thrown as Error).message).toBe(
      `ENOENT: No such file or directory, renameat2 '${a}' -> '${missing}'`,
    );
    expect(cannotExchange(thrown)).toBe(false);
    expect(readFileSync(join(a, "f"), "utf8")).toBe("A");
  });

  it("refuses what is not two paths", () => {
    const call =
      (...args: unknown[]) =>
      () => {
        (addon.exchange as (...a: unknown[]) => void)(...args);
      };
    expect(call(dir)).toThrow(expect.objectContaining({ code: "ERR_MISSING_ARGS" }) as Error);
    expect(call(1, dir)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }) as Error,
    );
    expect(call(`${dir}\0x`, dir)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }) as Error,
    );
  });

  describe("across two file systems", () => {
    let tmpfs: ReturnType<typeof mountTmpfs>;
    beforeEach(() => {
      tmpfs = mountTmpfs(1024 * 1024);
    });
    afterEach(() => {
      tmpfs?.unmount();
    });

    it("is EXDEV (restore refuses such a --scratch before it writes anything)", (context) => {
      if (tmpfs === null) return context.skip("mounting a tmpfs is not permitted here");
      const a = directoryWith("a", "f", "A");
      mkdirSync(join(tmpfs.dir, "b"));
      expect(() => {
        addon.exchange(a, join(tmpfs?.dir ?? "", "b"));
      }).toThrow(expect.objectContaining({ code: "EXDEV" }) as Error);
    });
  });
});

describe("the choice between the exchange and two renames", () => {
  it("the loader gives null when the addon is not there (not built: not Linux, no compiler, --ignore-scripts)", () => {
    expect(loadRenameExchange(join(dir, "rename_exchange.node"))).toBeNull();
  });

  it("the loader gives null for a file that is not an addon", () => {
    const bogus = join(dir, "rename_exchange.node");
    writeFileSync(bogus, "not a shared object");
    expect(loadRenameExchange(bogus)).toBeNull();
  });

  it("RECOVERABLE_TEST_NO_EXCHANGE=1 hides it, for the tests of the two renames", () => {
    const before = process.env["RECOVERABLE_TEST_NO_EXCHANGE"];
    try {
      process.env["RECOVERABLE_TEST_NO_EXCHANGE"] = "1";
      expect(renameExchange()).toBeNull();
      delete process.env["RECOVERABLE_TEST_NO_EXCHANGE"];
      expect(renameExchange()).not.toBeNull();
    } finally {
      if (before !== undefined) process.env["RECOVERABLE_TEST_NO_EXCHANGE"] = before;
    }
  });

  it.each([
    ["ENOSYS", true],
    ["EINVAL", true],
    ["ENOTSUP", true],
    ["EOPNOTSUPP", true],
    ["ENOENT", false],
    ["EXDEV", false],
    ["EBUSY", false],
  ])("an exchange failing with %s falls back to the renames: %s", (code, fallBack) => {
    expect(cannotExchange(Object.assign(new Error(code), { code }))).toBe(fallBack);
  });
});
