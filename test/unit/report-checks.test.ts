// The checks of a drill report (src/report/drill-report.ts, check-findings.ts): every report of
// a release lists the same checks, the rules and probes it did not get to as skipped, and a
// failed store check says what was found rather than which code.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Artifact, Packet } from "../../src/documents/types.js";
import { createFinding } from "../../src/findings/finding.js";
import { evaluateRelease, RELEASE_RULES } from "../../src/policy/rules.js";
import { findingsOfCheck, firstFailure, stageFindings } from "../../src/report/check-findings.js";
import {
  notRunReason,
  policyChecks,
  skippedProbeChecks,
  storeChecks,
} from "../../src/report/drill-report.js";
import { sampleReport } from "../helpers/sample-report.js";
import { SUMMARY_THRESHOLD } from "../../src/report/store-checks.js";
import { checkSchema } from "../../src/documents/schema-validation.js";
import type { JSONValue } from "../../src/documents/strict-json.js";
import type { StageRecord } from "../../src/documents/drill-report.js";

const packet = JSON.parse(
  readFileSync(new URL("../../ops/release/packet/packet.json", import.meta.url), "utf8"),
) as Packet;

const stage = (name: string, status: StageRecord["status"]): StageRecord => ({
  name,
  status,
  startedAt: "2026-11-26T06:49:45.355Z",
  durationMs: 0,
});

describe("policyChecks", () => {
  it("lists every release rule of evaluateRelease, in its order, with its field", () => {
    const outcomes = evaluateRelease(
      JSON.parse(
        readFileSync(new URL("../../ops/datasets/rollback-policy.json", import.meta.url), "utf8"),
      ) as Parameters<typeof evaluateRelease>[0],
      {
        id: "atlas-2026.11.1",
        version: "2026.11.1",
        createdAt: "2026-11-01T00:00:00Z",
        identity: { sha256: "a".repeat(64) },
      },
      { now: new Date("2026-11-26T00:00:00Z"), highWater: null, allowDowngrade: false },
    );
    expect(outcomes.map((o) => ({ rule: o.rule, field: o.field }))).toEqual(RELEASE_RULES);
    expect(policyChecks(outcomes, "not run").map((c) => c.status)).toEqual(
      outcomes.map((o) => (o.passed ? "passed" : "failed")),
    );
  });

  it("lists the rules it did not judge as skipped, with the reason", () => {
    const checks = policyChecks([], 'not run: the stage "check evidence" failed');
    expect(checks.map((c) => [c.name, c.status, c.subject, c.actual])).toEqual(
      RELEASE_RULES.map(({ rule, field }) => [
        `policy ${rule}`,
        "skipped",
        `rollback policy ${field}`,
        'not run: the stage "check evidence" failed',
      ]),
    );
  });
});

describe("skippedProbeChecks", () => {
  it("lists every probe of the packet, as it would be checked, skipped", () => {
    const checks = skippedProbeChecks(packet, "f".repeat(64), "not run");
    expect(checks.map((c) => c.name)).toEqual(packet.probes.map((p) => p.name));
    expect(checks.every((c) => c.status === "skipped" && c.actual === "not run")).toBe(true);
    expect(checks.find((c) => c.name === "release-identity")).toMatchObject({
      subject: "identity /release",
      expected: `the service serves release identity ${"f".repeat(64)}`,
    });
    expect(checks.find((c) => c.name === "catalog")?.subject).toBe("catalog /catalog");
    expect(checks.find((c) => c.name === "cities-largest")?.subject).toMatch(/^sql cities: SELECT/);
  });
});

describe("notRunReason", () => {
  it("names the first stage that failed", () => {
    expect(
      notRunReason([
        stage("check evidence", "passed"),
        stage("restore", "failed"),
        stage("probes", "skipped"),
      ]),
    ).toBe('not run: the stage "restore" failed');
    expect(notRunReason([stage("restore", "skipped")])).toBe("not run");
  });
});

