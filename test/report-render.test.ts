// report render, as a user runs it: the signed report of a real drill of the bundled example,
// rendered in every format; each failing case changes one thing of that envelope.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { createSigner, signEnvelope } from "../src/report/signing.js";
import { createStatement } from "../src/report/statement.js";
import { SHARD_REPORT_PREDICATE_TYPE } from "../src/shard/shard-report.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import type { DrillReport } from "../src/documents/drill-report.js";
import { storeChecks, SUMMARY_THRESHOLD } from "../src/report/store-checks.js";

const ENVELOPE = "out/drill-report.dsse.json";
const KEY = ".recoverable/keys/drill.pub";

let example: ExampleCopy;
let report: DrillReport;
let keyId: string;
beforeAll(() => {
  example = copyExample();
  const run = runCLI(["drill", "--json", "--source", "dir:ops/store", "--out", "out"], {
    cwd: example.dir,
  });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(runCLI(["keygen", "--out", "other"], { cwd: example.dir }).code).toBe(0);
  report = JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as DrillReport;
  const envelope = JSON.parse(readFileSync(example.path(ENVELOPE), "utf8")) as {
    signatures: { keyid: string }[];
  };
  keyId = envelope.signatures[0]?.keyid ?? "";
});

const render = (...args: string[]): CLIRun =>
  runCLI(["report", "render", ...args], { cwd: example.dir });

/** An envelope of `predicate`, signed by `key` (keys or other), about `identity`. */
function signed(
  name: string,
  predicate: unknown,
  key = ".recoverable/keys",
  identity = report.releaseIdentity,
): string {
  const statement = createStatement(report.releaseId, identity, predicate);
  const signer = createSigner(readFileSync(example.path(`${key}/drill.key`), "utf8"));
  const envelope = signEnvelope(
    "application/vnd.in-toto+json",
    Buffer.from(JSON.stringify(statement)),
    signer,
  );
  writeFileSync(example.path(name), JSON.stringify(envelope));
  return name;
}

type Rendered = {
  format: string;
  path: string | null;
  bytes: number;
  signature: string;
  keyId: string | null;
  reportVerdict: string;
  content: string | null;
};

describe("report render of a real drill's signed report", () => {
  it("writes HTML to stdout without --key, saying the signature was not checked (page, stderr, finding)", () => {
    const run = render(ENVELOPE, "--format", "html");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<!doctype html>\n/);
    expect(run.stdout).toContain(`<title>PROVEN · ${report.releaseId} · recovery drill</title>`);
    expect(run.stdout).toContain("Signature not checked.");
    expect(run.stderr).toContain("✔ RENDERED  recoverable report render");
    expect(run.stderr).toContain("signature_not_checked");
  });

  it("verifies with --key, writes atomically to --out, and its JSON result names the file", () => {
    const run = render(
      ENVELOPE,
      "--format",
      "html",
      "--key",
      KEY,
      "--out",
      "pages/drill.html",
      "--json",
    );
    expect(run.code, run.stdout).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({
      verb: "report render",
      verdict: "proven",
      releaseId: report.releaseId,
      releaseIdentity: report.releaseIdentity,
      findings: [],
    });
    const page = readFileSync(example.path("pages/drill.html"), "utf8");
    expect(result["rendered"]).toEqual({
      format: "html",
      path: "pages/drill.html",
      bytes: Buffer.byteLength(page),
      signature: "verified",
      keyId,
      reportVerdict: "proven",
      content: null,
    });
    expect(page).toContain(
      `Signature verified</strong> with the trusted key <code>${keyId}</code>`,
    );
    expect(page).toContain(
      `recoverable report verify drill-report.dsse.json --key drill.pub --release ${report.releaseIdentity.sha256}`,
    );
    expect(readdirSync(example.path("pages"))).toEqual(["drill.html"]);
  });

  it("renders Markdown, JUnit XML and text, each saying how far the signature was checked", () => {
    const markdown = render(ENVELOPE, "--format", "markdown");
    expect(markdown.stdout).toMatch(
      /^## Recovery drill: atlas-2026\.11\.1 — ✅ proven\n\n> \*\*Signature not checked/,
    );
    const verified = render(ENVELOPE, "--format", "markdown", "--key", KEY);
    expect(verified.stdout).toContain(`Signature verified with trusted key \`${keyId}\`.`);

    const junit = render(ENVELOPE, "--format", "junit", "--json");
    const content = (junit.json()["rendered"] as Rendered).content ?? "";
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      content,
    ) as {
      testsuites: {
        testsuite: {
          testcase: unknown[];
          properties: { property: { name: string; value: string }[] };
        };
      };
    };
    expect(xml.testsuites.testsuite.testcase).toHaveLength(
      report.stages.length + report.checks.length,
    );
    expect(xml.testsuites.testsuite.properties.property).toContainEqual({
      name: "recoverable.signature",
      value: "not_checked",
    });

    const text = render(ENVELOPE, "--format", "text", "--key", KEY);
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toBe(
      `✔ PROVEN  drill of release ${report.releaseId} sha256:${report.releaseIdentity.sha256}`,
    );
    expect(lines[1]).toBe(`  signature verified with trusted key ${keyId}`);
    for (const stage of report.stages) expect(text.stdout).toContain(stage.name);
  });

  it("with --json and no --out, prints one JSON object that carries the rendering", () => {
    const run = render(ENVELOPE, "--format", "text", "--json");
    const rendered = run.json()["rendered"] as Rendered;
    expect(rendered).toMatchObject({
      format: "text",
      path: null,
      signature: "not_checked",
      keyId: null,
    });
    expect(rendered.content).toMatch(/^✔ PROVEN {2}drill of release/);
    expect(run.json()).toHaveFinding("signature_not_checked", ENVELOPE);
    expect(run.json().findings[0]?.severity).toBe("info");
  });
});

