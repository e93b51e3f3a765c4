// The signing key of a report, read from a PKCS#8 PEM file or an environment variable
// (`env:NAME`, src/util/secret-location.ts), or a finding saying what is wrong with it. drill,
// verify --shard and report merge sign with it; the one way in is loadSignerFrom.
import { readFile } from "node:fs/promises";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { readSecretVariable, secretVariable } from "../util/secret-location.js";
import { createSigner, type Signer } from "./signing.js";

const KEY_HINT =
  "Make one with `recoverable keygen --out <dir>` and pass --key <dir>/drill.key, or --key env:NAME with the PEM text of drill.key in the variable NAME (or set signing.key in the drill config).";

function loadSignerVariable(name: string): Checked<Signer> {
  const subject = `env:${name}`;
  const secret = readSecretVariable(name);
  if ("problem" in secret)
    return failed(
      createFinding("usage_invalid", {
        subject,
        message: `the signing key ${subject}: ${secret.problem}`,
        hint: KEY_HINT,
      }),
    );
  try {
    return ok(createSigner(secret.text));
  } catch {
    // The text is a secret: the finding names the variable, never what it holds.
    return failed(
      createFinding("document_invalid", {
        subject,
        message: `the signing key ${subject}: the variable does not hold an Ed25519 private key in PKCS#8 PEM (the text of a drill.key, with its BEGIN and END lines and newlines)`,
        hint: KEY_HINT,
      }),
    );
  }
}

async function loadSignerFile(path: string): Promise<Checked<Signer>> {
  const file = displayPath(path);
  try {
    return ok(createSigner(await readFile(path, "utf8")));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // An errno (ENOENT, EACCES) is a file problem; anything else (ERR_OSSL_*) is not a private key.
    const unreadable = code !== undefined && /^E[A-Z]+$/.test(code);
    if (unreadable)
      return failed(
        createFinding("document_unreadable", {
          subject: file,
          message: `${file}: the signing key cannot be read (${code})`,
          ...(code === "ENOENT" ? { actual: "absent", cause: "missing" as const } : {}),
        }),
      );
    return failed(
      createFinding("document_invalid", {
        subject: file,
        message: `${file}: the signing key is not an Ed25519 private key in PKCS#8 PEM (a drill.pub public key, or another kind of key?)`,
        cause: "signing_key",
      }),
    );
  }
}

/**
 * The key from the flag, else the drill config's signing.key (a file path or `env:NAME`), else a
 * usage finding naming both.
 */
export async function loadSignerFrom(
  flagName: string,
  flagLocation: string | null,
  configLocation: string | null,
): Promise<Checked<Signer>> {
  const path = flagLocation ?? configLocation;
  if (path === null)
    return failed(
      createFinding("usage_invalid", {
        subject: flagName,
        message: `no signing key: pass ${flagName} <drill.key> or set signing.key in the drill config (make one with \`recoverable keygen\`)`,
      }),
    );
  const variable = secretVariable(path);
  return variable === null ? loadSignerFile(path) : loadSignerVariable(variable);
}
