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
  return Buffer.concat([paePrefix(payloadType, payload.length), payload]);
}

/** PAE up to the body: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP. */
function paePrefix(payloadType: string, bodyLength: number): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "ascii"),
    type,
    Buffer.from(` ${bodyLength} `, "ascii"),
  ]);
}

/** The most signatures one envelope may carry (recoverable writes one). */
export const MAX_SIGNATURES = 16;

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
  const signatures = record["signatures"];
  if (!Array.isArray(signatures)) {
    problems.push({ pointer: "/signatures", message: "must be an array" });
  } else if (signatures.length > MAX_SIGNATURES) {
    // Each signature is a hash of the whole payload per trusted key: bounded, or a hostile
    // envelope of a large payload would take hours to refuse.
    problems.push({
      pointer: "/signatures",
      message: `has ${signatures.length} entries, more than the ${MAX_SIGNATURES} a verifier tries`,
    });
  }
  return problems;
}

/**
 * The length of the bytes that strict standard base64 text decodes to (padded, no line breaks,
 * no URL-safe alphabet); null when the text is not that. A loop over character codes, not a
 * regular expression: V8's regex engine runs out of stack on a repeated group over a few
 * megabytes, and a signed report of a large store has a payload of hundreds.
 */
export function base64DecodedLength(text: string): number | null {
  const length = text.length;
  if (length % 4 !== 0) return null;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  for (let i = 0; i < length - padding; i++) if (!isBase64Code(text.charCodeAt(i))) return null;
  return (length / 4) * 3 - padding;
}

function isBase64Code(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2b || // +
    code === 0x2f // /
  );
}

/** Strict standard base64 (the envelope's encoding); null when the text is not that. */
function decodeBase64(text: string): Buffer | null {
  return base64DecodedLength(text) === null ? null : Buffer.from(text, "base64");
}

/**
 * PAE(payloadType, payload) for an envelope's base64 payload, decoded straight into the message
 * so that a large payload is held once, not once decoded and again inside the message; the
 * payload is a view of the message's tail. Null when the payload is not strict base64.
 */
function paeOfBase64(
  payloadType: string,
  payloadBase64: string,
): { readonly message: Buffer; readonly payload: Buffer } | null {
  const length = base64DecodedLength(payloadBase64);
  if (length === null) return null;
  const prefix = paePrefix(payloadType, length);
  const message = Buffer.allocUnsafe(prefix.length + length);
  prefix.copy(message);
  const written = message.write(payloadBase64, prefix.length, "base64");
  if (written !== length) return null;
  return { message, payload: message.subarray(prefix.length) };
}

/**
 * An envelope as a verifier holds it: the payload decoded once, into the PAE message its
 * signatures are over, so the base64 text (a third larger) need not be kept.
 */
export type DecodedEnvelope = {
  readonly payloadType: string;
  /** PAE(payloadType, payload), and the payload as a view of its tail; null when not base64. */
  readonly signed: { readonly message: Buffer; readonly payload: Buffer } | null;
  /** How many signatures the envelope lists, and those of them that are strict base64. */
  readonly signatureCount: number;
  readonly signatures: readonly Buffer[];
};

/** Decodes an envelope whose shape has been checked (checkEnvelopeShape). */
export function decodeEnvelope(envelope: DSSEEnvelope): DecodedEnvelope {
  // The shape is checked only down to `signatures` being an array: an entry may be anything.
  const sigs = envelope.signatures.map(
    (entry: unknown) => (entry as { sig?: unknown } | null)?.sig,
  );
  return {
    payloadType: envelope.payloadType,
    signed: paeOfBase64(envelope.payloadType, envelope.payload),
    signatureCount: sigs.length,
    signatures: sigs
      .map((sig) => (typeof sig === "string" ? decodeBase64(sig) : null))
      .filter((sig): sig is Buffer => sig !== null),
  };
}
