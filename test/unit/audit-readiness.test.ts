// The audit's third answer without the CLI, from the committed example's packet: readiness
// checked by the service or an HTTP probe, an identity probe, a query probe per dataset, and
// the last passing drill of this release, signed by a trusted key, within the schedule.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DrillEvidence } from "../../src/audit/drill-evidence.js";
import {
  answerReadiness,
  lastPassingDrill,
  queriesDataset,
  type ReadinessAnswerInput,
} from "../../src/audit/readiness-answer.js";
import type { ResolvedService } from "../../src/documents/drill-config.js";
import type { Packet, Probe, RollbackPolicy } from "../../src/documents/types.js";
import type { SignedReport } from "../../src/report/trusted-reports.js";

const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));
const packet = read("ops/release/packet/packet.json") as Packet;
const policy = read("ops/datasets/rollback-policy.json") as RollbackPolicy;
const IDENTITY = { sha256: "7".repeat(64) };
const NOW = new Date("2026-12-01T12:00:00Z");
const service: ResolvedService = {
  command: ["node", "ops/service/atlas-service.mjs"],
  cwd: "/repo",
  env: {},
  readinessPath: "/readyz",
  readinessTimeoutMs: 30_000,
  stopGraceMs: 5_000,
};

function report(change: Partial<SignedReport> = {}): SignedReport {
  return {
    file: "drill-reports/a/drill-report.dsse.json",
    keyId: "ab".repeat(32),
    releaseId: "atlas-2026.11.1",
    releaseIdentity: IDENTITY.sha256,
    verdict: "proven",
    scenario: null,
    sampled: null,
    finishedAt: new Date("2026-11-30T12:00:00Z"),
    seenSeconds: { rto: 0.4, rpo: 7200 },
    ...change,
  };
}

function drills(reports: SignedReport[], change: Partial<DrillEvidence> = {}): DrillEvidence {
  return {
    dir: "drill-reports",
    trustedKeys: 1,
    files: reports.length,
    reports,
    rejected: [],
    ...change,
  };
}

const input = (change: Partial<ReadinessAnswerInput> = {}): ReadinessAnswerInput => ({
  packet,
  releaseIdentity: IDENTITY,
  service,
  drills: drills([report()]),
  policy,
  now: NOW,
  ...change,
});

describe("answerReadiness", () => {
  it("answers for the example with a fresh signed drill", () => {
    const answer = answerReadiness(input());
    expect(answer.status).toBe("answered");
    expect(answer.facts[0]).toBe(
      "Readiness: the service (node ops/service/atlas-service.mjs) must answer GET /readyz within 30s before any probe runs.",
    );
    expect(answer.facts[1]).toMatch(
      /^Identity: "release-identity" \(identity, GET \/release\) checks that the recovered service serves this release \(sha256 777777777777…\)\.$/,
    );
    for (const dataset of packet.datasets)
      expect(answer.facts.some((f) => f.startsWith(`Dataset ${dataset.name}: queried by `))).toBe(
        true,
      );
    expect(answer.facts).toContain(
      "Drill reports under drill-reports: 1 found, 1 signed by a trusted key (1 trusted), 1 about this release, 1 proven.",
    );
    expect(answer.facts.at(-1)).toBe(
      "Last passing drill: drill-reports/a/drill-report.dsse.json, signed by key abababababab…, finished 2026-11-30T12:00:00.000Z (1d ago), RTO 0.4s, RPO 2h; the policy asks for one every 7d (within it).",
    );
  });

  it("without a service, an HTTP probe of the service itself shows readiness; without either it is a gap", () => {
    const withProbe = answerReadiness(input({ service: null }));
    expect(withProbe.facts[0]).toMatch(
      /^Readiness: "ready" \(http, GET \/readyz\).* shows the service answers\.$/,
    );
    const onlyDatasets = {
      ...packet,
      probes: packet.probes.filter((p) => p.type !== "http"),
    };
    const none = answerReadiness(input({ service: null, packet: onlyDatasets }));
    expect(none.gaps[0]?.finding).toMatchObject({ code: "audit_gap", subject: "readiness" });
  });

  it("no identity probe and a dataset without a query probe are missing gaps", () => {
    const bare = { ...packet, probes: [] };
    const answer = answerReadiness(input({ packet: bare }));
    expect(answer.status).toBe("missing");
    expect(answer.gaps.map((g) => g.finding.subject)).toEqual([
      "probe:identity",
      ...packet.datasets.map((d) => `dataset:${d.name}`),
    ]);
    expect(answer.gaps[1]?.finding.hint).toContain(
      `"dataset": "${packet.datasets[0]?.name ?? ""}"`,
    );
  });

  it("no trusted key, or no passing drill of this release, is a missing gap", () => {
    const untrusted = answerReadiness(input({ drills: drills([], { trustedKeys: 0 }) }));
    expect(untrusted.gaps.map((g) => g.finding.subject)).toEqual(["reports.trustedKeys"]);
    const failed = report({
      verdict: "not_proven",
      file: "drill-reports/b/drill-report.dsse.json",
    });
    const other = report({ releaseIdentity: "0".repeat(64) });
    const answer = answerReadiness(
      input({
        drills: drills([failed, other], { rejected: [{ file: "x", message: "x: bad signature" }] }),
      }),
    );
    expect(answer.gaps.map((g) => g.finding.subject)).toEqual(["drills"]);
    expect(answer.facts).toContain("Not believed: x: bad signature");
    expect(answer.facts).toContain(
      'The newest drill of this release (drill-reports/b/drill-report.dsse.json, finished 2026-11-30T12:00:00.000Z) was NOT proven: its verdict is "not_proven".',
    );
  });

  it("a passing drill older than the schedule is a stale gap", () => {
    const old = report({
      finishedAt: new Date("2026-11-20T12:00:00Z"),
      seenSeconds: { rto: 125, rpo: null },
    });
    const answer = answerReadiness(input({ drills: drills([old]) }));
    expect(answer.status).toBe("stale");
    expect(answer.gaps[0]?.finding).toMatchObject({ code: "report_stale", actual: "11d ago" });
    expect(answer.facts.at(-1)).toMatch(
      /, RTO 2m 5s; the policy asks for one every 7d \(OVER it\)\.$/,
    );
  });
});