describe("report render, when the signature does not hold", () => {
  it("with --key, refuses a report signed by another key: exit 1, report_signature_invalid, nothing written", () => {
    const envelope = signed("out/other.dsse.json", report, "other");
    const run = render(
      envelope,
      "--format",
      "html",
      "--key",
      KEY,
      "--out",
      "refused.html",
      "--json",
    );
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("report_signature_invalid", envelope);
    expect(run.json()["rendered"]).toBeNull();
    expect(existsSync(example.path("refused.html"))).toBe(false);
  });

  it("with --key, refuses a payload changed after signing; without it, renders the change with the note", () => {
    const envelope = JSON.parse(readFileSync(example.path(ENVELOPE), "utf8")) as {
      payload: string;
    };
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
      predicate: DrillReport;
    };
    const forged = {
      ...statement,
      predicate: { ...statement.predicate, verdict: "not_proven" },
    };
    envelope.payload = Buffer.from(JSON.stringify(forged)).toString("base64");
    writeFileSync(example.path("out/forged.dsse.json"), JSON.stringify(envelope));

    const checked = render("out/forged.dsse.json", "--format", "text", "--key", KEY);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe("");
    expect(checked.stderr).toContain("report_signature_invalid");
    const unchecked = render("out/forged.dsse.json", "--format", "text");
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain("Signature not checked");
    expect(unchecked.stdout).toMatch(/^✘ NOT PROVEN /);
  });
});

describe("report render, when the input is unusable", () => {
  it("names the JSON pointer of a signed predicate that is not a drill report (exit 2)", () => {
    const withoutStages = Object.fromEntries(
      Object.entries(report).filter(([k]) => k !== "stages"),
    );
    const envelope = signed("out/no-stages.dsse.json", { ...withoutStages, verdict: "maybe" });
    const run = render(envelope, "--format", "html", "--key", KEY, "--json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_invalid", `${envelope}#/payload/predicate/stages`);
    expect(run.json()).toHaveFinding("document_invalid", `${envelope}#/payload/predicate/verdict`);
  });

  it("refuses a shard report: only a drill's own report renders (exit 2)", () => {
    const statement = createStatement(
      report.releaseId,
      report.releaseIdentity,
      report,
      SHARD_REPORT_PREDICATE_TYPE,
    );
    const signer = createSigner(readFileSync(example.path(".recoverable/keys/drill.key"), "utf8"));
    const envelope = signEnvelope(
      "application/vnd.in-toto+json",
      Buffer.from(JSON.stringify(statement)),
      signer,
    );
    writeFileSync(example.path("out/shard-1-of-2.dsse.json"), JSON.stringify(envelope));
    const run = render("out/shard-1-of-2.dsse.json", "--format", "html", "--key", KEY, "--json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("document_invalid", "out/shard-1-of-2.dsse.json#/payload");
    expect(run.json().findings[0]?.message).toContain(SHARD_REPORT_PREDICATE_TYPE);
  });

  it("refuses a statement about another release than the report inside it (exit 2)", () => {
    const envelope = signed("out/other-release.dsse.json", report, ".recoverable/keys", {
      sha256: "0".repeat(64),
    });
    const run = render(envelope, "--format", "markdown", "--key", KEY, "--json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding(
      "document_invalid",
      `${envelope}#/payload/predicate/releaseIdentity`,
    );
  });

  it("names every bad flag at once: an unknown --format and an --out that is a directory", () => {
    const run = render(ENVELOPE, "--format", "pdf", "--out", "out", "--json");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid", "--format");
    expect(run.json()).toHaveFinding("usage_invalid", "--out");
  });

  it("says document_unreadable for an envelope that is not there, and usage_invalid without --format", () => {
    const missing = render("out/nope.dsse.json", "--format", "html", "--json");
    expect(missing.code).toBe(2);
    expect(missing.json()).toHaveFinding("document_unreadable");
    const noFormat = render(ENVELOPE, "--json");
    expect(noFormat.code).toBe(2);
    expect(noFormat.json()).toMatchObject({ verb: "report render" });
    expect(noFormat.json()).toHaveFinding("usage_invalid");
  });

  it("verifies and renders a signed report whose passed store checks are summarised (over 10,000 artifacts)", () => {
    const artifacts = Array.from({ length: SUMMARY_THRESHOLD + 1 }, (_, i) => ({
      path: `files/f${i}.txt`,
      kind: "file" as const,
      role: "durable" as const,
      size: 1,
      digest: { sha256: "ab".repeat(32) },
    }));
    const store = storeChecks(artifacts, [], true);
    const checks = [...store, ...report.checks.filter((c) => c.kind !== "store")];
    const name = signed("out/summarised.dsse.json", { ...report, checks });
    const verify = runCLI(["report", "verify", name, "--key", KEY, "--json"], {
      cwd: example.dir,
    });
    expect(verify.code, verify.stdout).toBe(0);
    const junit = render(name, "--format", "junit", "--key", KEY);
    expect(junit.code, junit.stderr).toBe(0);
    expect(junit.stdout).toContain('name="every other durable file"');
    const text = render(name, "--format", "text", "--key", KEY);
    expect(text.code, text.stderr).toBe(0);
  });

  it("teaches with examples in --help", () => {
    const help = render("--help");
    expect(help.code).toBe(0);
    const block = help.stdout.split("Examples")[1] ?? "";
    const commands = block.split("\n").filter((line) => line.trimStart().startsWith("$ "));
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const line of commands) expect(line).toMatch(/^ {2}\$ recoverable report render /);
  });
});
