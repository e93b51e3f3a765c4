// The durability step of src/snapshots/take-snapshot.ts: a snapshot's blobs are flushed once
// (coreutils' `sync -f` on the repository, a real child process that records that it ran),
// not file by file; where `sync -f` is missing, each blob and directory is fsynced instead.
// Either way the snapshot that results is complete: every entry's blob holds its bytes, and
// its entries are in the order of the walk though files are copied several at a time.
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SnapshotMetadata } from "../../src/documents/types.js";
import { takeSnapshot } from "../../src/snapshots/take-snapshot.js";
import { walkStore } from "../../src/store/walk-store.js";
import { makeTempDir, removeTempDirs } from "../helpers/temp-dir.js";

afterAll(removeTempDirs);

/** A store of `count` small files in nested directories, two of them with the same bytes. */
function smallFilesStore(count: number): string {
  const root = makeTempDir();
  for (let i = 0; i < count; i++) {
    const dir = join(root, `d${i % 7}`, `e${i % 3}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.bin`), randomBytes(100 + ((i * 37) % 4000)));
  }
  writeFileSync(join(root, "same-a.txt"), "the same bytes\n");
  writeFileSync(join(root, "same-b.txt"), "the same bytes\n");
  return root;
}

/** A `sync` that appends its arguments to a log, then runs the real one. */
function recordingSync(): { command: string; calls: () => string[] } {
  const dir = makeTempDir();
  const log = join(dir, "calls.log");
  const command = join(dir, "sync");
  writeFileSync(log, "");
  writeFileSync(command, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec sync "$@"\n`);
  chmodSync(command, 0o755);
  return {
    command,
    calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

function snapshotOf(repoRoot: string, storeRoot: string, syncCommand: string) {
  return takeSnapshot({
    repoRoot,
    storeRoot,
    label: null,
    evidence: null,
    evidenceFiles: null,
    now: () => new Date(),
    syncCommand,
  });
}

/** Every file entry's blob is in the repository and holds the entry's bytes. */
function expectComplete(repoRoot: string, snapshot: SnapshotMetadata, files: number): void {
  const entries = snapshot.entries.filter((entry) => entry.type === "file");
  expect(entries).toHaveLength(files);
  for (const entry of entries) {
    const sha256 = entry.digest.sha256;
    const bytes = readFileSync(join(repoRoot, "blobs", sha256.slice(0, 2), sha256));
    expect(bytes.length).toBe(entry.size);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sha256);
  }
}

describe("a snapshot's durability", () => {
  it("flushes the repository's file system once per snapshot, not once per file", async () => {
    const store = smallFilesStore(300);
    const repo = join(makeTempDir(), "repo");
    const sync = recordingSync();
    const first = await snapshotOf(repo, store, sync.command);
    expect(first.findings).toEqual([]);
    expect(first.snapshot?.validation.status).toBe("valid");
    expect(sync.calls()).toEqual([`-f ${repo}`]);
    expectComplete(repo, first.snapshot as SnapshotMetadata, 302);
    // Copied several at a time, recorded in the walk's order all the same.
    const walked: string[] = [];
    for await (const entry of walkStore(store)) walked.push(entry.path);
    expect(first.snapshot?.entries.map((entry) => entry.path)).toEqual(walked);
    // Nothing new to store: the blobs found in place are flushed again all the same.
    const second = await snapshotOf(repo, store, sync.command);
    expect(second.snapshot?.validation.status).toBe("valid");
    expect(sync.calls()).toEqual([`-f ${repo}`, `-f ${repo}`]);
  });

  it("fsyncs each blob instead where sync -f is missing, and the snapshot is as complete", async () => {
    const store = smallFilesStore(50);
    const repo = join(makeTempDir(), "repo");
    const taken = await snapshotOf(repo, store, "/nonexistent/sync");
    expect(taken.findings).toEqual([]);
    expect(taken.snapshot?.validation.status).toBe("valid");
    expectComplete(repo, taken.snapshot as SnapshotMetadata, 52);
  });
});
