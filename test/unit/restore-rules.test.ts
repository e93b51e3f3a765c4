// The pure rules of a restore's safety: which targets are refused, what is done about what a
// killed restore left (every combination of what can be found), and which run a stale lock
// stands for.
import { describe, expect, it } from "vitest";
import { forbiddenScratch, forbiddenTarget, type Protected } from "../../src/restore/guards.js";
import { previousRunOf, type PreviousRun } from "../../src/restore/lock.js";
import { planRecovery, type Leftovers } from "../../src/restore/recover.js";

const places: Protected = {
  cwd: "/home/ops/work",
  home: "/home/ops",
  backup: "/backups/atlas/store",
  evidence: ["/home/ops/work/ops/release/evidence/manifest.json", "/etc/atlas/policy.json"],
};

describe("forbiddenTarget", () => {
  it.each([
    ["/", /root directory/],
    ["/home/ops/work", /working directory/],
    ["/home/ops", /working directory/],
    ["/home", /working directory/],
    ["/backups/atlas/store", /the backup being restored/],
    ["/backups/atlas", /ancestor of the backup/],
    ["/backups/atlas/store/x", /inside the backup/],
    ["/etc/atlas", /holds the evidence \/etc\/atlas\/policy.json/],
  ])("refuses %s", (target, why) => {
    expect(forbiddenTarget(target, places)).toMatch(why);
  });

  it("refuses the home directory and its ancestors when the working directory is elsewhere", () => {
    const elsewhere = { ...places, cwd: "/srv/ops" };
    expect(forbiddenTarget("/home/ops", elsewhere)).toBe("is the home directory");
    expect(forbiddenTarget("/home", elsewhere)).toMatch(/ancestor of the home directory/);
  });

  it.each([
    "/srv/atlas/store",
    "/home/ops/work/restored",
    "/home/ops/work/ops/store",
    "/backups/atlas/store-restored",
    "/backups/other",
  ])("lets %s through", (target) => {
    expect(forbiddenTarget(target, places)).toBeNull();
  });

  it("judges --scratch: never inside the target or the backup", () => {
    expect(forbiddenScratch("/srv/t/tmp", "/srv/t", places)).toMatch(/inside the target/);
    expect(forbiddenScratch("/srv/t", "/srv/t", places)).toMatch(/inside the target/);
    expect(forbiddenScratch("/backups/atlas/store/s", "/srv/t", places)).toMatch(
      /inside the backup/,
    );
    expect(forbiddenScratch("/srv/scratch", "/srv/t", places)).toBeNull();
  });
});

