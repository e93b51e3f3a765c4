import type { DrillReport, ReportCheck, StageRecord } from "../../src/documents/drill-report.js";
// A drill report as the drill writes it (trimmed from a real run of the bundled example), for
// tests of the renderers that need no drill. Each test changes what it is about.

const IDENTITY = "737eb2830ab2cbfcedc80c83d3215062742ba70f3b2d2a5ee3947f9c2b536bcb";

const STAGES: [string, number][] = [
  ["check evidence", 1],
  ["check rollback policy", 3],
  ["restore", 181],
  ["verify store", 0],
  ["start service", 5],
  ["wait for readiness", 166],
  ["probes", 14],
  ["stop service", 26],
];

function stages(): StageRecord[] {
  let at = Date.parse("2026-11-26T06:49:45.355Z");
  return STAGES.map(([name, durationMs]) => {
    const stage = {
      name,
      status: "passed" as const,
      startedAt: new Date(at).toISOString(),
      durationMs,
    };
    at += durationMs;
    return stage;
  });
}

const CHECKS: ReportCheck[] = [
  {
    name: "datasets/cities.sqlite",
    kind: "store",
    status: "passed",
    subject: "durable sqlite",
    expected: `sqlite, 270336 bytes, sha256 ${"e9".repeat(32)}`,
    actual: "as expected",
  },
  {
    name: "policy versionFloor",
    kind: "policy",
    status: "passed",
    subject: "rollback policy /releases/versionFloor",
    expected: "version >= 2026.9.0",
    actual: "version 2026.11.1 is at or above the floor 2026.9.0",
  },
  {
    name: "cities-count",
    kind: "probe",
    status: "passed",
    subject: "http /datasets/cities/count?table=cities",
    expected: "status 200, /count = 3000",
    actual: "as expected",
    durationMs: 1,
    request: { method: "GET", headers: { Authorization: "[redacted]" } },
  },
  {
    name: "rto",
    kind: "objective",
    status: "passed",
    subject: "time to a ready, proven service",
    expected: "at most 900s",
    actual: "0.4s",
  },
];

export function sampleReport(): DrillReport {
  return {
    schemaVersion: 1,
    tool: { name: "recoverable", version: "0.1.0" },
    mode: "restore",
    releaseId: "atlas-2026.11.1",
    releaseIdentity: { sha256: IDENTITY },
    source: { text: "dir:ops/store", backupTime: "2026-11-26T06:49:44.940Z", resolved: null },
    storeRoot: "/tmp/recoverable-drill-YjGAW3/store",
    serviceURL: "http://127.0.0.1:38383",
    startedAt: "2026-11-26T06:49:45.355Z",
    finishedAt: "2026-11-26T06:49:45.752Z",
    stages: stages(),
    checks: CHECKS,
    rto: { seenSeconds: 0.4, targetSeconds: 900, status: "passed" },
    rpo: { seenSeconds: 0.4, targetSeconds: 86_400, status: "passed" },
    policy: [],
    service: {
      command: ["node", "ops/service/atlas-service.mjs"],
      exit: "code 0",
      log: "atlas-service: listening on 127.0.0.1:38383\n",
    },
    findings: [],
    verdict: "proven",
  };
}
