// src/util/heap-tuning.ts: the command line keeps V8's young generation at its first size, in
// the main thread and in the workers, even though Node resets V8's flags whenever it starts a
// worker thread (which is why each worker sets them again). Run in a child process on the
// build, as the command line runs: flags are the whole process's.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));

/**
 * The child starts a store pool (two workers), then allocates in the main thread with objects
 * that live across collections, as a store check's windows do, and reports the size of the
 * main thread's young generation in MiB.
 */
const CHILD = `
import { getHeapSpaceStatistics } from "node:v8";
const { tuneHeapFor } = await import(${JSON.stringify(`${dist}util/heap-tuning.js`)});
const { StorePool } = await import(${JSON.stringify(`${dist}store/store-pool.js`)});
tuneHeapFor(process.argv.slice(1));
const pool = new StorePool(2);
await pool.probe(process.cwd(), ["."]);
const churn = () => {
  const live = [];
  for (let i = 0; i < 2e6; i++) {
    live.push({ i, text: "x" + i });
    if (live.length > 20000) live.splice(0, 10000);
  }
};
churn();
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 2 ** 20;
await pool.close();
console.log(JSON.stringify({ main: newSpace() }));
`;

/** The main thread's young generation, in MiB, after the child ran with `argv`. */
function youngGeneration(argv: readonly string[]): number {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", CHILD, "--", ...argv], {
    encoding: "utf8",
  });
  return (JSON.parse(out) as { main: number }).main;
}

describe("heap tuning", () => {
  it("keeps verify's young generation small after workers have started", () => {
    // V8 starts with two semi-spaces of 1 MiB and, by default, doubles them as objects survive.
    expect(youngGeneration(["verify", "--root", "store"])).toBeLessThanOrEqual(2);
    expect(youngGeneration(["--json", "verify"])).toBeLessThanOrEqual(2);
  });

  it("keeps a restore's and a drill's small when they copy from a dir: source", () => {
    expect(
      youngGeneration(["restore", "--source", "dir:store", "--target", "t"]),
    ).toBeLessThanOrEqual(2);
    expect(youngGeneration(["--json", "drill", "--source=dir:store"])).toBeLessThanOrEqual(2);
  });

  it("leaves other verbs, and a bare command line, to V8's defaults", () => {
    expect(youngGeneration(["restore", "--source", "tar:x.tgz"])).toBeGreaterThan(4);
    expect(youngGeneration(["drill"])).toBeGreaterThan(4);
    expect(youngGeneration(["--version"])).toBeGreaterThan(4);
  });
});