describe("planRecovery", () => {
  const run: PreviousRun = {
    holder: {
      pid: 42,
      host: "vm",
      processStart: null,
      verb: "restore",
      startedAt: "2026-11-26T02:40:12.000Z",
    },
    runId: "20261126T024012Z-1a2b3c",
    phase: "swapping",
    scratchDir: null,
    scratchTree: { dev: "64768", ino: "1234567" },
  };
  const found: Leftovers = {
    target: "/srv/t",
    targetPresent: false,
    targetIsNewTree: false,
    oldStoreAt: null,
    safetyCopy: "/srv/.t.recoverable-safety-20261126T024012Z-1a2b3c",
    scratches: ["/srv/.t.recoverable-restore-20261126T024012Z-1a2b3c"],
    lockTemporaries: [],
    unreachedScratch: null,
  };
  const kinds = (previous: PreviousRun | null, leftovers: Leftovers) =>
    planRecovery(previous, leftovers).map((step) => step.kind);

  it("killed between the renames: takes the lock over, moves the old store back, removes the scratch tree", () => {
    const steps = planRecovery(run, found);
    expect(steps.map((s) => s.kind)).toEqual(["note", "move", "remove"]);
    expect(steps[0]?.done).toBe(
      "took over the lock left by process 42 (restore run 20261126T024012Z-1a2b3c, on host vm, since 2026-11-26T02:40:12.000Z), which is no longer running",
    );
    expect(steps[1]).toMatchObject({ from: found.safetyCopy, to: "/srv/t" });
    expect(steps[1]?.todo).toMatch(/^move the old store back/);
  });

  it("never moves a safety copy over a target that is there, nor when the run had not begun its swap", () => {
    expect(kinds(run, { ...found, targetPresent: true, scratches: [] })).toEqual(["note", "note"]);
    expect(kinds({ ...run, phase: "restoring" }, found)).toEqual(["note", "remove"]);
    expect(kinds({ ...run, phase: null }, found)).toEqual(["note", "remove"]);
  });

  it("with no lock at all, only removes abandoned scratch trees and lock temporaries", () => {
    const steps = planRecovery(null, {
      ...found,
      lockTemporaries: ["/srv/.t.recoverable.lock.break"],
    });
    expect(steps.map((s) => s.kind)).toEqual(["remove", "remove"]);
  });

  const scratch = "/srv/.t.recoverable-restore-20261126T024012Z-1a2b3c";
  const exchanged: Leftovers = {
    ...found,
    targetPresent: true,
    targetIsNewTree: true,
    oldStoreAt: scratch,
    safetyCopy: null,
    scratches: [scratch],
  };

  it("killed after its exchange: the old store, at the scratch tree's name, becomes the safety copy and is never removed", () => {
    const steps = planRecovery(run, exchanged);
    expect(steps.map((s) => s.kind)).toEqual(["note", "move"]);
    expect(steps[1]).toMatchObject({
      from: scratch,
      to: "/srv/.t.recoverable-safety-20261126T024012Z-1a2b3c",
    });
    expect(steps[1]?.done).toMatch(/^moved the old store from .* after exchanging its verified/);
    // A safety copy already there (not a state a run leaves) is not overwritten.
    const both = planRecovery(run, { ...exchanged, safetyCopy: found.safetyCopy });
    expect(both.map((s) => s.kind)).toEqual(["note", "note"]);
    expect(both[1]?.done).toMatch(/the old store is kept at .*recoverable-restore-/);
  });

  it("killed before its swap took effect (the target is not the journaled tree): says so, removes the scratch tree", () => {
    const steps = planRecovery(run, { ...found, targetPresent: true, safetyCopy: null });
    expect(steps.map((s) => s.kind)).toEqual(["note", "note", "remove"]);
    expect(steps[1]?.done).toBe(
      "the interrupted restore was killed before its swap took effect: /srv/t holds the store it held before",
    );
  });

  it("killed after its swap: says where the old store is kept, or only that the swap was done (no old store)", () => {
    const after = planRecovery(run, {
      ...exchanged,
      oldStoreAt: null,
      scratches: [],
      safetyCopy: found.safetyCopy,
    });
    expect(after.map((s) => s.done)).toContain(
      `the interrupted restore had swapped its verified store into /srv/t; the old store is kept at ${found.safetyCopy ?? ""}`,
    );
    const intoAbsent = planRecovery(run, { ...exchanged, oldStoreAt: null, scratches: [] });
    expect(intoAbsent[1]?.done).toBe(
      "the interrupted restore had swapped its verified store into /srv/t",
    );
  });

  it("names a scratch tree it may not remove", () => {
    const steps = planRecovery(
      { ...run, phase: "restoring" },
      {
        ...found,
        targetPresent: true,
        safetyCopy: null,
        scratches: [],
        unreachedScratch: "/mnt/s/.t.recoverable-restore-20261126T024012Z-1a2b3c",
      },
    );
    expect(steps.map((s) => s.kind)).toEqual(["note", "note"]);
    expect(steps[1]?.done).toMatch(/is not beside the target and was not removed/);
  });
});

describe("previousRunOf", () => {
  const holder = {
    pid: 7,
    host: null,
    processStart: null,
    verb: null,
    startedAt: null,
  };

  it("reads a run id and phase, and nothing that is not one", () => {
    expect(
      previousRunOf({
        holder,
        record: { runId: "20261126T024012Z-1a2b3c", phase: "swapping", scratchDir: "/mnt/s" },
      }),
    ).toEqual({
      holder,
      runId: "20261126T024012Z-1a2b3c",
      phase: "swapping",
      scratchDir: "/mnt/s",
      scratchTree: null,
    });
    expect(
      previousRunOf({ holder, record: { runId: "../../etc", phase: "gone", target: "/etc" } }),
    ).toEqual({ holder, runId: null, phase: null, scratchDir: null, scratchTree: null });
    expect(previousRunOf({ holder: null, record: null })).toEqual({
      holder: null,
      runId: null,
      phase: null,
      scratchDir: null,
      scratchTree: null,
    });
  });

  it("reads the journaled scratch tree only as two decimal numbers", () => {
    const read = (scratchTree: unknown) =>
      previousRunOf({ holder, record: { phase: "swapping", scratchTree } }).scratchTree;
    expect(read({ dev: "64768", ino: "18446744073709551615" })).toEqual({
      dev: "64768",
      ino: "18446744073709551615",
    });
    expect(read({ dev: 64768, ino: 12 })).toBeNull();
    expect(read({ dev: "1", ino: "../etc" })).toBeNull();
    expect(read("64768:12")).toBeNull();
    expect(read(null)).toBeNull();
  });

  it("stands for the run a dead run was recovering, when it died recovering", () => {
    const scratchTree = { dev: "2049", ino: "77" };
    const recovering = {
      runId: "20261126T024012Z-1a2b3c",
      phase: "swapping",
      scratchDir: null,
      scratchTree,
    };
    expect(
      previousRunOf({
        holder,
        record: { runId: "20261127T000000Z-ffffff", phase: "restoring", recovering },
      }),
    ).toMatchObject({ runId: "20261126T024012Z-1a2b3c", phase: "swapping", scratchTree });
  });
});
