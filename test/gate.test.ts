// gate, as a release pipeline runs it: the bundled example, real keys from keygen, a real drill
// and its signed report; each refusal changes one thing and names the requirement that failed.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { createSigner, signEnvelope } from "../src/report/signing.js";
import { createStatement } from "../src/report/statement.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const KEY = [".recoverable/keys/drill.pub"];
const ENVELOPE = "drill-reports/r1/drill-report.dsse.json";
const POLICY = "ops/datasets/rollback-policy.json";

type Requirement = { name: string; passed: boolean; why: string };

const SHIPPED_CONFIG = fileURLToPath(new URL("../ops/drill.json", import.meta.url));

let example: ExampleCopy;
beforeEach(() => {
  example = copyExample();
  // Each test names the keys it trusts with --key, and the folder is drill-reports.
  example.editDrillConfig((config) => {
    config["reports"] = { dir: "drill-reports" };
  });
});

const run = (args: readonly string[]): CLIRun => runCLI(args, { cwd: example.dir });

function gate(...args: string[]): CLIRun {
  return run(["gate", "--json", ...args]);
}

const withKeys = (...keys: string[]): string[] => keys.flatMap((k) => ["--key", k]);

/**
 * A real drill of the example from a fresh copy of its store (fresh mtimes, so the RPO the
 * drill measures does not depend on when the repository was checked out).
 */
function drill(out = "drill-reports/r1", change?: (backup: string) => void): CLIRun {
  cpSync(example.path("ops/store"), example.path("backup"), { recursive: true });
  change?.(example.path("backup"));
  return run(["drill", "--source", "dir:backup", "--out", out, "--json"]);
}

function requirement(result: CLIRun, name: string): Requirement | undefined {
  return (result.json()["requirements"] as Requirement[]).find((r) => r.name === name);
}

function keygen(out: string): void {
  expect(run(["keygen", "--out", out]).code).toBe(0);
}

/** Signs the predicate of a real drill report (changed by `change`) as a new envelope. */
function resign(
  from: string,
  to: string,
  options: { key?: string; change?: (predicate: Record<string, unknown>) => void } = {},
): void {
  const predicate = JSON.parse(readFileSync(example.path(from), "utf8")) as Record<string, unknown>;
  options.change?.(predicate);
  const statement = createStatement(
    predicate["releaseId"] as string,
    predicate["releaseIdentity"] as { sha256: string },
    predicate,
  );
  const signer = createSigner(
    readFileSync(example.path(options.key ?? ".recoverable/keys/drill.key"), "utf8"),
  );
  const envelope = signEnvelope(
    "application/vnd.in-toto+json",
    Buffer.from(JSON.stringify(statement)),
    signer,
  );
  mkdirSync(dirname(example.path(to)), { recursive: true });
  writeFileSync(example.path(to), JSON.stringify(envelope, null, 2));
}

