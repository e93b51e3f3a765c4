// The planners of report verify, render and merge without the CLI, flag by flag, and the
// claims a verified report is checked against (subject, age, verdict).
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DrillConfig } from "../../src/documents/drill-config.js";
import { failed, ok, type Checked } from "../../src/findings/checked.js";
import { createFinding } from "../../src/findings/finding.js";
import { checkReportClaims } from "../../src/report/check-claims.js";
import { createSigner } from "../../src/report/signing.js";
import type { Statement } from "../../src/report/statement.js";
import type {
  OpenedEnvelope,
  ReportPredicate,
  TrustedKey,
} from "../../src/report/trusted-reports.js";
import type { Context } from "../../src/verbs/evidence-context.js";
import { planReportMerge } from "../../src/verbs/report-merge-plan.js";
import { planReportRender } from "../../src/verbs/report-render-plan.js";
import { claimsOf, planReportVerify } from "../../src/verbs/report-verify-plan.js";

const NOW = new Date("2026-12-07T12:00:00Z");
const IDENTITY = "a".repeat(64);
const TRUSTED = { path: "/k/drill.pub", keyId: "k".repeat(64) } as TrustedKey;
const KEY = ok(TRUSTED);
const OPENED = ok({ file: "r.dsse.json", envelope: {} } as unknown as OpenedEnvelope);
const problem = (subject: string) =>
  failed(createFinding("document_invalid", { subject, message: `${subject} is bad` }));
const subjectsOf = (checked: Checked<unknown>) =>
  checked.ok ? [] : checked.findings.map((f) => f.subject);

describe("planReportVerify", () => {
  it("no --release and no --max-age: nothing to tie the report to, nothing about its age", () => {
    const plan = planReportVerify({}, KEY, OPENED, NOW);
    expect(plan.ok && plan.value.claims).toEqual({ release: null, maxAge: null, now: NOW });
  });

  it("--release and --max-age become the claims", () => {
    const plan = planReportVerify({ release: IDENTITY, maxAge: "7d" }, KEY, OPENED, NOW);
    expect(plan.ok && plan.value.claims).toEqual({
      release: IDENTITY,
      maxAge: { text: "7d", ms: 7 * 24 * 3600 * 1000 },
      now: NOW,
    });
  });

  it("a bad --release, a bad --max-age, the key and the envelope are all said", () => {
    const plan = planReportVerify(
      { release: "abc", maxAge: "soon" },
      problem("key"),
      problem("envelope"),
      NOW,
    );
    expect(subjectsOf(plan)).toEqual(["--release", "--max-age", "key", "envelope"]);
  });

  it("claimsOf alone refuses a bad duration", () => {
    expect(subjectsOf(claimsOf({ maxAge: "1 week" }, NOW))).toEqual(["--max-age"]);
  });
});

describe("checkReportClaims", () => {
  const statement = (predicate: Partial<ReportPredicate>): Statement<ReportPredicate> =>
    ({
      subject: [{ name: "release:atlas", digest: { sha256: IDENTITY } }],
      predicate: { verdict: "proven", finishedAt: "2026-12-06T12:00:00Z", ...predicate },
    }) as unknown as Statement<ReportPredicate>;
  const codes = (s: Statement<ReportPredicate>, release: string | null, maxAge: string | null) =>
    checkReportClaims(s, "r", {
      release,
      maxAge: maxAge === null ? null : { text: maxAge, ms: maxAge === "2d" ? 2 * 864e5 : 36e5 },
      now: NOW,
    }).map((f) => f.code);

  it("a proven, fresh report about the release asked for has nothing to say", () => {
    expect(codes(statement({}), IDENTITY, "2d")).toEqual([]);
  });

  it("without --release the subject is not checked (info)", () => {
    expect(codes(statement({}), null, null)).toEqual(["subject_not_checked"]);
  });

  it("another release, a stale report and a failed verdict are each said", () => {
    expect(codes(statement({ verdict: "not_proven" }), "b".repeat(64), "1h")).toEqual([
      "report_subject_mismatch",
      "report_stale",
      "report_not_proven",
    ]);
  });

  it("with --max-age, a report without finishedAt has an unknown age", () => {
    expect(codes(statement({ finishedAt: undefined }), IDENTITY, "1h")).toEqual([
      "document_invalid",
    ]);
  });
});

describe("planReportRender", () => {
  const loaded = { key: null, opened: OPENED, outIsDirectory: false };

  it("renders to the content without --out and without a key", () => {
    const plan = planReportRender({ format: "html" }, "/work", loaded);
    expect(plan.ok && plan.value).toMatchObject({ format: "html", out: null, key: null });
  });

  it("--out is resolved, --key's file name is shown", () => {
    const plan = planReportRender(
      { format: "junit", out: "r.xml", key: "keys/drill.pub" },
      "/work",
      { ...loaded, key: KEY },
    );
    expect(plan.ok && plan.value).toMatchObject({
      out: "/work/r.xml",
      publicKey: "drill.pub",
      key: TRUSTED,
    });
  });

  it("a bad format, a directory as --out, the key and the envelope are all said", () => {
    const plan = planReportRender({ format: "pdf", out: "reports", key: "k" }, "/work", {
      key: problem("key"),
      opened: problem("envelope"),
      outIsDirectory: true,
    });
    expect(subjectsOf(plan)).toEqual(["--format", "--out", "key", "envelope"]);
  });
});

describe("planReportMerge", () => {
  const context = {
    cwd: "/work",
    config: { reportsDir: "/work/reports" } as unknown as DrillConfig,
  } as Context;
  const { privateKey } = generateKeyPairSync("ed25519");
  const signer = ok(createSigner(privateKey.export({ type: "pkcs8", format: "pem" }).toString()));

  it("plans every envelope, into the reports dir unless --out is given", () => {
    const loaded = { key: KEY, signer, envelopes: [OPENED, OPENED] };
    const plan = planReportMerge({}, context, loaded);
    expect(plan.ok && [plan.value.envelopes.length, plan.value.out, plan.value.release]).toEqual([
      2,
      null,
      null,
    ]);
    const out = planReportMerge({ out: "m", release: IDENTITY }, context, loaded);
    expect(out.ok && [out.value.out, out.value.release]).toEqual(["/work/m", IDENTITY]);
  });

  it("a bad --release, both keys and every unreadable envelope are all said", () => {
    const plan = planReportMerge({ release: "x" }, context, {
      key: problem("key"),
      signer: problem("signer"),
      envelopes: [problem("e1"), OPENED, problem("e2")],
    });
    expect(subjectsOf(plan)).toEqual(["--release", "key", "signer", "e1", "e2"]);
  });
});
