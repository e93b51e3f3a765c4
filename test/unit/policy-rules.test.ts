// The rollback policy's rules, one by one, as pure functions.
import { describe, expect, it } from "vitest";
import type { RollbackPolicy } from "../../src/documents/types.js";
import {
  checkAllowedIds,
  checkDeniedIds,
  checkDowngrade,
  checkDrillSchedule,
  checkMaxAge,
  checkObjective,
  checkVersionFloor,
  evaluateRelease,
  rollbackForbidden,
  type HighWaterMark,
  type ReleaseFacts,
} from "../../src/policy/rules.js";

const policy: RollbackPolicy = {
  schemaVersion: 1,
  releases: {
    versionFloor: "2026.9.0",
    allowedIds: ["atlas-*"],
    deniedIds: ["atlas-2026.10.2"],
    maxAge: "180d",
    allowDowngrade: false,
  },
  objectives: { rpo: "24h", rto: "15m" },
  retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
  drills: { every: "7d" },
};
const now = new Date("2026-11-26T00:00:00Z");
const release = (
  version: string,
  id = `atlas-${version}`,
  identity = "a".repeat(64),
): ReleaseFacts => ({
  id,
  version,
  createdAt: "2026-11-01T00:00:00Z",
  identity: { sha256: identity },
});
const mark = (version: string, allowDowngrade: boolean): HighWaterMark => ({
  releaseId: `atlas-${version}`,
  version,
  identity: { sha256: "b".repeat(64) },
  provenAt: "2026-11-20T00:00:00Z",
  allowDowngrade,
});

describe("release rules", () => {
  it.each([
    ["2026.9.0", true],
    ["2026.11.1", true],
    ["2026.8.9", false],
    ["2026.9.0-rc.1", false], // a prerelease is below its release
    ["not-semver", false],
  ])("versionFloor 2026.9.0 against %s", (version, passed) => {
    const outcome = checkVersionFloor(policy, release(version));
    expect(outcome).toMatchObject({
      rule: "versionFloor",
      field: "/releases/versionFloor",
      passed,
    });
  });

  it("allows ids by glob and denies by glob, naming the pattern", () => {
    expect(checkAllowedIds(policy, release("2026.11.1")).passed).toBe(true);
    const other = checkAllowedIds(policy, release("2026.11.1", "orion-2026.11.1"));
    expect(other.passed).toBe(false);
    expect(other.message).toContain("none of the allowed ids (atlas-*)");
    const denied = checkDeniedIds(policy, release("2026.10.2"));
    expect(denied).toMatchObject({ passed: false, field: "/releases/deniedIds" });
    expect(denied.message).toContain("denied by the policy (atlas-2026.10.2)");
    expect(
      checkAllowedIds(
        {
          ...policy,
          releases: { ...policy.releases, allowedIds: undefined },
        } as unknown as RollbackPolicy,
        release("1.0.0", "x"),
      ).passed,
    ).toBe(true);
  });

  it("measures the release's age from its packet's createdAt, inclusive at the limit", () => {
    const atLimit = new Date(Date.parse("2026-11-01T00:00:00Z") + 180 * 86_400_000);
    expect(checkMaxAge(policy, release("2026.11.1"), atLimit).passed).toBe(true);
    expect(
      checkMaxAge(policy, release("2026.11.1"), new Date(atLimit.getTime() + 1000)).passed,
    ).toBe(false);
  });
});

describe("downgrades against the high-water mark", () => {
  const context = (highWater: HighWaterMark | null, allowDowngrade = false) => ({
    now,
    highWater,
    allowDowngrade,
  });

  it("passes with no mark, at the mark and above it", () => {
    expect(checkDowngrade(policy, release("2026.11.1"), context(null)).passed).toBe(true);
    expect(
      checkDowngrade(
        policy,
        release("2026.11.2", undefined, "b".repeat(64)),
        context(mark("2026.11.2", false)),
      ).passed,
    ).toBe(true);
    expect(
      checkDowngrade(policy, release("2026.12.0"), context(mark("2026.11.2", false))).passed,
    ).toBe(true);
  });

  it("refuses a release below the mark, and says how to allow it when the mark's policy does", () => {
    const refused = checkDowngrade(policy, release("2026.11.1"), context(mark("2026.11.2", true)));
    expect(refused.passed).toBe(false);
    expect(refused.message).toContain("pass --allow-downgrade");
    const strict = checkDowngrade(
      policy,
      release("2026.11.1"),
      context(mark("2026.11.2", false), true),
    );
    expect(strict.passed).toBe(false);
    expect(strict.message).toContain("of atlas-2026.11.2 does not allow downgrades");
  });

  it("lets a downgrade through only with the mark's permission and the operator's flag, marked as overridden", () => {
    const allowed = checkDowngrade(
      policy,
      release("2026.11.1"),
      context(mark("2026.11.2", true), true),
    );
    expect(allowed).toMatchObject({ passed: true, overridden: true });
    // The evidence's own policy saying yes does not matter: the newest proven release decides.
    const permissive = { ...policy, releases: { ...policy.releases, allowDowngrade: true } };
    expect(
      checkDowngrade(permissive, release("2026.11.1"), context(mark("2026.11.2", false), true))
        .passed,
    ).toBe(false);
  });

  it("never lets another release take a proven version, whatever the flags", () => {
    const impostor = checkDowngrade(
      policy,
      release("2026.11.2", undefined, "c".repeat(64)),
      context(mark("2026.11.2", true), true),
    );
    expect(impostor.passed).toBe(false);
    expect(impostor.message).toContain("had another identity");
  });

  it("turns failed rules into rollback_forbidden findings that point at the policy field", () => {
    const outcomes = evaluateRelease(
      policy,
      release("2026.8.0"),
      context(mark("2026.11.2", false)),
    );
    const findings = rollbackForbidden(outcomes, "ops/datasets/rollback-policy.json");
    expect(findings.map((f) => f.subject)).toEqual([
      "ops/datasets/rollback-policy.json#/releases/versionFloor",
      "ops/datasets/rollback-policy.json#/releases/allowDowngrade",
    ]);
    expect(findings.every((f) => f.code === "rollback_forbidden")).toBe(true);
  });
});

describe("objectives and the drill schedule", () => {
  it("compares seen seconds with the targets, inclusive", () => {
    expect(checkObjective(policy, "rto", 900).passed).toBe(true);
    expect(checkObjective(policy, "rto", 900.1).passed).toBe(false);
    expect(checkObjective(policy, "rpo", null)).toMatchObject({
      passed: false,
      actual: "not measured",
    });
  });
  it("wants a proven drill within drills.every", () => {
    expect(checkDrillSchedule(policy, new Date("2026-11-20T00:00:00Z"), now).passed).toBe(true);
    const stale = checkDrillSchedule(policy, new Date("2026-11-18T00:00:00Z"), now);
    expect(stale).toMatchObject({ passed: false, field: "/drills/every" });
    expect(checkDrillSchedule(policy, null, now).actual).toBe("none");
  });
});
