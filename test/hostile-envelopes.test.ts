// Envelopes no drill writes, as the readers of signed reports meet them: far too large, nested
// a million deep, a payload that is not base64 or decodes to garbage, signatures that are not.
// Each is refused with a finding and a hint, one JSON object with the real exit code, and no
// stack trace.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ENVELOPE_BYTES } from "../src/report/trusted-reports.js";
import { createSigner, signEnvelope } from "../src/report/signing.js";
import { createStatement } from "../src/report/statement.js";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import { sampleReport } from "./helpers/sample-report.js";

const KEY = ".recoverable/keys/drill.pub";
const TYPE = "application/vnd.in-toto+json";

let example: ExampleCopy;
beforeAll(() => {
  example = copyExample();
  expect(runCLI(["keygen", "--out", "other"], { cwd: example.dir }).code).toBe(0);
});

const run = (...args: string[]): CLIRun => runCLI([...args, "--json"], { cwd: example.dir });
const verify = (name: string) => run("report", "verify", name, "--key", KEY);
const render = (name: string, ...flags: string[]) =>
  run("report", "render", name, "--format", "text", ...flags);

/** The contract: one JSON object on stdout whose exitCode is the real one, no stack trace. */
function refused(result: CLIRun, exitCode: number, code: string, subject?: string | RegExp) {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const json = result.json();
  expect({ exit: result.code, exitCode: json.exitCode }).toEqual({ exit: exitCode, exitCode });
  expect(json).toHaveFinding(code, subject);
  expect(json).not.toHaveFinding("internal_error");
  return json.findings.find((f) => f.code === code) as ReturnType<CLIRun["json"]>["findings"][0];
}

/** An envelope of `payload` bytes, signed by the key in `keys` (.recoverable/keys or other). */
function signedBytes(name: string, payload: Buffer, keys = ".recoverable/keys"): string {
  const signer = createSigner(readFileSync(example.path(`${keys}/drill.key`), "utf8"));
  writeFileSync(example.path(name), JSON.stringify(signEnvelope(TYPE, payload, signer)));
  return name;
}

function writeEnvelope(name: string, text: string): string {
  writeFileSync(example.path(name), text);
  return name;
}

/** A sparse file of `size` bytes: only its size is ever read. */
function sparse(name: string, size: number): string {
  mkdirSync(dirname(example.path(name)), { recursive: true });
  const fd = openSync(example.path(name), "w");
  ftruncateSync(fd, size);
  closeSync(fd);
  return name;
}

describe("an envelope larger than any drill writes", () => {
  const name = "huge.dsse.json";
  beforeAll(() => sparse(name, MAX_ENVELOPE_BYTES + 1));

  it("is refused by report verify and report render from its size alone, with what to do", () => {
    for (const result of [verify(name), render(name), render(name, "--key", KEY)]) {
      const finding = refused(result, 2, "document_unreadable", name);
      expect(finding.message).toBe(
        `${name}: the signed report is ${MAX_ENVELOPE_BYTES + 1} bytes, over the limit of ${MAX_ENVELOPE_BYTES}`,
      );
      expect(finding.hint).toMatch(/^No drill writes a signed report this large/);
    }
  });

  it("named to gate is unusable input, exit 2", () => {
    refused(run("gate", "--report", name), 2, "document_unreadable", name);
  });

  it("in the reports folder, is set aside by gate and audit, which judge the rest", () => {
    const stray = sparse(".recoverable/reports/stray/huge.dsse.json", MAX_ENVELOPE_BYTES + 1);
    try {
      const gate = refused(run("gate"), 1, "no_drill_report");
      expect(gate.message).toMatch(/no signed drill report|0 reports/);
      expect(run("gate").json()).toHaveFinding("document_unreadable", stray);
      const audit = run("audit");
      expect(audit.json().exitCode).toBe(audit.code);
      expect(audit.json()).not.toHaveFinding("internal_error");
      expect(audit.stdout).toContain(`Not believed: ${stray}: the signed report is`);
    } finally {
      rmSync(example.path(".recoverable/reports/stray"), { recursive: true });
    }
  });
});

