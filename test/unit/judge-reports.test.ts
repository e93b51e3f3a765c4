// gate's drill requirement without the CLI: each signed report judged in order (subject,
// verdict, age, RTO, RPO, sampled), then which reports count, one per trusted key, and which failure
// names what to fix when too few do.
import { describe, expect, it } from "vitest";
import type { RollbackPolicy } from "../../src/documents/types.js";
import { createFinding } from "../../src/findings/finding.js";
import {
  decideDrills,
  judgeReport,
  toGateReport,
  unverified,
  type JudgedReport,
} from "../../src/gate/judge-reports.js";
import type { ReleaseFacts } from "../../src/policy/rules.js";
import type { SignedReport } from "../../src/report/trusted-reports.js";

const IDENTITY = "a".repeat(64);
const OTHER = "b".repeat(64);
const NOW = new Date("2026-12-01T12:00:00Z");
const release: ReleaseFacts = {
  id: "atlas-2026.11.1",
  version: "2026.11.1",
  createdAt: "2026-11-01T00:00:00Z",
  identity: { sha256: IDENTITY },
};
const policy: RollbackPolicy = {
  schemaVersion: 1,
  releases: { versionFloor: "2026.1.0", deniedIds: [], maxAge: "90d", allowDowngrade: false },
  objectives: { rpo: "1h", rto: "15m" },
  retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
  drills: { every: "7d" },
};

function report(change: Partial<SignedReport> = {}): SignedReport {
  return {
    file: "reports/r.dsse.json",
    keyId: "k1".padEnd(64, "0"),
    releaseId: release.id,
    releaseIdentity: IDENTITY,
    verdict: "proven",
    scenario: null,
    sampled: null,
    finishedAt: new Date("2026-11-30T12:00:00Z"),
    seenSeconds: { rto: 300, rpo: 1800 },
    ...change,
  };
}

const codes = (judged: JudgedReport) => judged.failures.map((f) => f.code);

