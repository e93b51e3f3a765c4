import { createHash, timingSafeEqual } from "node:crypto";

/** An in-toto digest set with the one algorithm recoverable writes. */
export type DigestSet = { readonly sha256: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSHA256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function digestOfBytes(bytes: Uint8Array | string): DigestSet {
  return { sha256: sha256Hex(bytes) };
}

// RFC 8785 canonical form: formatting, key order and number spelling never change identity.
// The digest of a JSON document is sha256 over its canonical UTF-8 bytes, streamed.
export { canonicalJSON, digestOfJSON } from "./canonical-json.js";

/** Constant-time equality of two hex digests (different lengths are simply unequal). */
export function digestsEqual(expected: DigestSet, actual: DigestSet): boolean {
  const a = Buffer.from(expected.sha256, "utf8");
  const b = Buffer.from(actual.sha256, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256:ab12cd34…` — short enough for a terminal line, long enough to tell apart. */
export function shortDigest(digest: DigestSet): string {
  return `sha256:${digest.sha256.slice(0, 12)}`;
}