describe("answerReadiness, sampled drills (/drills/allowSampled)", () => {
  const sampled = (day: number) =>
    report({
      file: `drill-reports/s${day}/drill-report.dsse.json`,
      sampled: "50% (seed 3)",
      finishedAt: new Date(`2026-11-${day}T12:00:00Z`),
    });

  it("does not count a sampled drill as the last drill unless the policy allows it, and says so", () => {
    const answer = answerReadiness(input({ drills: drills([sampled(30)]) }));
    expect(answer.status).toBe("missing");
    expect(answer.gaps.map((g) => [g.kind, g.finding.code, g.finding.subject])).toEqual([
      ["missing", "drill_sampled", "drill-reports/s30/drill-report.dsse.json"],
    ]);
    expect(answer.gaps[0]?.finding.message).toMatch(/set drills\.allowSampled to true/);
    expect(answer.facts).toContain(
      "1 proven drill was sampled (drill --sample) and not counted: the rollback policy does not allow sampled drills (/drills/allowSampled); the newest is drill-reports/s30/drill-report.dsse.json, sampled 50% (seed 3).",
    );
  });

  it("takes an older unsampled drill as the last one, a newer sampled one aside", () => {
    const answer = answerReadiness(input({ drills: drills([report(), sampled(30), sampled(29)]) }));
    expect(answer.status).toBe("answered");
    expect(answer.facts.at(-1)).toMatch(/^Last passing drill: drill-reports\/a\/drill-report/);
    expect(answer.facts).toContain(
      "2 proven drills were sampled (drill --sample) and not counted: the rollback policy does not allow sampled drills (/drills/allowSampled); the newest is drill-reports/s30/drill-report.dsse.json, sampled 50% (seed 3).",
    );
  });

  it("counts a sampled drill when the policy allows it, saying it was sampled", () => {
    const allowing = { ...policy, drills: { ...policy.drills, allowSampled: true } };
    const answer = answerReadiness(input({ policy: allowing, drills: drills([sampled(30)]) }));
    expect(answer.status).toBe("answered");
    expect(answer.facts.at(-1)).toMatch(
      /^Last passing drill: drill-reports\/s30\/drill-report\.dsse\.json \(sampled 50% \(seed 3\), as \/drills\/allowSampled allows\), signed by key/,
    );
  });
});

describe("lastPassingDrill", () => {
  it("is the newest proven report of this release, never one without a finishing time", () => {
    const older = report({ file: "old", finishedAt: new Date("2026-11-01T00:00:00Z") });
    const newer = report({ file: "new", finishedAt: new Date("2026-11-02T00:00:00Z") });
    const undated = report({ file: "undated", finishedAt: null });
    expect(lastPassingDrill([undated, older, newer], IDENTITY, policy)?.file).toBe("new");
    expect(lastPassingDrill([undated], IDENTITY, policy)).toBeNull();
    expect(lastPassingDrill([report({ verdict: "not_proven" })], IDENTITY, policy)).toBeNull();
  });

  it("passes over a sampled drill unless the policy allows sampled drills", () => {
    const sampled = report({ file: "sampled", sampled: "5% (seed 7)" });
    const allowing = { ...policy, drills: { ...policy.drills, allowSampled: true } };
    expect(lastPassingDrill([sampled], IDENTITY, policy)).toBeNull();
    expect(lastPassingDrill([sampled], IDENTITY, allowing)?.file).toBe("sampled");
  });
});

describe("queriesDataset", () => {
  const http = (path: string, dataset?: string): Probe => ({
    name: "p",
    type: "http",
    path,
    ...(dataset ? { dataset } : {}),
  });
  it("counts SQL on the dataset, and HTTP only through its dataset field, never its path", () => {
    expect(queriesDataset({ name: "s", type: "sql", dataset: "cities" }, "cities")).toBe(true);
    expect(queriesDataset({ name: "s", type: "sql", dataset: "towns" }, "cities")).toBe(false);
    expect(queriesDataset(http("/datasets/cities/count?table=x"), "cities")).toBe(false);
    expect(queriesDataset(http("/q?dataset=weather%2Dnormals"), "weather-normals")).toBe(false);
    expect(queriesDataset(http("/citiesx"), "cities")).toBe(false);
    expect(queriesDataset(http("/bad%E0%A4%A"), "cities")).toBe(false);
    expect(queriesDataset(http("/other", "cities"), "cities")).toBe(true);
    expect(queriesDataset({ name: "c", type: "catalog", path: "/cities" }, "cities")).toBe(false);
  });
});
