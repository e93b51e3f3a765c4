// The restore plan without a restore: where the scratch tree, safety copy and lock go for each
// target state and --scratch, and the names a later run recognises.
import { describe, expect, it } from "vitest";
import {
  createRestorePlan,
  createUndoPlan,
  lockPathOf,
  RUN_ID,
  runIdOf,
  safetyCopyOf,
  scratchNameOf,
} from "../../src/restore/plan.js";
import { isCarriablePath } from "../../src/restore/carry.js";
import { judgeTarget, modeOf, selectArtifacts } from "../../src/restore/request.js";
import { listedIndexOf } from "../../src/restore/unlisted.js";
import type { Artifact } from "../../src/documents/types.js";

const NOW = new Date("2026-11-26T02:00:00.123Z");
const base = {
  source: "/backups/atlas.tar",
  target: "/srv/atlas/store",
  now: NOW,
  nonce: "0a1b2c",
};

describe("createRestorePlan", () => {
  it("over a non-empty target: scratch and safety copy beside it, the swap moves the old store aside", () => {
    const plan = createRestorePlan({ ...base, targetState: "non-empty" });
    expect(plan).toMatchObject({
      runId: "20261126T020000Z-0a1b2c",
      scratch: "/srv/atlas/.store.recoverable-restore-20261126T020000Z-0a1b2c",
      safetyCopy: "/srv/atlas/.store.recoverable-safety-20261126T020000Z-0a1b2c",
      lock: "/srv/atlas/.store.recoverable.lock",
    });
    expect(plan.steps).toEqual([
      "lock /srv/atlas/.store.recoverable.lock",
      `extract /backups/atlas.tar into ${plan.scratch}`,
      "fsync every restored file and directory",
      `verify ${plan.scratch} against the manifest`,
      "journal the swap in /srv/atlas/.store.recoverable.lock",
      `swap: move the current /srv/atlas/store to ${plan.safetyCopy ?? ""} (the safety copy), then rename ${plan.scratch} to /srv/atlas/store`,
      "fsync /srv/atlas",
      "unlock",
    ]);
  });

  it("an empty target is kept as a safety copy too; an absent one has none and is a plain rename", () => {
    expect(createRestorePlan({ ...base, targetState: "empty" }).safetyCopy).not.toBeNull();
    const absent = createRestorePlan({ ...base, targetState: "absent" });
    expect(absent.safetyCopy).toBeNull();
    expect(absent.steps[5]).toBe(`swap: rename ${absent.scratch} to /srv/atlas/store`);
  });

  it("--scratch moves only the scratch tree; the safety copy and lock stay beside the target", () => {
    const plan = createRestorePlan({ ...base, targetState: "non-empty", scratchDir: "/fast/tmp" });
    expect(plan.scratch).toBe("/fast/tmp/.store.recoverable-restore-20261126T020000Z-0a1b2c");
    expect(plan.safetyCopy).toBe(safetyCopyOf("/srv/atlas/store", plan.runId));
    expect(plan.lock).toBe(lockPathOf("/srv/atlas/store"));
  });
});

describe("the names a later run recognises", () => {
  it("a run id is the UTC second and the nonce, and RUN_ID accepts only that shape", () => {
    const id = runIdOf(NOW, "ffffff");
    expect(id).toBe("20261126T020000Z-ffffff");
    expect(RUN_ID.test(id)).toBe(true);
    for (const other of [
      "20261126T020000Z-FFFFFF",
      "20261126T020000Z-fffff",
      "../x",
      "2026-11-26T02:00:00Z-ffffff",
    ])
      expect(RUN_ID.test(other), other).toBe(false);
  });

  it("derives every name from the target's own name", () => {
    expect(lockPathOf("/a/b/store")).toBe("/a/b/.store.recoverable.lock");
    expect(scratchNameOf("/a/b/store", "R")).toBe(".store.recoverable-restore-R");
    expect(safetyCopyOf("/a/b/store", "R")).toBe("/a/b/.store.recoverable-safety-R");
  });
});

