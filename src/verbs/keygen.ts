// keygen: an Ed25519 key pair for signing drill reports. The private key is written once,
// mode 0600, and never printed.
import { generateKeyPairSync } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
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

export async function keygen(options: KeygenOptions): Promise<KeygenResult> {
  const dir = resolve(options.cwd ?? process.cwd(), options.out);
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  const refused = (findings: ClassifiedFinding[]): KeygenResult =>
    createResult("keygen", findings, NO_RELEASE, {
      keyId: null,
      privateKey: null,
      publicKey: null,
    });

  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const publicPem = publicKey.export({ type: "spki", format: "pem" }) as string;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeExclusive(privatePath, privatePem, 0o600);
    try {
      await writeExclusive(publicPath, publicPem, 0o644);
    } catch (error) {
      await rm(privatePath, { force: true }); // never leave half a key pair
      throw error;
    }
    await syncDirectory(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      return refused([
        createFinding("output_exists", {
          subject: displayPath(dir),
          expected: "no drill.key or drill.pub",
          actual: "a key file is already there",
          message: `${displayPath(dir)}: a key pair is already there; keygen never overwrites a key`,
        }),
      ]);
    }
    return refused([
      createFinding("io_failed", {
        subject: displayPath(dir),
        message: `${displayPath(dir)}: cannot write the key pair (${code ?? String(error)})`,
      }),
    ]);
  }
  return createResult("keygen", [], NO_RELEASE, {
    keyId: keyIdOf(publicKey),
    privateKey: displayPath(privatePath),
    publicKey: displayPath(publicPath),
  });
}
