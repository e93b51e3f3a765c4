// Ed25519 signing and verification of DSSE envelopes with node:crypto. Keys come in as PEM
// (PKCS#8 private, SPKI public); the key id is hex sha256 of the SPKI DER (DESIGN.md).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { keyIdOf } from "../identity/key-id.js";
import { pae, type DecodedEnvelope, type DSSEEnvelope } from "./dsse.js";

export type Signer = { readonly keyId: string; readonly sign: (message: Uint8Array) => Buffer };

export function createSigner(privateKeyPem: string): Signer {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new TypeError(
      `the signing key is ${privateKey.asymmetricKeyType ?? "unknown"}, not Ed25519`,
    );
  }
  const keyId = keyIdOf(createPublicKey(privateKey));
  return { keyId, sign: (message) => sign(null, message, privateKey) };
}

export function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  signer: Signer,
): DSSEEnvelope {
  return {
    payloadType,
    payload: Buffer.from(payload).toString("base64"),
    signatures: [
      { keyid: signer.keyId, sig: signer.sign(pae(payloadType, payload)).toString("base64") },
    ],
  };
}

export type SignatureCheck =
  | { readonly valid: true; readonly key: KeyObject; readonly payload: Buffer }
  | { readonly valid: false; readonly reason: string };

/**
 * Whether any signature of the envelope is a valid Ed25519 signature by one of `publicKeys`
 * (the first that verifies, in order) over the PAE of the envelope's own payload bytes and
 * payload type. The keyid is a hint only: every signature is tried, so a wrong or missing keyid
 * cannot make a good signature fail or a bad one pass.
 */
export function checkEnvelopeSignature(
  envelope: DecodedEnvelope,
  publicKeys: readonly KeyObject[],
): SignatureCheck {
  if (publicKeys.length === 0)
    return { valid: false, reason: "no trusted key was given to verify it with" };
  const signed = envelope.signed;
  if (signed === null) return { valid: false, reason: "the payload is not standard base64" };
  if (envelope.signatureCount === 0)
    return { valid: false, reason: "the envelope has no signatures" };
  const sigs = envelope.signatures.filter((sig) => sig.length === 64);
  for (const key of publicKeys)
    if (sigs.some((sig) => verify(null, signed.message, key, sig)))
      return { valid: true, key, payload: signed.payload };
  return {
    valid: false,
    reason:
      publicKeys.length === 1
        ? "no signature verifies with the trusted key over the envelope's payload"
        : `no signature verifies with any of the ${publicKeys.length} trusted keys over the envelope's payload`,
  };
}
