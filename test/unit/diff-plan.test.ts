// What `snapshots diff <from> [<to>]` compares, from its arguments and flags (pure).
import { describe, expect, it } from "vitest";
import { planDiff, type DiffFlags } from "../../src/snapshots/diff-plan.js";

function plan(flags: Omit<DiffFlags, "cwd">) {
  const planned = planDiff({ ...flags, cwd: "/work" });
  return planned.ok
    ? planned.value
    : planned.findings.map((f) => ({ code: f.code, subject: f.subject, message: f.message }));
}

describe("planDiff", () => {
  it("compares an id in --repo with the live store root: --root, else the drill config's", () => {
    expect(plan({ from: "latest", repo: "repo" })).toEqual({
      from: { repo: "/work/repo", wanted: "latest" },
      to: { kind: "dir", root: null },
    });
    expect(plan({ from: "golden", repo: "/r", root: "store" })).toEqual({
      from: { repo: "/r", wanted: "golden" },
      to: { kind: "dir", root: "/work/store" },
    });
  });

  it("takes snapshot:<repo>#<x> as the first side, #latest when it names no snapshot", () => {
    expect(plan({ from: "snapshot:b#golden" })).toMatchObject({
      from: { repo: "/work/b", wanted: "golden" },
    });
    expect(plan({ from: "snapshot:b" })).toMatchObject({
      from: { repo: "/work/b", wanted: "latest" },
    });
    expect(plan({ from: "snapshot:b#" })).toMatchObject({
      from: { repo: "/work/b", wanted: "latest" },
    });
  });

  it("compares with dir:<path>, snapshot:<repo>#<x>, or an id in the first side's repository", () => {
    expect(plan({ from: "a", to: "dir:copy", repo: "r" })).toMatchObject({
      to: { kind: "dir", root: "/work/copy" },
    });
    expect(plan({ from: "a", to: "snapshot:/other#b", repo: "r" })).toMatchObject({
      to: { kind: "snapshot", target: { repo: "/other", wanted: "b" } },
    });
    expect(plan({ from: "snapshot:r#a", to: "b" })).toMatchObject({
      to: { kind: "snapshot", target: { repo: "/work/r", wanted: "b" } },
    });
  });

  it("refuses a first side that is no snapshot, a bare id without --repo, --repo twice, --root with a second side, and sources it cannot compare", () => {
    expect(plan({ from: "dir:store", repo: "r" })).toMatchObject([
      { code: "usage_invalid", subject: "dir:store" },
    ]);
    expect(plan({ from: "a" })).toMatchObject([
      { subject: "--repo", message: expect.stringContaining("snapshot:<repo>#a") },
    ]);
    expect(plan({ from: "snapshot:r#a", repo: "r" })).toMatchObject([{ subject: "--repo" }]);
    expect(plan({ from: "a", to: "dir:x", repo: "r", root: "s" })).toMatchObject([
      { subject: "--root" },
    ]);
    expect(plan({ from: "a", to: "tar:x.tar", repo: "r" })).toMatchObject([
      { subject: "tar:x.tar" },
    ]);
    expect(plan({ from: "a", to: "restic:/r#latest", repo: "r" })).toMatchObject([
      { subject: "restic:/r#latest" },
    ]);
    expect(plan({ from: "a", to: "dir:", repo: "r" })).toMatchObject([{ subject: "dir:" }]);
  });
});