describe("judgeReport", () => {
  it("passes a proven report about this release, fresh and within both objectives", () => {
    const judged = judgeReport(report(), release, policy, NOW);
    expect(judged.failures).toEqual([]);
    expect(judged.reached).toBe(7);
    expect(judged.keyId).toBe(report().keyId);
  });

  it("names another release's report, and counts how far it got (the signature only)", () => {
    const judged = judgeReport(
      report({ releaseIdentity: OTHER, releaseId: "atlas-2026.10.0" }),
      release,
      policy,
      NOW,
    );
    expect(codes(judged)).toEqual(["report_subject_mismatch"]);
    expect(judged.reached).toBe(1);
    expect(judged.failures[0]?.message).toContain(
      "about release atlas-2026.10.0 sha256:bbbbbbbbbbbb…",
    );
    expect(judged.failures[0]?.expected).toBe(IDENTITY);
  });

  it("refuses a verdict other than proven, quoting it", () => {
    const judged = judgeReport(report({ verdict: "not_proven" }), release, policy, NOW);
    expect(codes(judged)).toEqual(["report_not_proven"]);
    expect(judged.reached).toBe(2);
    expect(judged.failures[0]?.message).toContain('verdict is "not_proven"');
    expect(judgeReport(report({ verdict: 7 }), release, policy, NOW).failures[0]?.actual).toBe("7");
  });

  it("finds a report stale past the schedule, without a finishedAt, or from a clock far ahead", () => {
    const old = judgeReport(
      report({ finishedAt: new Date("2026-11-20T12:00:00Z") }),
      release,
      policy,
      NOW,
    );
    expect(codes(old)).toEqual(["report_stale"]);
    expect(old.failures[0]?.actual).toBe("11d ago");
    expect(old.reached).toBe(3);
    const none = judgeReport(report({ finishedAt: null }), release, policy, NOW);
    expect(none.failures[0]?.actual).toBe("no finishedAt");
    const ahead = judgeReport(
      report({ finishedAt: new Date("2026-12-01T12:06:00Z") }),
      release,
      policy,
      NOW,
    );
    expect(ahead.failures[0]?.message).toMatch(/in the future: the drill's clock was wrong/);
    // Within the five minutes a trusted clock may be ahead, it is believed.
    const skewed = judgeReport(
      report({ finishedAt: new Date("2026-12-01T12:04:00Z") }),
      release,
      policy,
      NOW,
    );
    expect(skewed.failures).toEqual([]);
  });

  it("finds the RTO and RPO over target, and not measured as not within target", () => {
    const slow = judgeReport(
      report({ seenSeconds: { rto: 1200, rpo: 1800 } }),
      release,
      policy,
      NOW,
    );
    expect(codes(slow)).toEqual(["rto_exceeded"]);
    expect(slow.failures[0]?.message).toContain("over target");
    expect(slow.reached).toBe(4);
    const live = judgeReport(
      report({ seenSeconds: { rto: 300, rpo: null } }),
      release,
      policy,
      NOW,
    );
    expect(codes(live)).toEqual(["rpo_exceeded"]);
    expect(live.failures[0]?.message).toMatch(/measured no RPO/);
    expect(live.failures[0]?.hint).toMatch(/--source <src>.*RPO/);
    expect(live.reached).toBe(5);
    const neither = judgeReport(
      report({ seenSeconds: { rto: null, rpo: null } }),
      release,
      policy,
      NOW,
    );
    expect(codes(neither)).toEqual(["rto_exceeded", "rpo_exceeded"]);
    expect(neither.failures[0]?.message).toMatch(/measured no RTO/);
  });

  it("keeps every failure, and counts only the checks before the first", () => {
    const judged = judgeReport(
      report({ releaseIdentity: OTHER, verdict: "could_not_run", finishedAt: null }),
      release,
      policy,
      NOW,
    );
    expect(codes(judged)).toEqual(["report_subject_mismatch", "report_not_proven", "report_stale"]);
    expect(judged.reached).toBe(1);
  });
});

describe("judgeReport, a sampled drill (/drills/allowSampled)", () => {
  const sampled = report({ sampled: "50% (seed 3)" });

  it("refuses a sampled report under a policy that does not allow sampled drills, saying what to do", () => {
    const judged = judgeReport(sampled, release, policy, NOW);
    expect(codes(judged)).toEqual(["drill_sampled"]);
    expect(judged.reached).toBe(6);
    expect(judged.failures[0]).toMatchObject({
      subject: "reports/r.dsse.json",
      actual: "sampled 50% (seed 3)",
      failureClass: "not_proven",
    });
    expect(judged.failures[0]?.message).toMatch(
      /sampled \(--sample 50% \(seed 3\)\).*run a drill without --sample, or set drills\.allowSampled to true/,
    );
    const explicit = { ...policy, drills: { every: "7d", allowSampled: false } };
    expect(codes(judgeReport(sampled, release, explicit, NOW))).toEqual(["drill_sampled"]);
  });

  it("counts it when the policy allows sampled drills, and says it was sampled", () => {
    const allowing = { ...policy, drills: { every: "7d", allowSampled: true } };
    const judged = judgeReport(sampled, release, allowing, NOW);
    expect(judged.failures).toEqual([]);
    const decision = decideDrills([judged], 1, 1, "reports/");
    expect(decision.requirement.passed).toBe(true);
    expect(decision.requirement.why).toMatch(
      /, sampled 50% \(seed 3\) as \/drills\/allowSampled allows\) is signed/,
    );
  });

  it("names drill_sampled as the failure to fix when the sampled report is the closest candidate", () => {
    const decision = decideDrills(
      [
        judgeReport(sampled, release, policy, NOW),
        judgeReport(
          report({ keyId: "k2".padEnd(64, "0"), verdict: "not_proven" }),
          release,
          policy,
          NOW,
        ),
      ],
      1,
      2,
      "reports/",
    );
    expect(decision.requirement.passed).toBe(false);
    expect(decision.findings.map((f) => f.code)).toEqual(["drill_sampled"]);
  });
});

describe("unverified and toGateReport", () => {
  it("a report that did not verify fails at the signature, before every other check", () => {
    const finding = createFinding("report_signature_invalid", {
      subject: "r.dsse.json",
      message: "bad signature",
    });
    const judged = unverified("/tmp/../tmp/r.dsse.json", finding);
    expect(judged).toMatchObject({ keyId: null, finishedAt: null, reached: 0 });
    expect(judged.failures).toEqual([finding]);
    expect(toGateReport(judged)).toEqual({ file: judged.file, keyId: "", finishedAt: null });
  });

  it("reports the file, key and finishing time as the result lists them", () => {
    expect(toGateReport(judgeReport(report(), release, policy, NOW))).toEqual({
      file: "reports/r.dsse.json",
      keyId: report().keyId,
      finishedAt: "2026-11-30T12:00:00.000Z",
    });
  });
});

