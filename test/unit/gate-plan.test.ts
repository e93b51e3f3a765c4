// gate's planner and decision without the CLI: where the keys and reports are, every input
// problem at once, then the three requirements decided from the bundled example's evidence.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { DrillConfig } from "../../src/documents/drill-config.js";
import { atlasPaths } from "../../src/documents/evidence-paths.js";
import type { Evidence } from "../../src/documents/identity-chain.js";
import type { LoadedEvidence } from "../../src/documents/load-evidence.js";
import { failed, ok, type Checked } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import { decideGate, type GateInput } from "../../src/gate/decide-gate.js";
import type { SignedReport } from "../../src/report/trusted-reports.js";
import type { Context } from "../../src/verbs/evidence-context.js";
import {
  gateSourcesOf,
  parseThreshold,
  planGate,
  type GateLoaded,
} from "../../src/verbs/gate-plan.js";

const PATHS = atlasPaths(resolve("ops"));
const EVIDENCE = Object.fromEntries(
  Object.entries(PATHS).map(([key, file]) => [key, JSON.parse(readFileSync(file, "utf8"))]),
) as Evidence;
const KEY = { path: "/k/drill.pub", keyId: "k".repeat(64) } as never;

function context(trustedKeys: string[] = []): Context {
  const config = {
    trustedKeys,
    reportsDir: "/work/reports",
    stateDir: "/work/state",
    evidence: PATHS,
  } as unknown as DrillConfig;
  return { cwd: "/work", config, evidence: PATHS };
}

function loaded(change: Partial<GateLoaded> = {}): GateLoaded {
  const evidence: LoadedEvidence = { ok: true, evidence: EVIDENCE, files: PATHS };
  return {
    keys: [KEY],
    keyFindings: [],
    opened: [],
    reportFindings: [],
    evidence,
    mark: ok(null),
    ...change,
  };
}

const subjectsOf = (checked: Checked<unknown>) =>
  checked.ok ? [] : checked.findings.map((f) => f.subject);

describe("parseThreshold", () => {
  it.each([
    [undefined, 1],
    [3, 3],
    ["2", 2],
    ["0", null],
    ["1.5", null],
    [0, null],
    ["x", null],
  ])("%j is %j", (value, expected) => {
    expect(parseThreshold(value)).toBe(expected);
  });
});

describe("gateSourcesOf", () => {
  it("--key comes before the config's keys; --reports and --report resolve against cwd", () => {
    const flags = { keys: ["a.pub"], reports: ["r.dsse.json"], reportsDir: "in" };
    expect(gateSourcesOf(flags, context(["/cfg.pub"]))).toEqual({
      keyPaths: ["/work/a.pub", "/cfg.pub"],
      reportsDir: "/work/in",
      named: ["/work/r.dsse.json"],
      stateDir: "/work/state",
      evidence: PATHS,
    });
  });

  it("the config's reports dir is the default", () => {
    expect(gateSourcesOf({}, context()).reportsDir).toBe("/work/reports");
  });
});

describe("planGate", () => {
  it("plans with the loaded evidence, keys and reports", () => {
    const sources = gateSourcesOf({ keys: ["a.pub"] }, context());
    const plan = planGate({ threshold: "1" }, sources, loaded());
    expect(plan.ok && plan.value).toMatchObject({
      threshold: 1,
      allowDowngrade: false,
      keyCount: 1,
      searched: expect.stringMatching(/^looked in .*reports$/),
    });
  });

  it("says where --report files were looked at too", () => {
    const sources = gateSourcesOf({ keys: ["a.pub"], reports: ["r"] }, context());
    const plan = planGate({ allowDowngrade: true }, sources, loaded());
    expect(plan.ok && plan.value.searched).toMatch(/and at the --report files$/);
    expect(plan.ok && plan.value.allowDowngrade).toBe(true);
  });

  it("a bad threshold, no key, key, report and evidence problems are all said", () => {
    const problem = (subject: string) =>
      createFinding("document_invalid", { subject, message: `${subject} is bad` });
    const sources = gateSourcesOf({}, context());
    const evidence: LoadedEvidence = { ok: false, findings: [problem("packet")] };
    const plan = planGate(
      { threshold: "none" },
      sources,
      loaded({ keyFindings: [problem("k")], reportFindings: [problem("r")], evidence }),
    );
    expect(subjectsOf(plan)).toEqual(["--threshold", "--key", "k", "r", "packet"]);
  });
});

describe("decideGate", () => {
  const signed = (change: Partial<SignedReport> = {}): SignedReport => ({
    file: "reports/r.dsse.json",
    keyId: "k".repeat(64),
    releaseId: EVIDENCE.packet.release.id,
    releaseIdentity: "",
    verdict: "proven",
    scenario: null,
    sampled: null,
    finishedAt: new Date("2026-11-05T00:00:00Z"),
    seenSeconds: { rto: 1, rpo: 1 },
    ...change,
  });
  const input = (change: Partial<GateInput> = {}): GateInput => ({
    evidence: EVIDENCE,
    files: PATHS,
    mark: ok(null),
    opened: [],
    threshold: 1,
    keyCount: 1,
    allowDowngrade: false,
    searched: "looked in reports",
    now: new Date("2026-11-06T00:00:00Z"),
    ...change,
  });

  it("the example's evidence holds; with no report the drill requirement fails", () => {
    const decision = decideGate(input());
    expect(decision.release.id).toBe("atlas-2026.11.1");
    expect(decision.requirements[0]).toMatchObject({ name: "evidence", passed: true });
    expect(decision.requirements.at(-1)).toMatchObject({ name: "drill report", passed: false });
    expect(decision.findings.map((f) => f.code)).toEqual(["no_drill_report"]);
  });

  it("a report of this release, proven and recent, passes all three", () => {
    const identity = decideGate(input()).release.identity.sha256;
    const opened = [{ path: "r", report: ok(signed({ releaseIdentity: identity })) }];
    const decision = decideGate(input({ opened }));
    expect(decision.requirements.every((r) => r.passed)).toBe(true);
    expect(decision.counted).toHaveLength(1);
  });

  it("a damaged high-water mark fails the downgrade rule, never read as none", () => {
    const damaged = createFinding("document_invalid", { subject: "hw", message: "damaged" });
    const decision = decideGate(input({ mark: failed(damaged) }));
    expect(decision.requirements).toContainEqual({
      name: "policy:downgrade",
      passed: false,
      why: "damaged",
    });
    expect(decision.findings.map((f) => f.subject)).toContain("hw");
  });

  it("a report that could not be opened is a candidate that does not qualify", () => {
    const unusable = createFinding("report_signature_invalid", {
      subject: "r",
      message: "bad sig",
    });
    const decision = decideGate(input({ opened: [{ path: "r", report: failed(unusable) }] }));
    expect(decision.judged).toHaveLength(1);
    expect(decision.requirements.at(-1)?.passed).toBe(false);
  });
});
