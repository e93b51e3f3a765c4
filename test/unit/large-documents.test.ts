// The readers of signed reports on inputs of any size the drill can write, and on hostile ones:
// bounded stack (no RangeError however deep, long or wide), and a problem, never an exception.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseStrictJSON, parseStrictJSONLeaving } from "../../src/documents/strict-json.js";
import {
  base64DecodedLength,
  checkEnvelopeShape,
  decodeEnvelope,
  MAX_SIGNATURES,
  type DSSEEnvelope,
} from "../../src/report/dsse.js";
import { checkEnvelopeSignature, createSigner, signEnvelope } from "../../src/report/signing.js";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const signer = createSigner(privateKey.export({ type: "pkcs8", format: "pem" }) as string);
const TYPE = "application/vnd.in-toto+json";

describe("parseStrictJSON, on documents far larger or deeper than any report", () => {
  it.each([
    ["arrays", "[".repeat(1_000_000)],
    ["objects", '{"a":'.repeat(1_000_000)],
    ["arrays in objects", '{"a":['.repeat(500_000)],
  ])("refuses a million levels of %s as too deep, without running out of stack", (_, text) => {
    const result = parseStrictJSON(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toBe("nesting deeper than 64 levels");
  });

  it("parses an array of two million checks", () => {
    const check = '{"name":"tiles/000/t1.txt","kind":"store","status":"passed"}';
    const result = parseStrictJSON(`{"checks":[${Array(2_000_000).fill(check).join(",")}]}`);
    expect(result.ok).toBe(true);
    if (result.ok) expect((result.value as { checks: unknown[] }).checks).toHaveLength(2_000_000);
  });

  it("parses a string of a hundred million characters", () => {
    const result = parseStrictJSON(`["${"a".repeat(100_000_000)}"]`);
    expect(result.ok && (result.value as string[])[0]?.length).toBe(100_000_000);
  });

  it("cuts a huge number or key to 64 characters in the problem it names", () => {
    const number = parseStrictJSON(`[1${"0".repeat(1_000_000)}]`);
    expect(number.ok).toBe(false);
    if (!number.ok)
      expect(number.problem.message).toBe(
        `the number 1${"0".repeat(63)}… (1000001 characters) is not a finite double`,
      );
    const key = "k".repeat(1_000_000);
    const duplicate = parseStrictJSON(`{"${key}": 1, "${key}": 2}`);
    expect(duplicate.ok).toBe(false);
    if (!duplicate.ok) {
      expect(duplicate.problem.message).toBe(
        `duplicate key "${"k".repeat(64)}… (1000000 characters)"`,
      );
      expect(duplicate.problem.pointer).toBe(`/${"k".repeat(64)}… (1000000 characters)`);
    }
  });
});

describe("parseStrictJSONLeaving", () => {
  it("leaves the named members of the root as their JSON text and parses the rest", () => {
    const result = parseStrictJSONLeaving('\uFEFF{"a": [1, 2], "payload" : "QUJD", "b": {}}', [
      "payload",
    ]);
    expect(result).toEqual({
      ok: true,
      value: { a: [1, 2], b: {} },
      left: new Map([["payload", '"QUJD"']]),
    });
  });

  it("keeps a __proto__ member as data, as JSON.parse does", () => {
    const result = parseStrictJSONLeaving('{"__proto__": {"polluted": true}, "x": 1}', ["x"]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Object.keys(result.value as object)).toEqual(["__proto__"]);
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    }
  });

  it("parses a root that is not an object whole, and refuses what parseStrictJSON refuses", () => {
    expect(parseStrictJSONLeaving('["payload"]', ["payload"])).toEqual({
      ok: true,
      value: ["payload"],
      left: new Map(),
    });
    expect(parseStrictJSONLeaving('{"payload": 1, "payload": 2}', ["payload"]).ok).toBe(false);
  });
});

describe("base64DecodedLength", () => {
  it("accepts strict standard base64 of any length, without running out of stack", () => {
    const text = Buffer.alloc(30_000_000, 0xa5).toString("base64"); // 40 million characters
    expect(base64DecodedLength(text)).toBe(30_000_000);
    expect(base64DecodedLength("QQ==")).toBe(1);
    expect(base64DecodedLength("QUI=")).toBe(2);
    expect(base64DecodedLength("")).toBe(0);
  });

  it.each([
    ["a length that is not a multiple of 4", "QUJDR"],
    ["no padding", "QQ"],
    ["the URL-safe alphabet", "-_-_"],
    ["padding inside", "QQ==QUJD"],
    ["a line break", "QUJD\nQUJD"],
    ["three padding characters", "Q==="],
  ])("refuses %s", (_, text) => {
    expect(base64DecodedLength(text)).toBeNull();
  });
});

describe("decodeEnvelope and checkEnvelopeSignature, on a payload of tens of megabytes", () => {
  const payload = Buffer.alloc(24_000_000, "x");
  const envelope = signEnvelope(TYPE, payload, signer);

  it("verifies it, decoding the payload into the signed message once", () => {
    const decoded = decodeEnvelope(envelope);
    expect(decoded.signed?.payload.equals(payload)).toBe(true);
    const check = checkEnvelopeSignature(decoded, [publicKey]);
    expect(check.valid).toBe(true);
  });

  it("says the payload is not base64 when one character of it is not", () => {
    const bad = {
      ...envelope,
      payload: `${envelope.payload.slice(0, -5)}!${envelope.payload.slice(-4)}`,
    };
    expect(checkEnvelopeSignature(decodeEnvelope(bad), [publicKey])).toEqual({
      valid: false,
      reason: "the payload is not standard base64",
    });
  });
});

describe("an envelope's signatures", () => {
  const envelope = signEnvelope(TYPE, Buffer.from("{}"), signer);

  it("may hold entries that are not signatures: they never verify, and never throw", () => {
    const odd = { ...envelope, signatures: [null, 5, "x", { sig: 7 }, ...envelope.signatures] };
    expect(checkEnvelopeShape(odd)).toEqual([]);
    const decoded = decodeEnvelope(odd as unknown as DSSEEnvelope);
    expect(checkEnvelopeSignature(decoded, [publicKey]).valid).toBe(true);
    const none = decodeEnvelope({ ...envelope, signatures: [null] } as unknown as DSSEEnvelope);
    expect(checkEnvelopeSignature(none, [publicKey]).valid).toBe(false);
  });

  it(`are at most ${MAX_SIGNATURES}: each is a hash of the whole payload per trusted key`, () => {
    const many = {
      ...envelope,
      signatures: Array(MAX_SIGNATURES + 1).fill(envelope.signatures[0]),
    };
    expect(checkEnvelopeShape(many)).toEqual([
      {
        pointer: "/signatures",
        message: `has ${MAX_SIGNATURES + 1} entries, more than the ${MAX_SIGNATURES} a verifier tries`,
      },
    ]);
    expect(checkEnvelopeShape({ ...envelope, signatures: many.signatures.slice(1) })).toEqual([]);
  });
});