describe("what the release does not list, in the plan", () => {
  const unlisted = ["logs", "sources"];
  it("is carried over before the swap by default, and listed", () => {
    const plan = createRestorePlan({ ...base, targetState: "non-empty", unlisted });
    expect(plan.carriedOver).toEqual(unlisted);
    expect(plan.setAside).toEqual([]);
    const journal = plan.steps.indexOf("journal the swap in /srv/atlas/.store.recoverable.lock");
    expect(plan.steps[journal + 1]).toBe(
      `carry over what the release does not list from /srv/atlas/store into ${plan.scratch} (renamed, journaled): logs, sources`,
    );
    expect(plan.steps[journal + 2]).toMatch(/^swap: /);
  });

  it("--set-aside-unlisted: set aside with the old store, said after the swap", () => {
    const plan = createRestorePlan({
      ...base,
      targetState: "non-empty",
      unlisted,
      setAsideUnlisted: true,
    });
    expect(plan).toMatchObject({ carriedOver: [], setAside: unlisted });
    expect(plan.steps).toContain(
      "set aside what the release does not list, with the old store in the safety copy (--set-aside-unlisted): logs, sources",
    );
  });

  it("an empty or absent target has nothing to carry", () => {
    for (const targetState of ["empty", "absent"] as const)
      expect(createRestorePlan({ ...base, targetState, unlisted }).carriedOver).toEqual([]);
  });
});

describe("listedIndexOf: what a restore counts as listed", () => {
  const artifact = (
    path: string,
    kind: Artifact["kind"],
    extra: Partial<Artifact> = {},
  ): Artifact => ({
    path,
    kind,
    role: "durable",
    size: 0,
    digest: { sha256: "0".repeat(64) },
    ...extra,
  });
  const index = listedIndexOf([
    artifact("datasets", "dir"),
    artifact("datasets/places.sqlite", "sqlite"),
    artifact("catalog.json", "json"),
    artifact("cache", "dir", { role: "disposable" }),
    artifact("uploads", "dir", { level: "present" }),
  ]);

  it("a listed path, a sidecar of a listed database, and what an owning directory holds", () => {
    for (const path of [
      "catalog.json",
      "datasets/places.sqlite",
      "datasets/places.sqlite-wal",
      "datasets/places.sqlite-shm",
      "datasets/places.sqlite-journal",
      "cache",
      "cache/anything/deep",
      "uploads/a.png",
    ])
      expect(index.listed(path), path).toBe(true);
    for (const path of ["catalog.json-wal", "datasets/notes.txt", "sources", "datasetsx"])
      expect(index.listed(path), path).toBe(false);
  });

  it("walks into a plain listed directory and a directory above a listed path, not into one that owns its contents", () => {
    const nested = listedIndexOf([artifact("a/b/c.json", "json")]);
    expect(nested.walkInto("a")).toBe(true);
    expect(nested.walkInto("a/b")).toBe(true);
    expect(index.walkInto("datasets")).toBe(true);
    expect(index.walkInto("cache")).toBe(false);
    expect(index.walkInto("sources")).toBe(false);
  });
});

describe("isCarriablePath: what a journal may name", () => {
  it("accepts a relative store path and nothing that could leave a root", () => {
    expect(isCarriablePath("sources")).toBe(true);
    expect(isCarriablePath("datasets/notes.txt")).toBe(true);
    for (const bad of ["", "/etc", "../x", "a/../../x", "a//b", "./a", "a/", "a\0b", 3, null])
      expect(isCarriablePath(bad), String(bad)).toBe(false);
  });
});

