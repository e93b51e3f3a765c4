// DSSE and Ed25519 against the specifications' own vectors and a checked-in golden envelope.
import { createHash, createPrivateKey, createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  pae,
  checkEnvelopeShape,
  decodeEnvelope,
  type DSSEEnvelope,
} from "../../src/report/dsse.js";
import { checkEnvelopeSignature, createSigner, signEnvelope } from "../../src/report/signing.js";

const FIXTURES = new URL("../fixtures/dsse/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES));
const check = (envelope: DSSEEnvelope, key: KeyObject) =>
  checkEnvelopeSignature(decodeEnvelope(envelope), [key]);

// RFC 8032 section 7.1, TEST 1.
const RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_SIGNATURE_OF_EMPTY =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

function rfc8032PrivateKeyPem(): string {
  const pkcs8 = Buffer.concat([
    Buffer.from("302e020100300506032b657004220420", "hex"),
    Buffer.from(RFC8032_SECRET, "hex"),
  ]);
  return createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({
    type: "pkcs8",
    format: "pem",
  }) as string;
}

describe("pae", () => {
  it("matches the DSSE specification's example byte for byte", () => {
    expect(
      pae("http://example.com/HelloWorld", Buffer.from("hello world")).toString("latin1"),
    ).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });

  it("counts bytes, not characters, and keeps the body verbatim", () => {
    expect(
      pae("é", Buffer.from("a b\n\0")).equals(Buffer.from("DSSEv1 2 é 5 a b\n\0", "utf8")),
    ).toBe(true);
    expect(pae("", Buffer.alloc(0)).toString()).toBe("DSSEv1 0  0 ");
  });
});

describe("Ed25519 signing with node:crypto", () => {
  it("reproduces RFC 8032 TEST 1 (public key and signature of the empty message)", () => {
    const signer = createSigner(rfc8032PrivateKeyPem());
    expect(signer.sign(Buffer.alloc(0)).toString("hex")).toBe(RFC8032_SIGNATURE_OF_EMPTY);
    const spki = createPublicKey(rfc8032PrivateKeyPem()).export({ type: "spki", format: "der" });
    expect(spki.subarray(-32).toString("hex")).toBe(RFC8032_PUBLIC);
    expect(signer.keyId).toBe(createHash("sha256").update(spki).digest("hex"));
  });
});

describe("the golden envelope", () => {
  const golden = JSON.parse(read("golden-envelope.json").toString("utf8")) as DSSEEnvelope;
  const payload = read("golden-payload.json");
  const publicKey = createPublicKey(read("rfc8032-test1.pub"));

  it("is reproduced byte for byte by signing the same payload with the same key", () => {
    const envelope = signEnvelope(
      "application/vnd.in-toto+json",
      payload,
      createSigner(rfc8032PrivateKeyPem()),
    );
    expect(`${JSON.stringify(envelope, null, 2)}\n`).toBe(
      read("golden-envelope.json").toString("utf8"),
    );
  });

  it("verifies with a PAE built independently from the specification's text", () => {
    const body = Buffer.from(golden.payload, "base64");
    expect(body.equals(payload)).toBe(true);
    const type = golden.payloadType;
    const independentPAE = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `),
      body,
    ]);
    const sig = Buffer.from(golden.signatures[0]?.sig ?? "", "base64");
    expect(verify(null, independentPAE, publicKey, sig)).toBe(true);
    expect(check(golden, publicKey)).toMatchObject({ valid: true });
  });

  it("fails for one changed byte of the payload, and for a signature over the raw payload", () => {
    const changed = Buffer.from(payload);
    changed[40] = (changed[40] ?? 0) ^ 1;
    expect(check({ ...golden, payload: changed.toString("base64") }, publicKey).valid).toBe(false);
    const rawSigner = createSigner(rfc8032PrivateKeyPem());
    const overRaw = {
      ...golden,
      signatures: [{ keyid: rawSigner.keyId, sig: rawSigner.sign(payload).toString("base64") }],
    };
    expect(check(overRaw, publicKey).valid).toBe(false);
  });

  it("does not trust the keyid: a wrong keyid on a good signature still verifies, a right keyid on a bad one does not", () => {
    const sig = golden.signatures[0]?.sig ?? "";
    expect(check({ ...golden, signatures: [{ keyid: "nonsense", sig }] }, publicKey).valid).toBe(
      true,
    );
    const otherKey = createPublicKey(
      createPrivateKey({
        key: Buffer.concat([
          Buffer.from("302e020100300506032b657004220420", "hex"),
          Buffer.alloc(32, 7),
        ]),
        format: "der",
        type: "pkcs8",
      }),
    );
    expect(check(golden, otherKey).valid).toBe(false);
  });

  it("has the shape of an envelope, and shapes that are not are named", () => {
    expect(checkEnvelopeShape(golden)).toEqual([]);
    expect(checkEnvelopeShape({ payload: "", signatures: {} })).toEqual([
      { pointer: "/payloadType", message: "must be a string" },
      { pointer: "/signatures", message: "must be an array" },
    ]);
  });
});