const judged = (key: string, day: number, change: Partial<SignedReport> = {}) =>
  judgeReport(
    report({
      file: `reports/${key}-${day}.dsse.json`,
      keyId: key.padEnd(64, "0"),
      finishedAt: new Date(`2026-11-${String(day).padStart(2, "0")}T12:00:00Z`),
      ...change,
    }),
    release,
    policy,
    NOW,
  );

describe("decideDrills", () => {
  it("passes with one qualifying report, naming it", () => {
    const decision = decideDrills([judged("k1", 30)], 1, 1, "reports/");
    expect(decision.requirement.passed).toBe(true);
    expect(decision.requirement.why).toMatch(
      /^reports\/k1-30\.dsse\.json \(key k10000000000…, finished 2026-11-30T12:00:00\.000Z\) is signed/,
    );
    expect(decision.findings).toEqual([]);
  });

  it("counts one report per key, the newest, toward the threshold", () => {
    const decision = decideDrills(
      [judged("k1", 28), judged("k1", 30), judged("k2", 29)],
      2,
      2,
      "reports/",
    );
    expect(decision.requirement.passed).toBe(true);
    expect(decision.counted.map((r) => r.file)).toEqual([
      "reports/k1-30.dsse.json",
      "reports/k2-29.dsse.json",
    ]);
    expect(decision.requirement.why).toMatch(/^2 reports by different trusted keys/);
  });

  it("with two reports by the same key and a threshold of 2, fails with no_drill_report", () => {
    const decision = decideDrills([judged("k1", 28), judged("k1", 30)], 2, 2, "reports/");
    expect(decision.requirement.passed).toBe(false);
    expect(decision.findings.map((f) => f.code)).toEqual(["no_drill_report"]);
    expect(decision.findings[0]?.message).toBe(
      "1 report by different trusted keys qualifies, --threshold needs 2",
    );
    expect(decision.findings[0]?.actual).toBe("1");
  });

  it("says when too few trusted keys were given to ever reach the threshold", () => {
    const decision = decideDrills([], 3, 2, "reports/");
    expect(decision.findings[0]?.message).toBe("no signed drill report was found (reports/)");
    const some = decideDrills([judged("k1", 30)], 3, 2, "reports/");
    expect(some.findings[0]?.message).toBe(
      "1 report by different trusted keys qualifies, --threshold needs 3, and only 2 trusted keys are given",
    );
    const one = decideDrills([judged("k1", 30), judged("k2", 30)], 3, 1, "reports/");
    expect(one.findings[0]?.message).toMatch(
      /2 reports .* qualify, .*only 1 trusted key is given$/,
    );
    expect(one.findings[0]?.expected).toBe("3 qualifying reports, each by a different trusted key");
  });

  it("names the closest failing candidate's first failure: furthest, then fewest failures, then newest", () => {
    const decision = decideDrills(
      [
        judged("k1", 30, { releaseIdentity: OTHER }),
        judged("k2", 29, { seenSeconds: { rto: 3600, rpo: 1800 } }),
        judged("k3", 30, { verdict: "not_proven" }),
      ],
      1,
      3,
      "reports/",
    );
    expect(decision.requirement.passed).toBe(false);
    expect(decision.findings.map((f) => f.code)).toEqual(["rto_exceeded"]);
    expect(decision.requirement.why).toBe(decision.findings[0]?.message);

    const tie = decideDrills(
      [
        judged("k1", 20, { seenSeconds: { rto: null, rpo: null } }),
        judged("k2", 21, { seenSeconds: { rto: 3600, rpo: 1800 } }),
        judged("k3", 19, { seenSeconds: { rto: 3600, rpo: 1800 } }),
      ],
      1,
      3,
      "reports/",
    );
    // All three reach the RTO check; k1 has two failures, and of k2 and k3 the newer wins.
    expect(tie.findings[0]?.subject).toBe("reports/k2-21.dsse.json");
  });

  it("adds the closest candidate's failure after no_drill_report when some reports counted", () => {
    const decision = decideDrills(
      [judged("k1", 30), judged("k2", 30, { verdict: "not_proven" })],
      2,
      2,
      "reports/",
    );
    expect(decision.findings.map((f) => f.code)).toEqual(["no_drill_report", "report_not_proven"]);
  });

  it("does not name a failing report by a key that already counted", () => {
    const decision = decideDrills(
      [judged("k1", 30), judged("k1", 29, { verdict: "not_proven" })],
      2,
      2,
      "reports/",
    );
    expect(decision.findings.map((f) => f.code)).toEqual(["no_drill_report"]);
  });
});