describe("modeOf: which restore the flags ask for", () => {
  const target = "live";
  const findingOf = (flags: Parameters<typeof modeOf>[0]) => {
    const mode = modeOf(flags);
    return mode.ok ? null : mode.findings[0];
  };

  it("a restore needs --source, and takes its flags as given", () => {
    expect(findingOf({ target })).toMatchObject({ code: "usage_invalid", subject: "--source" });
    expect(modeOf({ target, source: "dir:s", force: true, only: ["a/*"] })).toEqual({
      ok: true,
      value: {
        kind: "restore",
        source: "dir:s",
        dryRun: false,
        force: true,
        only: ["a/*"],
        setAsideUnlisted: false,
      },
    });
  });

  it("--recover takes none of the restore's flags", () => {
    expect(modeOf({ target, recover: true })).toEqual({ ok: true, value: { kind: "recover" } });
    for (const extra of [
      { source: "dir:s" },
      { dryRun: true },
      { force: true },
      { undo: true },
      { only: ["x"] },
      { setAsideUnlisted: true },
    ])
      expect(findingOf({ target, recover: true, ...extra })).toMatchObject({
        subject: "--recover",
      });
  });

  it("--undo takes --dry-run and names every flag it does not take", () => {
    expect(modeOf({ target, undo: true, dryRun: true })).toEqual({
      ok: true,
      value: { kind: "undo", dryRun: true },
    });
    const finding = findingOf({ target, undo: true, source: "dir:s", force: true });
    expect(finding).toMatchObject({ code: "usage_invalid", subject: "--undo" });
    expect(finding?.message).toMatch(/without --source, --force$/);
    expect(findingOf({ target, undo: true, only: [] })).toBeNull();
  });

  it("--only needs a glob and leaves the rest in place, so no --set-aside-unlisted", () => {
    expect(findingOf({ target, source: "dir:s", only: [" "] })).toMatchObject({
      subject: "--only",
    });
    expect(
      findingOf({ target, source: "dir:s", only: ["a"], setAsideUnlisted: true }),
    ).toMatchObject({ subject: "--set-aside-unlisted" });
  });
});

describe("judgeTarget", () => {
  it("a non-empty target needs --force; a file is no target; the state is kept for the plan", () => {
    expect(judgeTarget("non-empty", "/t", false)).toMatchObject({
      state: "non-empty",
      stop: { code: "target_not_empty" },
    });
    expect(judgeTarget("non-empty", "/t", true)).toEqual({ state: "non-empty", stop: null });
    expect(judgeTarget("absent", "/t", false)).toEqual({ state: "absent", stop: null });
    expect(judgeTarget("not-a-directory", "/t", true)).toMatchObject({
      state: null,
      stop: { code: "usage_invalid", subject: "--target" },
    });
  });
});

describe("createUndoPlan", () => {
  const from = "/srv/atlas/.store.recoverable-safety-20261125T010000Z-aaaaaa";
  it("swaps the safety copy in as a verified tree, and what the target holds becomes this run's safety copy", () => {
    const plan = createUndoPlan({
      target: base.target,
      from,
      targetState: "non-empty",
      now: NOW,
      nonce: "0a1b2c",
      exchange: true,
    });
    expect(plan).toMatchObject({ source: from, scratch: from, carriedOver: [], setAside: [] });
    expect(plan.safetyCopy).toBe(safetyCopyOf(base.target, plan.runId));
    expect(plan.steps[1]).toBe(
      `undo: put the newest safety copy ${from} back into /srv/atlas/store; what /srv/atlas/store holds now becomes the safety copy`,
    );
    expect(plan.steps[3]).toMatch(/^swap: exchange .* in one step/);
  });

  it("into an absent target: one rename, no safety copy", () => {
    const plan = createUndoPlan({
      target: base.target,
      from,
      targetState: "absent",
      now: NOW,
      nonce: "0a1b2c",
    });
    expect(plan.safetyCopy).toBeNull();
    expect(plan.steps[3]).toBe(`swap: rename ${from} to /srv/atlas/store`);
  });
});

describe("selectArtifacts: what --only restores", () => {
  const artifact = (path: string): Artifact => ({
    path,
    kind: "file",
    role: "durable",
    size: 0,
    digest: { sha256: "0".repeat(64) },
  });
  const artifacts = ["datasets/a.sqlite", "datasets/b.sqlite", ".hidden/c.json"].map(artifact);

  it("every artifact some glob matches, dotfiles too, in manifest order", () => {
    const selected = selectArtifacts(["datasets/b.*", "**/*.json"], artifacts);
    expect(selected.ok && selected.value.map((a) => a.path)).toEqual([
      "datasets/b.sqlite",
      ".hidden/c.json",
    ]);
  });

  it("a finding for each glob that matches nothing, naming it", () => {
    const selected = selectArtifacts(["datasets/a.sqlite", "nope/*", "x"], artifacts);
    expect(selected.ok).toBe(false);
    expect(selected.ok ? [] : selected.findings.map((f) => [f.code, f.subject, f.actual])).toEqual([
      ["usage_invalid", "--only", "nope/*"],
      ["usage_invalid", "--only", "x"],
    ]);
  });
});