describe("an envelope nested far deeper than any report", () => {
  it.each([
    ["arrays", "[".repeat(1_000_000)],
    ["objects", '{"payload":'.repeat(1_000_000)],
  ])("of a million %s is unreadable, exit 2", (kind, text) => {
    const name = writeEnvelope(`deep-${kind}.dsse.json`, text);
    for (const result of [verify(name), render(name)]) {
      const finding = refused(result, 2, "document_unreadable", new RegExp(`^${name}#`));
      expect(finding.message).toMatch(/nesting deeper than 64 levels$/);
    }
  });
});

describe("a payload that is not what a drill signs", () => {
  it("of 40 million base64 characters and one that is not fails the signature, exit 1", () => {
    const good = Buffer.alloc(30_000_000, "x").toString("base64");
    const payload = `${good.slice(0, -8)}!${good.slice(-7)}`;
    const name = writeEnvelope(
      "not-base64.dsse.json",
      JSON.stringify({ payloadType: TYPE, payload, signatures: [{ keyid: "", sig: "" }] }),
    );
    const finding = refused(verify(name), 1, "report_signature_invalid", name);
    expect(finding.actual).toBe("the payload is not standard base64");
    refused(render(name), 2, "document_invalid", `${name}#/payload`);
  });

  it("that decodes to bytes that are not UTF-8 is unreadable once its signature holds", () => {
    const garbage = Buffer.concat([Buffer.from("{"), randomBytes(1_000_000), Buffer.from([0xff])]);
    const name = signedBytes("garbage.dsse.json", garbage);
    const finding = refused(verify(name), 2, "document_unreadable", `${name}#/payload`);
    expect(finding.message).toBe(`${name}: the signed payload is not UTF-8 text`);
    refused(render(name), 2, "document_unreadable", `${name}#/payload`);
    const other = signedBytes("garbage-other.dsse.json", garbage, "other");
    refused(verify(other), 1, "report_signature_invalid", other);
  });

  it("that is JSON nested a million deep is unreadable, exit 2", () => {
    const name = signedBytes("deep-payload.dsse.json", Buffer.from("[".repeat(1_000_000)));
    const finding = refused(verify(name), 2, "document_unreadable", `${name}#/payload`);
    expect(finding.message).toMatch(/is not JSON: nesting deeper than 64 levels/);
  });

  it("with a _type of fifty million characters names only its start", () => {
    const statement = { ...createStatement("atlas", { sha256: "a".repeat(64) }, sampleReport()) };
    const name = signedBytes(
      "long-type.dsse.json",
      Buffer.from(JSON.stringify({ ...statement, _type: "t".repeat(50_000_000) })),
    );
    const finding = refused(render(name), 2, "document_invalid", `${name}#/payload`);
    expect(finding.message).toBe(
      `${name}: the signed payload has _type "${"t".repeat(64)}…", not https://in-toto.io/Statement/v1`,
    );
  });
});

describe("an envelope's signatures", () => {
  const envelopeOf = (signatures: unknown[]) => {
    const signer = createSigner(readFileSync(example.path(".recoverable/keys/drill.key"), "utf8"));
    const statement = createStatement("atlas", { sha256: "a".repeat(64) }, sampleReport());
    const envelope = signEnvelope(TYPE, Buffer.from(JSON.stringify(statement)), signer);
    return JSON.stringify({
      ...envelope,
      signatures: signatures.length ? signatures : envelope.signatures,
    });
  };

  it("that are not signatures (null, a number, a sig that is not a string) fail, exit 1", () => {
    const name = writeEnvelope("odd-signatures.dsse.json", envelopeOf([null, 5, { sig: 7 }]));
    const finding = refused(verify(name), 1, "report_signature_invalid", name);
    expect(finding.actual).toBe(
      "no signature verifies with the trusted key over the envelope's payload",
    );
  });

  it("over sixteen are refused before any is tried, exit 2", () => {
    const signature = { keyid: "k", sig: Buffer.alloc(64).toString("base64") };
    const name = writeEnvelope("many.dsse.json", envelopeOf(Array(17).fill(signature)));
    const finding = refused(verify(name), 2, "document_invalid", `${name}#/signatures`);
    expect(finding.message).toMatch(
      /\/signatures has 17 entries, more than the 16 a verifier tries/,
    );
  });
});
