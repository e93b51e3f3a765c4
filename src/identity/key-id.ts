import { createHash, type KeyObject } from "node:crypto";

/** The key id of DESIGN.md: hex sha256 of the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}
