// report verify, as a user runs it: each case changes one thing of a good signed report.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createSigner, signEnvelope } from "../src/report/signing.js";
import { createStatement } from "../src/report/statement.js";
import { runCLI } from "./helpers/cli.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const IDENTITY = "c29e6a5f0afbe326f72252f5a70f4fd9a06253db2fca2ebeb55d0cb1f1560ffc";
const OTHER = "0".repeat(64);

let dir: string;
beforeEach(() => {
  dir = makeTempDir("recoverable-report-");
  expect(runCLI(["keygen", "--out", "keys"], { cwd: dir }).code).toBe(0);
  expect(runCLI(["keygen", "--out", "other"], { cwd: dir }).code).toBe(0);
});

function writeReport(
  name: string,
  predicate: Record<string, unknown>,
  options: { key?: string; payloadType?: string } = {},
): string {
  const statement = createStatement("atlas-2026.11.1", { sha256: IDENTITY }, predicate);
  const signer = createSigner(readFileSync(join(dir, options.key ?? "keys", "drill.key"), "utf8"));
  const envelope = signEnvelope(
    options.payloadType ?? "application/vnd.in-toto+json",
    Buffer.from(JSON.stringify(statement)),
    signer,
  );
  writeFileSync(join(dir, name), JSON.stringify(envelope, null, 2));
  return name;
}

const fresh = () => ({
  verdict: "proven",
  finishedAt: new Date(Date.now() - 60_000).toISOString(),
});
const check = (envelope: string, ...flags: string[]) =>
  runCLI(["report", "verify", envelope, "--key", "keys/drill.pub", "--json", ...flags], {
    cwd: dir,
  });

describe("report verify", () => {
  it("accepts a fresh, proven report signed by the trusted key for the given release", () => {
    const run = check(writeReport("ok.json", fresh()), "--release", IDENTITY, "--max-age", "1h");
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({
      verb: "report verify",
      verdict: "proven",
      releaseId: "atlas-2026.11.1",
      releaseIdentity: { sha256: IDENTITY },
    });
    expect(result.findings).toEqual([]);
    expect((result["statement"] as { predicateType: string }).predicateType).toBe(
      "https://recoverable.dev/drill-report/v1",
    );
  });

  it("says with an info finding that the subject was not checked without --release", () => {
    const run = check(writeReport("ok.json", fresh()));
    expect(run.code).toBe(0);
    expect(run.json().findings).toEqual([
      expect.objectContaining({ code: "subject_not_checked", severity: "info" }),
    ]);
  });

  it("rejects one changed byte of the payload with report_signature_invalid", () => {
    const name = writeReport("r.json", fresh());
    const envelope = JSON.parse(readFileSync(join(dir, name), "utf8")) as { payload: string };
    const bytes = Buffer.from(envelope.payload, "base64");
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    envelope.payload = bytes.toString("base64");
    writeFileSync(join(dir, name), JSON.stringify(envelope));
    const run = check(name);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_signature_invalid");
  });

  it("rejects a report signed by another key", () => {
    const run = check(writeReport("r.json", fresh(), { key: "other" }));
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_signature_invalid");
  });

  it("rejects another payloadType even when its signature is valid", () => {
    const run = check(writeReport("r.json", fresh(), { payloadType: "application/json" }));
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_signature_invalid");
  });

  it("rejects an envelope with no signatures", () => {
    const name = writeReport("r.json", fresh());
    const envelope = JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, name), JSON.stringify({ ...envelope, signatures: [] }));
    expect(check(name).json()).toHaveFinding("report_signature_invalid");
  });

  it("rejects a report about another release with report_subject_mismatch", () => {
    const run = check(writeReport("r.json", fresh()), "--release", OTHER);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_subject_mismatch");
  });

  it("rejects a report older than --max-age with report_stale", () => {
    const run = check(
      writeReport("r.json", { verdict: "proven", finishedAt: "2026-01-01T00:00:00Z" }),
      "--max-age",
      "7d",
    );
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_stale");
  });

  it("rejects a signed not_proven report with report_not_proven", () => {
    const run = check(writeReport("r.json", { ...fresh(), verdict: "not_proven" }));
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_not_proven");
  });

  it("gives exit 2 for an envelope that is not JSON or lacks its fields", () => {
    writeFileSync(join(dir, "bad.json"), "not json");
    expect(check("bad.json").code).toBe(2);
    writeFileSync(join(dir, "partial.json"), JSON.stringify({ payload: "" }));
    const run = check("partial.json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_invalid", /partial\.json#\/payloadType$/);
  });

  it("gives exit 2 for a bad --release or --max-age, or a key that is not a public key", () => {
    const name = writeReport("r.json", fresh());
    expect(check(name, "--release", "abc").code).toBe(2);
    expect(check(name, "--max-age", "7 days").code).toBe(2);
    const run = runCLI(["report", "verify", name, "--key", "keys/drill.key", "--json"], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain("PRIVATE KEY");
  });
});
