// seal's planner, flag by flag, without the CLI: the release id and version, SOURCE_DATE_EPOCH,
// the store root from --root or the config, and every finding said at once.
import { describe, expect, it } from "vitest";
import type { DrillConfig } from "../../src/documents/drill-config.js";
import { atlasPaths } from "../../src/documents/evidence-paths.js";
import { failed, type Checked } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import type { Context } from "../../src/verbs/evidence-context.js";
import { planSeal, sealTimeOf, toTimestamp, type SealFlags } from "../../src/verbs/seal-plan.js";

const NOW = new Date("2026-12-07T10:00:00.123Z");

function context(storeRoot: string | null): Checked<Context> {
  const config = { storeRoot, evidence: atlasPaths("/work/ops") } as unknown as DrillConfig;
  return { ok: true, value: { cwd: "/work", config, evidence: config.evidence } };
}

const FLAGS: SealFlags = { releaseId: "atlas-2026.11.1", releaseVersion: "2026.11.1" };

function codesOf(checked: Checked<unknown>): [string, string | undefined][] {
  return checked.ok ? [] : checked.findings.map((f) => [f.code, f.subject]);
}

describe("planSeal", () => {
  it("plans the release at the config's store root, at the clock's time when no epoch is set", () => {
    const plan = planSeal(FLAGS, context("/work/store"), NOW);
    expect(plan).toEqual({
      ok: true,
      value: expect.objectContaining({
        releaseId: "atlas-2026.11.1",
        releaseVersion: "2026.11.1",
        root: "/work/store",
        paths: atlasPaths("/work/ops"),
        time: { date: NOW, epoch: null },
      }),
    });
  });

  it("--root wins over the config, resolved against the working directory", () => {
    const plan = planSeal({ ...FLAGS, root: "data" }, context("/work/store"), NOW);
    expect(plan.ok && plan.value.root).toBe("/work/data");
  });

  it("SOURCE_DATE_EPOCH fixes the time; an empty one is the same as none", () => {
    const fixed = planSeal({ ...FLAGS, sourceDateEpoch: "1793491200" }, context("/s"), NOW);
    expect(fixed.ok && fixed.value.time).toEqual({
      date: new Date(1793491200 * 1000),
      epoch: "1793491200",
    });
    const empty = planSeal({ ...FLAGS, sourceDateEpoch: "" }, context("/s"), NOW);
    expect(empty.ok && empty.value.time.epoch).toBeNull();
  });

  it("no store root anywhere is a usage finding naming --root", () => {
    expect(codesOf(planSeal(FLAGS, context(null), NOW))).toEqual([["usage_invalid", "--root"]]);
  });

  it("a bad release id, version and epoch are all said, with the missing root", () => {
    const flags = { releaseId: "-x", releaseVersion: "1.0", sourceDateEpoch: "soon" };
    expect(codesOf(planSeal(flags, context(null), NOW))).toEqual([
      ["usage_invalid", "--release-id"],
      ["usage_invalid", "--release-version"],
      ["usage_invalid", "SOURCE_DATE_EPOCH"],
      ["usage_invalid", "--root"],
    ]);
  });

  it("a config that did not load is said after the flags' findings", () => {
    const broken = failed<Context>(
      createFinding("document_invalid", { subject: "ops/drill.json", message: "not JSON" }),
    );
    expect(codesOf(planSeal({ ...FLAGS, releaseId: "" }, broken, NOW))).toEqual([
      ["usage_invalid", "--release-id"],
      ["document_invalid", "ops/drill.json"],
    ]);
  });

  it("a bad epoch alone refuses the plan", () => {
    expect(codesOf(planSeal({ ...FLAGS, sourceDateEpoch: "1.5" }, context("/s"), NOW))).toEqual([
      ["usage_invalid", "SOURCE_DATE_EPOCH"],
    ]);
  });
});

describe("sealTimeOf and toTimestamp", () => {
  it("an epoch of more than twelve digits is refused", () => {
    expect(sealTimeOf("1234567890123", NOW).ok).toBe(false);
  });

  it("timestamps drop the fraction of a second", () => {
    expect(toTimestamp(NOW)).toBe("2026-12-07T10:00:00Z");
  });
});