describe("storeChecks", () => {
  const artifact: Artifact = {
    path: "datasets/cities.sqlite",
    kind: "sqlite",
    role: "durable",
    size: 10,
    digest: { sha256: "e9".repeat(32) },
  };

  it("says what was found in a failed check, not the finding's code", () => {
    const found = createFinding("artifact_hash_mismatch", {
      subject: artifact.path,
      expected: "e9".repeat(32),
      actual: "ed".repeat(32),
      message: "bytes differ",
    });
    const [check] = storeChecks([artifact], [found], true);
    expect(check).toMatchObject({ status: "failed", actual: "ed".repeat(32) });
  });

  it("falls back to the message when a finding has no actual value", () => {
    const missing = createFinding("artifact_missing", {
      subject: artifact.path,
      message: "datasets/cities.sqlite: not in the store root",
    });
    expect(storeChecks([artifact], [missing], true)[0]?.actual).toBe(
      "datasets/cities.sqlite: not in the store root",
    );
  });
});

describe("storeChecks at scale", () => {
  const many = (count: number): Artifact[] =>
    Array.from({ length: count }, (_, i) => ({
      path: `files/f${String(i).padStart(6, "0")}.txt`,
      kind: "file" as const,
      role: i % 10 === 0 ? ("reconstructable" as const) : ("durable" as const),
      size: 100,
      digest: { sha256: "ab".repeat(32) },
    }));
  const broken = createFinding("artifact_hash_mismatch", {
    subject: "files/f004321.txt",
    actual: "cd".repeat(32),
    message: "bytes differ",
  });

  it("lists every artifact below the threshold, one check each", () => {
    const checks = storeChecks(many(SUMMARY_THRESHOLD), [broken], true);
    expect(checks).toHaveLength(SUMMARY_THRESHOLD);
    expect(checks.some((c) => c.artifacts !== undefined)).toBe(false);
  });

  it("above it, lists each failure by name and sums the passed checks by role and kind", () => {
    const count = SUMMARY_THRESHOLD + 1;
    const checks = storeChecks(many(count), [broken], true);
    expect(checks.filter((c) => c.status === "failed")).toEqual([
      expect.objectContaining({ name: "files/f004321.txt", actual: "cd".repeat(32) }),
    ]);
    const passed = checks.filter((c) => c.status === "passed");
    expect(passed.map((c) => [c.name, c.subject, c.artifacts])).toEqual([
      ["every other reconstructable file", "reconstructable file", 1001],
      ["every other durable file", "durable file", count - 1001 - 1],
    ]);
    expect(passed[1]?.actual).toBe(`${count - 1002} artifacts: as expected`);
    const report = JSON.parse(JSON.stringify({ ...sampleReport(), checks })) as JSONValue;
    expect(checkSchema("drillReport", report, "report.json")).toEqual([]);
  });

  it("sums the skipped checks of a store that was never checked", () => {
    const checks = storeChecks(many(SUMMARY_THRESHOLD + 1), [], false);
    expect(checks.map((c) => [c.status, c.artifacts])).toEqual([
      ["skipped", 1001],
      ["skipped", SUMMARY_THRESHOLD - 1000],
    ]);
  });
});

describe("check-findings", () => {
  it("ties findings to their checks, and leaves the others to the stages", () => {
    const report = sampleReport();
    const probe = createFinding("probe_failed", { subject: "probe:cities-count", message: "no" });
    const forbidden = createFinding("rollback_forbidden", {
      subject: "ops/datasets/rollback-policy.json#/releases/versionFloor",
      message: "below the floor",
    });
    const notReady = createFinding("service_not_ready", {
      subject: "http://x/readyz",
      message: "exited",
    });
    const withFindings = { ...report, findings: [notReady, probe, forbidden] };
    const checkNamed = (name: string) => {
      const check = report.checks.find((c) => c.name === name);
      if (check === undefined) throw new Error(`no check ${name}`);
      return check;
    };
    expect(findingsOfCheck(checkNamed("cities-count"), withFindings.findings)).toEqual([probe]);
    expect(findingsOfCheck(checkNamed("policy versionFloor"), withFindings.findings)).toEqual([
      forbidden,
    ]);
    expect(stageFindings(withFindings)).toEqual([notReady]);
    expect(firstFailure(withFindings)).toEqual(notReady);
    expect(firstFailure(report)).toBeNull();
  });
});
