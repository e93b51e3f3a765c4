// DSSE, the Dead Simple Signing Envelope (github.com/secure-systems-lab/dsse, protocol.md and
// envelope.md), as pure functions. A signature is over PAE(payloadType, payload bytes), never
// over re-serialised JSON.

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

export type DSSESignature = { readonly keyid: string; readonly sig: string };

export type DSSEEnvelope = {
  readonly payloadType: string;
  /** Standard base64 of the serialised payload bytes. */
  readonly payload: string;
  readonly signatures: readonly DSSESignature[];
};

/**
 * Pre-Authentication Encoding (protocol.md): "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * lengths as ASCII decimal byte counts without leading zeros.
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "ascii"),
    type,
    Buffer.from(` ${payload.length} `, "ascii"),
    payload,
  ]);
}

export type EnvelopeShapeProblem = { readonly pointer: string; readonly message: string };

/**
 * Checks that a parsed value has the envelope's shape (DESIGN.md: lacking payloadType, payload
 * or signatures is unusable input). Signature validity is checked elsewhere.
 */
export function checkEnvelopeShape(value: unknown): EnvelopeShapeProblem[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [{ pointer: "", message: "is not a JSON object" }];
  }
  const record = value as Record<string, unknown>;
  const problems: EnvelopeShapeProblem[] = [];
  for (const field of ["payloadType", "payload"] as const) {
    if (typeof record[field] !== "string")
      problems.push({ pointer: `/${field}`, message: "must be a string" });
  }
  if (!Array.isArray(record["signatures"])) {
    problems.push({ pointer: "/signatures", message: "must be an array" });
  }
  return problems;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (the envelope's encoding); null when the text is not that. */
export function decodeBase64(text: string): Buffer | null {
  return BASE64.test(text) ? Buffer.from(text, "base64") : null;
}
