// seal writes its manifest as it walks the store, a batch of entries at a time (issue 21): the
// file is still formatJSON of the whole manifest in the walk's order, its digest the packet's,
// and a seal that is refused or interrupted halfway leaves nothing behind.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Manifest, Packet } from "../src/documents/types.js";
import { digestOfJSON } from "../src/identity/digest.js";
import { formatJSON } from "../src/util/atomic-write.js";
import { startCLI } from "./helpers/background-cli.js";
import { runCLI } from "./helpers/cli.js";
import { createUnsealedStore } from "./helpers/fixture-store.js";

const SEAL = ["seal", "--json", "--release-id", "fixture-1.2.3", "--release-version", "1.2.3"];
const MANIFEST = "release/evidence/manifest.json";

/** More files than two of seal's batches, with names whose code-point order is not obvious. */
function addFiles(store: string, count: number): void {
  const names = ["B", "a", "a b", "a-b", "a.b", "é", "z10", "z9"];
  for (let i = 0; i < count; i++) {
    const dir = join(store, "bulk", `d${i % 7}`, names[i % names.length] as string);
    if (i < 7 * names.length) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}`), `file ${i}\n`);
  }
}

/** Every path under `root`, depth first, each directory's names in code-point order. */
function walkOrder(root: string, prefix = ""): string[] {
  const names = readdirSync(join(root, prefix)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.flatMap((name) => {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    const isDir = readdirSync(join(root, prefix), { withFileTypes: true })
      .find((d) => d.name === name)
      ?.isDirectory();
    return isDir ? [path, ...walkOrder(root, path)] : [path];
  });
}

/** Every entry under `dir`, with each file's bytes: what a run wrote shows as a difference. */
function treeOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => {
      const path = join(d.parentPath, d.name);
      return d.isFile() ? `${path} ${readFileSync(path).toString("base64")}` : `${path}/`;
    })
    .sort();
}

describe("seal streams its manifest", () => {
  it("writes formatJSON of the manifest in the walk's order, its digest the packet's, over several batches", () => {
    const fixture = createUnsealedStore();
    addFiles(fixture.store, 5000);
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(0);
    const text = readFileSync(join(fixture.ops, MANIFEST), "utf8");
    const manifest = JSON.parse(text) as Manifest;
    expect(text).toBe(formatJSON(manifest));
    expect(manifest.artifacts.map((a) => a.path)).toEqual(walkOrder(fixture.store));
    const packet = JSON.parse(
      readFileSync(join(fixture.ops, "release/packet/packet.json"), "utf8"),
    ) as Packet;
    expect(packet.manifest.digest).toEqual(digestOfJSON(manifest));
    const places = manifest.artifacts.find((a) => a.path === "datasets/places.sqlite");
    expect(packet.datasets).toEqual([
      {
        name: "places",
        path: "datasets/places.sqlite",
        digest: places?.digest,
        catalogEntry: { name: "places", path: "datasets/places.sqlite", title: "Places" },
      },
    ]);
    expect(run.json().findings).toEqual([]);
  });

  it("says the manifest's place cannot be written before walking the store, not after", () => {
    const fixture = createUnsealedStore();
    mkdirSync(join(fixture.ops, "release"), { recursive: true });
    writeFileSync(join(fixture.ops, "release/evidence"), "a file where a folder must be\n");
    // The walk would refuse this symlink; the unwritable place is found first, without a walk.
    symlinkSync("/etc/passwd", fixture.path("datasets/passwd"));
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(3);
    const result = run.json();
    expect(result).toHaveFinding("io_failed", /manifest\.json$/);
    expect(result.findings.map((f) => f.code)).toEqual(["io_failed"]);
    expect(result.findings[0]?.message).toMatch(/a file stands where a folder must be/);
    expect(readFileSync(join(fixture.ops, "release/evidence"), "utf8")).toBe(
      "a file where a folder must be\n",
    );
  });

  it("writes nothing when a database after a batch of files fails its integrity check", () => {
    const fixture = createUnsealedStore();
    addFiles(fixture.store, 2500);
    mkdirSync(fixture.path("zz"));
    const broken = fixture.path("zz/broken.sqlite");
    copyFileSync(fixture.path("datasets/places.sqlite"), broken);
    const bytes = readFileSync(broken);
    bytes.fill(0x5a, 1024, 2048);
    writeFileSync(broken, bytes);
    const before = treeOf(fixture.ops);
    const run = runCLI(SEAL, { cwd: fixture.dir });
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("sqlite_integrity_check_failed", "zz/broken.sqlite");
    // No evidence, no temp file, not even the directories the manifest was staged in.
    expect(treeOf(fixture.ops)).toEqual(before);
  });

  it("leaves nothing behind when interrupted after a batch of the manifest was written", async () => {
    const fixture = createUnsealedStore();
    addFiles(fixture.store, 2500);
    const before = treeOf(fixture.ops);
    const evidence = join(fixture.ops, "release/evidence");
    const cli = startCLI(SEAL, {
      cwd: fixture.dir,
      env: { RECOVERABLE_TEST_PAUSE_AT: "seal-after-batch" },
    });
    await cli.waitForStderr("paused at seal-after-batch");
    const [staged] = readdirSync(evidence);
    expect(staged).toMatch(/^\.manifest\.json\.[0-9a-f]{12}\.tmp$/);
    expect(readFileSync(join(evidence, staged as string), "utf8")).toContain(
      '"path": "bulk/d0/B/f0"',
    );
    cli.kill("SIGINT");
    expect((await cli.exited).code).toBe(130);
    expect(treeOf(fixture.ops)).toEqual(before);
  });
});
