// The stray walk along a manifest in the store walk's order (src/store/find-unlisted.ts) and
// the order itself (compareWalkOrder): "a.b" sorts before "a/b" as strings, but the walk meets
// everything under "a" first. A manifest in any other order is looked up instead, with the
// same findings; the largest artifacts are the ones a store check starts first.
import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManifestWindows, windowsOf } from "../../src/documents/artifact-windows.js";
import { compareWalkOrder } from "../../src/documents/store-path.js";
import type { Artifact, Manifest } from "../../src/documents/types.js";
import { Largest } from "../../src/store/check-order.js";
import { findUnlisted } from "../../src/store/find-unlisted.js";
import { createPathMatcher } from "../../src/store/path-matcher.js";
import { verifyStore } from "../../src/store/verify-store.js";
import { walkStore } from "../../src/store/walk-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

const EMPTY = createHash("sha256").digest("hex");

function file(root: string, path: string, content = `${path}\n`): Artifact {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
  const sha256 = createHash("sha256").update(content).digest("hex");
  return {
    path,
    kind: "file",
    role: "durable",
    size: Buffer.byteLength(content),
    digest: { sha256 },
  };
}

function dir(root: string, path: string, extra: Partial<Artifact> = {}): Artifact {
  mkdirSync(join(root, path), { recursive: true });
  return { path, kind: "dir", role: "durable", size: 0, digest: { sha256: EMPTY }, ...extra };
}

/** A store whose listed paths test the walk's order, with strays in and around them. */
function buildStore() {
  const root = makeTempDir();
  const listed = [
    dir(root, "a"),
    file(root, "a/b"),
    file(root, "a.b"),
    dir(root, "cache", { role: "disposable" }),
    dir(root, "live", { level: "present" }),
    file(root, "z-last"),
  ];
  writeFileSync(join(root, "a/c"), "stray between a/b and a.b\n");
  writeFileSync(join(root, "a-"), "stray after a/ and before a.b\n");
  writeFileSync(join(root, "cache/stale"), "a disposable directory's own\n");
  writeFileSync(join(root, "live/segment-1"), "a live directory's own\n");
  symlinkSync("/etc", join(root, "live/out"));
  mkdirSync(join(root, "stray-dir/inner"), { recursive: true });
  writeFileSync(join(root, "stray-dir/inner/x"), "only the directory is named\n");
  mkdirSync(join(root, "logs"));
  writeFileSync(join(root, "logs/today.log"), "excluded\n");
  writeFileSync(join(root, "zz-after-all"), "stray after the last artifact\n");
  const sorted = [...listed].sort((x, y) => compareWalkOrder(x.path, y.path));
  return { root, listed: sorted };
}

function writeManifest(artifacts: readonly Artifact[]): string {
  const path = join(makeTempDir(), "manifest.json");
  const manifest: Manifest = { schemaVersion: 1, artifacts: [...artifacts] };
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}

const summary = (findings: { code: string; subject: string }[]) =>
  findings.map((f) => `${f.code} ${f.subject}`);

describe("compareWalkOrder", () => {
  it("orders paths as the store walk meets them, not as strings sort", async () => {
    const { root } = buildStore();
    const walked: string[] = [];
    for await (const entry of walkStore(root)) walked.push(entry.path);
    const shuffled = [...walked].reverse();
    expect(shuffled.sort(compareWalkOrder)).toEqual(walked);
    expect([...walked].sort()).not.toEqual(walked); // "a.b" < "a/b" as strings
    expect(compareWalkOrder("a.b", "a/b")).toBeGreaterThan(0);
    expect(compareWalkOrder("a", "a/b")).toBeLessThan(0);
    expect(compareWalkOrder("a/b", "a/b")).toBe(0);
  });
});

describe("the stray walk along a manifest in the walk's order", () => {
  it("finds the same strays as the lookup, in one pass, keeping disposable and live directories", async () => {
    const { root, listed } = buildStore();
    const windows = await ManifestWindows.open(writeManifest(listed));
    expect(windows?.inWalkOrder).toBe(true);
    const excluded = createPathMatcher(["logs/**", "logs"]);
    const along = await findUnlisted(root, windows as ManifestWindows, false, undefined, excluded);
    const lookedUp = await findUnlisted(root, listed, false, undefined, excluded);
    expect(summary(along)).toEqual([
      "unexpected_artifact a/c",
      "unexpected_artifact a-",
      "path_escapes_root live/out",
      "unexpected_artifact stray-dir",
      "unexpected_artifact zz-after-all",
    ]);
    expect(summary(along)).toEqual(summary(lookedUp));
  });

  it("refuses the walk's order for a manifest that is out of it, or lists a path twice", async () => {
    const { listed } = buildStore();
    const plainOrder = [...listed].sort((x, y) => (x.path < y.path ? -1 : 1)); // "a.b" before "a/b"
    expect(await ManifestWindows.open(writeManifest(plainOrder))).toBeNull();
    const twice = [...listed, listed[listed.length - 1] as Artifact];
    expect(await ManifestWindows.open(writeManifest(twice))).toBeNull();
  });

  it("checks a store through windows read from the file, as through the parsed manifest", async () => {
    const { root, listed } = buildStore();
    const windows = (await ManifestWindows.open(writeManifest(listed))) as ManifestWindows;
    const streamed = await verifyStore(root, windows, { strict: true });
    const parsed = await verifyStore(
      root,
      { schemaVersion: 1, artifacts: listed },
      { strict: true },
    );
    expect(summary(streamed.findings)).toEqual(summary(parsed.findings));
    expect(streamed.checked).toEqual(parsed.checked);
    expect(streamed.findings.length).toBeGreaterThan(0);
  });

  it("fails a pass that reads other bytes than the first pass checked", async () => {
    const { listed } = buildStore();
    const path = writeManifest(listed);
    const windows = (await ManifestWindows.open(path)) as ManifestWindows;
    writeFileSync(path, JSON.stringify({ schemaVersion: 1, artifacts: listed.slice(1) }));
    await expect(windows.forEachWindow(2, () => undefined)).rejects.toMatchObject({
      code: "document_invalid",
    });
  });

  it("hands out the windows of artifacts in memory in manifest order", async () => {
    const { listed } = buildStore();
    const seen: [number, string][] = [];
    await windowsOf(listed).forEachWindow(4, (start, list) => {
      list.forEach((a, i) => seen.push([start + i, a.path]));
    });
    expect(seen).toEqual(listed.map((a, i) => [i, a.path]));
  });
});

describe("Largest", () => {
  it("keeps the k largest, the largest first, the earlier first among equals", () => {
    const largest = new Largest(3);
    const sizes = [5, 100, 7, 100, 1, 2000, 6];
    sizes.forEach((size, index) => {
      largest.offer(index, {
        path: `f${index}`,
        kind: "file",
        role: "durable",
        size,
        digest: { sha256: EMPTY },
      });
    });
    expect(largest.list().map((entry) => entry.index)).toEqual([5, 1, 3]);
  });
});