describe("gate", () => {
  it("passes the example as shipped: drill, then gate with no flags", () => {
    // The shipped drill config names the reports folder and the trusted key.
    cpSync(SHIPPED_CONFIG, example.path("ops/drill.json"));
    cpSync(example.path("ops/store"), example.path("backup"), { recursive: true });
    expect(run(["drill", "--source", "dir:backup"]).code).toBe(0);
    const result = gate();
    expect(result.code, result.stdout).toBe(0);
    expect(result.json()["report"]).toMatchObject({ file: expect.stringMatching(/\.dsse\.json$/) });
  });

  it("passes the example after a fresh drill, naming the report that satisfied it", () => {
    expect(drill().code).toBe(0);
    const result = gate(...withKeys(...KEY));
    expect(result.code, result.stdout).toBe(0);
    const json = result.json();
    expect(json).toMatchObject({
      verb: "gate",
      verdict: "proven",
      exitCode: 0,
      releaseId: "atlas-2026.11.1",
      findings: [],
    });
    const requirements = json["requirements"] as Requirement[];
    expect(requirements.map((r) => r.name)).toEqual([
      "evidence",
      "policy:versionFloor",
      "policy:allowedIds",
      "policy:deniedIds",
      "policy:maxAge",
      "policy:downgrade",
      "drill report",
    ]);
    expect(requirements.every((r) => r.passed && r.why.length > 0)).toBe(true);
    expect(json["report"]).toMatchObject({
      file: ENVELOPE,
      keyId: expect.stringMatching(/^[0-9a-f]{64}$/),
      finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("finds the report named with --report and the keys trusted by the drill config", () => {
    expect(drill("elsewhere").code).toBe(0);
    example.editDrillConfig((config) => {
      config["reports"] = { trustedKeys: KEY };
    });
    const result = gate("--report", "elsewhere/drill-report.dsse.json");
    expect(result.code, result.stdout).toBe(0);
    expect(result.json()["report"]).toMatchObject({ file: "elsewhere/drill-report.dsse.json" });
    // The human view lists each requirement.
    const text = run(["gate", "--report", "elsewhere/drill-report.dsse.json"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/✔ drill report/);
  });

  it("refuses without a report with no_drill_report", () => {
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("no_drill_report");
    expect(requirement(result, "drill report")).toMatchObject({ passed: false });
    expect(requirement(result, "evidence")).toMatchObject({ passed: true });
    expect(result.json()["report"]).toBeNull();
  });

  it("refuses a report about another release with report_subject_mismatch", () => {
    expect(drill().code).toBe(0);
    example.seal("atlas-2026.11.9", "2026.11.9");
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ releaseId: "atlas-2026.11.9" });
    expect(result.json()).toHaveFinding("report_subject_mismatch", ENVELOPE);
    expect(requirement(result, "drill report")?.why).toContain("atlas-2026.11.1");
  });

  it("refuses a report signed by an untrusted key with report_signature_invalid", () => {
    expect(drill().code).toBe(0);
    keygen("other-keys");
    const result = gate(...withKeys("other-keys/drill.pub"));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("report_signature_invalid", ENVELOPE);
    expect(requirement(result, "drill report")).toMatchObject({ passed: false });
  });

  it("refuses a report with one changed byte with report_signature_invalid", () => {
    expect(drill().code).toBe(0);
    const path = example.path(ENVELOPE);
    const envelope = JSON.parse(readFileSync(path, "utf8")) as { payload: string };
    const bytes = Buffer.from(envelope.payload, "base64");
    bytes[40] = (bytes[40] ?? 0) ^ 1;
    writeFileSync(path, JSON.stringify({ ...envelope, payload: bytes.toString("base64") }));
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("report_signature_invalid", ENVELOPE);
  });

  it("refuses a signed not_proven report with report_not_proven", () => {
    const drilled = drill("drill-reports/r1", (backup) => {
      const file = join(backup, "datasets/airports.sqlite");
      const bytes = readFileSync(file);
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x01;
      writeFileSync(file, bytes);
    });
    expect(drilled.code).toBe(1);
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("report_not_proven", ENVELOPE);
  });

  it("refuses a report older than the policy's drill schedule with report_stale", () => {
    expect(drill("fresh").code).toBe(0);
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    resign("fresh/drill-report.json", "drill-reports/old/drill-report.dsse.json", {
      change: (predicate) => {
        predicate["finishedAt"] = eightDaysAgo;
      },
    });
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("report_stale", "drill-reports/old/drill-report.dsse.json");
    expect(requirement(result, "drill report")?.why).toMatch(/8d .*every 7d/);
  });

  it("refuses a drill that measured no RPO (a live drill) with rpo_exceeded", () => {
    expect(drill("fresh").code).toBe(0);
    resign("fresh/drill-report.json", "drill-reports/live/drill-report.dsse.json", {
      change: (predicate) => {
        predicate["rpo"] = { seenSeconds: null, targetSeconds: 86_400, status: "skipped" };
      },
    });
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    const finding = result.json().findings.find((f) => f.code === "rpo_exceeded");
    expect(finding).toMatchObject({ actual: "not measured" });
    expect(finding?.message).toContain("measured no RPO");
  });

  it("refuses a release below the policy's version floor with rollback_forbidden", () => {
    expect(drill().code).toBe(0);
    const policy = JSON.parse(readFileSync(example.path(POLICY), "utf8")) as {
      releases: { versionFloor: string };
    };
    policy.releases.versionFloor = "2026.12.0";
    writeFileSync(example.path(POLICY), JSON.stringify(policy, null, 2));
    example.seal("atlas-2026.11.1", "2026.11.1"); // the policy's digest is part of the release
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("rollback_forbidden", `${POLICY}#/releases/versionFloor`);
    expect(requirement(result, "policy:versionFloor")).toMatchObject({ passed: false });
    expect(requirement(result, "evidence")).toMatchObject({ passed: true });
  });

  it("shows the drill requirement as waived when the policy does not require a signed report", () => {
    const policy = JSON.parse(readFileSync(example.path(POLICY), "utf8")) as {
      drills: { requireSignedReport?: boolean };
    };
    policy.drills.requireSignedReport = false;
    writeFileSync(example.path(POLICY), JSON.stringify(policy, null, 2));
    example.seal("atlas-2026.11.1", "2026.11.1");
    const result = gate(...withKeys(...KEY));
    expect(result.code, result.stdout).toBe(0);
    expect(requirement(result, "drill report")?.why).toMatch(/^not required by the policy/);
    expect(result.json().findings).toEqual([
      expect.objectContaining({ code: "no_drill_report", severity: "warning" }),
    ]);
  });

  it("refuses a release below the store's high-water mark unless a downgrade is allowed", () => {
    // A newer release proven for this store raises its high-water mark...
    example.seal("atlas-2026.11.5", "2026.11.5");
    expect(drill().code).toBe(0);
    // ...so the older release, sealed again, is a rollback.
    example.seal("atlas-2026.11.1", "2026.11.1");
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("rollback_forbidden", `${POLICY}#/releases/allowDowngrade`);
    expect(requirement(result, "policy:downgrade")).toMatchObject({ passed: false });
    // The example's policy does not allow downgrades, so --allow-downgrade changes nothing.
    const asked = gate(...withKeys(...KEY), "--allow-downgrade");
    expect(requirement(asked, "policy:downgrade")).toMatchObject({ passed: false });
  });

  it("gives exit 2 for a damaged high-water mark, never reading it as no mark", () => {
    expect(drill().code).toBe(0);
    mkdirSync(example.path(".recoverable/state"), { recursive: true });
    writeFileSync(example.path(".recoverable/state/high-water.json"), "{}");
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(2);
    expect(requirement(result, "policy:downgrade")).toMatchObject({ passed: false });
  });

  it("refuses a threshold of 2 with one trusted key", () => {
    expect(drill().code).toBe(0);
    const result = gate(...withKeys(...KEY), "--threshold", "2");
    expect(result.code).toBe(1);
    expect(result.json()).toHaveFinding("no_drill_report");
    expect(requirement(result, "drill report")?.why).toContain("only 1 trusted key");
    expect(result.json()["reports"]).toHaveLength(1);
  });

  it("passes a threshold of 2 with reports signed by two different trusted keys", () => {
    expect(drill().code).toBe(0);
    keygen("second");
    resign("drill-reports/r1/drill-report.json", "drill-reports/r2/drill-report.dsse.json", {
      key: "second/drill.key",
    });
    const result = gate(...withKeys(...KEY, "second/drill.pub"), "--threshold", "2");
    expect(result.code, result.stdout).toBe(0);
    const reports = result.json()["reports"] as { keyId: string }[];
    expect(new Set(reports.map((r) => r.keyId)).size).toBe(2);
    // The same key named twice is one key: it cannot meet a threshold of 2 alone.
    expect(gate(...withKeys(...KEY, ...KEY), "--threshold", "2").code).toBe(1);
  });

  it("lists a stray file of the reports folder as a warning and still judges the others", () => {
    expect(drill().code).toBe(0);
    writeFileSync(example.path("drill-reports/junk.dsse.json"), "not json");
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(0);
    expect(result.json().findings).toEqual([
      expect.objectContaining({ code: "document_unreadable", severity: "warning" }),
    ]);
  });

  it("gives exit 2 for bad input: no key, a private key, a bad threshold, a named file that is not a report", () => {
    expect(gate().json()).toHaveFinding("usage_invalid", "--key");
    expect(gate().code).toBe(2);
    const privateKey = gate(...withKeys(".recoverable/keys/drill.key"));
    expect(privateKey.code).toBe(2);
    expect(privateKey.stdout).not.toContain("PRIVATE KEY");
    expect(gate(...withKeys(...KEY), "--threshold", "0").code).toBe(2);
    expect(gate(...withKeys(...KEY), "--threshold", "two").code).toBe(2);
    writeFileSync(example.path("notes.json"), JSON.stringify({ payload: "" }));
    const named = gate(...withKeys(...KEY), "--report", "notes.json");
    expect(named.code).toBe(2);
    expect(named.json()).toHaveFinding("document_invalid", /notes\.json#\/payloadType$/);
  });

  it("gives exit 2 for invalid evidence and lists the evidence requirement as failed", () => {
    writeFileSync(example.path("ops/release/packet/packet.json"), "{}");
    const result = gate(...withKeys(...KEY));
    expect(result.code).toBe(2);
    expect(requirement(result, "evidence")).toMatchObject({ passed: false });
  });
});
