// RFC 8785 (JCS) canonical JSON, written piece by piece to a sink, so a document's digest is
// taken without ever holding its canonical text: a manifest of 80 000 artifacts is 18 MiB of
// text, and building it as one string cost over 100 MiB of memory at its peak.
//
// The rules: no whitespace; object members sorted by the UTF-16 code units of their names;
// strings and numbers exactly as ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2.2,
// §3.2.2.3 are defined as that); non-finite numbers refused. It gives the same text as the
// json-canonicalize package on every JSON value (a property test checks it).
import { createHash } from "node:crypto";
import type { DigestSet } from "./digest.js";

type Sink = (text: string) => void;

export function writeCanonicalJSON(value: unknown, write: Sink): void {
  if (value === null || typeof value !== "object" || hasToJSON(value)) {
    if (typeof value === "number" && !Number.isFinite(value))
      throw new Error(`Non-finite number (${value}) is not permitted in JSON (RFC 8785 §3.2.2.3)`);
    write(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    write("[");
    value.forEach((element: unknown, index) => {
      if (index > 0) write(",");
      writeCanonicalJSON(element === undefined ? null : element, write);
    });
    write("]");
    return;
  }
  write("{");
  let first = true;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) write(",");
    first = false;
    write(JSON.stringify(key));
    write(":");
    writeCanonicalJSON(member, write);
  }
  write("}");
}

function hasToJSON(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

/** The canonical text as one string (for small documents and signatures). */
export function canonicalJSON(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJSON(value, (text) => parts.push(text));
  return parts.join("");
}

const FLUSH_CHARS = 64 * 1024;

/** sha256 over the canonical UTF-8 bytes, fed to the hash in 64 Ki-character pieces. */
export function digestOfJSON(value: unknown): DigestSet {
  const hash = createHash("sha256");
  let pending: string[] = [];
  let length = 0;
  writeCanonicalJSON(value, (text) => {
    pending.push(text);
    length += text.length;
    if (length >= FLUSH_CHARS) {
      hash.update(pending.join(""), "utf8");
      pending = [];
      length = 0;
    }
  });
  hash.update(pending.join(""), "utf8");
  return { sha256: hash.digest("hex") };
}
