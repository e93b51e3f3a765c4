// The identity chain is pure: these tests hand it values and check every link.
import { createHash } from "node:crypto";
import canonicalizeReference from "canonicalize";
import fc from "fast-check";
import { canonicalize as jsonCanonicalize } from "json-canonicalize";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEvidence } from "../../src/documents/load-evidence.js";
import { atlasPaths } from "../../src/documents/evidence-paths.js";
import {
  releaseIdentityOf,
  verifyChain,
  type Evidence,
  type EvidenceFiles,
} from "../../src/documents/identity-chain.js";
import { canonicalJSON, digestOfJSON, digestsEqual } from "../../src/identity/digest.js";
import { createFixtureStore } from "../helpers/fixture-store.js";

const reference = canonicalizeReference as unknown as (value: unknown) => string;

describe("canonicalJSON (RFC 8785)", () => {
  it("equals an independent JCS implementation on random JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJSON(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it("equals json-canonicalize, and the streamed digest equals sha256 of that text", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = jsonCanonicalize(value);
        expect(canonicalJSON(value)).toBe(text);
        expect(digestOfJSON(value).sha256).toBe(
          createHash("sha256").update(text, "utf8").digest("hex"),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("streams a large document's digest in pieces that equal the whole", () => {
    const big = {
      artifacts: Array.from({ length: 5000 }, (_, i) => ({
        path: `files/d${i % 50}/f${i}.bin`,
        digest: { sha256: createHash("sha256").update(String(i)).digest("hex") },
        size: i * 7,
        note: "é€😀".repeat(i % 5),
      })),
    };
    const text = reference(big);
    expect(text.length).toBeGreaterThan(4 * 65_536);
    expect(digestOfJSON(big).sha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  it("serialises the RFC 8785 section 3.2.2 sample as the RFC does", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJSON(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units, as RFC 8785 section 3.2.3 says", () => {
    const input = {
      "\u20ac": 1,
      "\r": 2,
      "\ufb33": 3,
      "1": 4,
      "\ud83d\ude00": 5,
      "\u0080": 6,
      "\u00f6": 7,
    };
    const text = canonicalJSON(input);
    // Object.keys would put "1" first (JS orders integer-like keys), so read the text itself.
    const positions = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map(
      (key) => text.indexOf(`${JSON.stringify(key)}:`),
    );
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("makes formatting and key order irrelevant to a digest", () => {
    const a = JSON.parse('{"b": [1, 2.0], "a": {"y": null, "x": "é"}}') as unknown;
    const b = JSON.parse('{"a":{"x":"é","y":null},"b":[1,2]}') as unknown;
    expect(digestsEqual(digestOfJSON(a), digestOfJSON(b))).toBe(true);
  });
});

describe("verifyChain", () => {
  let evidence: Evidence;
  let files: EvidenceFiles;
  beforeAll(async () => {
    const fixture = await createFixtureStore();
    const loaded = await loadEvidence(atlasPaths(fixture.ops));
    if (!loaded.ok) throw new Error("fixture evidence did not load");
    evidence = loaded.evidence;
    files = loaded.files;
  });

  it("holds for freshly sealed evidence", () => {
    expect(verifyChain(evidence, files)).toEqual([]);
  });

  it("takes the release identity as sha256 over the RFC 8785 packet", () => {
    const expected = createHash("sha256").update(reference(evidence.packet)).digest("hex");
    expect(releaseIdentityOf(evidence.packet).sha256).toBe(expected);
  });

  it("breaks at manifest -> packet when the manifest changes", () => {
    const manifest = { ...evidence.manifest, artifacts: evidence.manifest.artifacts.slice(1) };
    const findings = verifyChain({ ...evidence, manifest }, files);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: "evidence_chain_broken",
      expected: evidence.packet.manifest.digest.sha256,
      actual: digestOfJSON(manifest).sha256,
    });
    expect(findings[0]?.message).toMatch(/^manifest -> packet:/);
  });

  it("breaks at rollback policy -> packet when the policy changes", () => {
    const rollbackPolicy = { ...evidence.rollbackPolicy, objectives: { rpo: "1h", rto: "1m" } };
    const findings = verifyChain({ ...evidence, rollbackPolicy }, files);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^rollback policy -> packet:/),
    ]);
  });

  it("breaks at packet -> provenance when the packet changes", () => {
    const packet = { ...evidence.packet, probes: [] };
    const findings = verifyChain({ ...evidence, packet }, files);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      subject: expect.stringMatching(/#\/subject\/0\/digest$/),
      actual: releaseIdentityOf(packet).sha256,
    });
  });

  it("breaks when the provenance names another release", () => {
    const subject = { name: "release:other", digest: evidence.provenance.subject[0].digest };
    const findings = verifyChain(
      { ...evidence, provenance: { ...evidence.provenance, subject: [subject] } },
      files,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        code: "evidence_chain_broken",
        expected: "release:fixture-1.2.3",
        actual: "release:other",
      }),
    ]);
  });
});
