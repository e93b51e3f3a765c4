// keygen: an Ed25519 key pair for signing drill reports. The private key is written once,
// mode 0600, and never printed.
import { generateKeyPairSync } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { keyIdOf } from "../identity/key-id.js";
import { displayPath } from "../util/display-path.js";
import { syncDirectory } from "../util/atomic-write.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type KeygenOptions = { readonly out: string; readonly cwd?: string };
export type KeygenResult = VerbResult<{
  keyId: string | null;
  privateKey: string | null;
  publicKey: string | null;
}>;

export const PRIVATE_KEY_FILE = "drill.key";
export const PUBLIC_KEY_FILE = "drill.pub";

async function writeExclusive(path: string, data: string, mode: number): Promise<void> {
  const handle = await open(path, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Why the pair was not written: one is there already (never overwritten), or the write failed. */
function writeFailure(dir: string, error: unknown): ClassifiedFinding {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EEXIST")
    return createFinding("output_exists", {
      subject: displayPath(dir),
      expected: "no drill.key or drill.pub",
      actual: "a key file is already there",
      message: `${displayPath(dir)}: a key pair is already there; keygen never overwrites a key`,
    });
  return createFinding("io_failed", {
    subject: displayPath(dir),
    message: `${displayPath(dir)}: cannot write the key pair (${code ?? String(error)})`,
  });
}

/** Both files, or neither: the private key first (0600), removed again if the public one fails. */
async function writeKeyPair(
  dir: string,
  pair: { privatePem: string; publicPem: string },
): Promise<Checked<string>> {
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeExclusive(privatePath, pair.privatePem, 0o600);
    try {
      await writeExclusive(join(dir, PUBLIC_KEY_FILE), pair.publicPem, 0o644);
    } catch (error) {
      await rm(privatePath, { force: true }); // never leave half a key pair
      throw error;
    }
    await syncDirectory(dir);
    return ok(privatePath);
  } catch (error) {
    return failed(writeFailure(dir, error));
  }
}

export async function keygen(options: KeygenOptions): Promise<KeygenResult> {
  const dir = resolve(options.cwd ?? process.cwd(), options.out);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const written = await writeKeyPair(dir, {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  });
  if (!written.ok)
    return createResult("keygen", written.findings, NO_RELEASE, {
      keyId: null,
      privateKey: null,
      publicKey: null,
    });
  return createResult("keygen", [], NO_RELEASE, {
    keyId: keyIdOf(publicKey),
    privateKey: displayPath(written.value),
    publicKey: displayPath(join(dir, PUBLIC_KEY_FILE)),
  });
}
