// The restore plan without a restore: where the scratch tree, safety copy and lock go for each
// target state and --scratch, and the names a later run recognises.
import { describe, expect, it } from "vitest";
import {
  createRestorePlan,
  lockPathOf,
  RUN_ID,
  runIdOf,
  safetyCopyOf,
  scratchNameOf,
} from "../../src/restore/plan.js";

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
