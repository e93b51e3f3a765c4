// The signing key of a report, read from a PKCS#8 PEM file, or a finding saying what is wrong
// with the file. drill, verify --shard and report merge sign with it.
import { readFile } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { createSigner, type Signer } from "./signing.js";

export async function loadSigner(path: string): Promise<Signer | ClassifiedFinding> {
  const file = displayPath(path);
  try {
    return createSigner(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // An errno (ENOENT, EACCES) is a file problem; anything else (ERR_OSSL_*) is not a private key.
    const unreadable = code !== undefined && /^E[A-Z]+$/.test(code);
    if (unreadable)
      return createFinding("document_unreadable", {
        subject: file,
        message: `${file}: the signing key cannot be read (${code})`,
        ...(code === "ENOENT" ? { actual: "absent", cause: "missing" as const } : {}),
      });
    return createFinding("document_invalid", {
      subject: file,
      message: `${file}: the signing key is not an Ed25519 private key in PKCS#8 PEM (a drill.pub public key, or another kind of key?)`,
      cause: "signing_key",
    });
  }
}

/** The key from the flag, else the drill config's signing.key, else a usage finding naming both. */
export async function loadSignerFrom(
  flagName: string,
  flagPath: string | null,
  configPath: string | null,
): Promise<Signer | ClassifiedFinding> {
  const path = flagPath ?? configPath;
  if (path === null)
    return createFinding("usage_invalid", {
      subject: flagName,
      message: `no signing key: pass ${flagName} <drill.key> or set signing.key in the drill config (make one with \`recoverable keygen\`)`,
    });
  return loadSigner(path);
}
