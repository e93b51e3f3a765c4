import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./helpers/temp-dir.js";
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";

describe("keygen", () => {
  it("writes a PKCS#8 private key with mode 0600 and an SPKI public key, and names the key id", () => {
    const dir = makeTempDir("recoverable-keys-");
    const run = runCLI(["keygen", "--out", "keys", "--json"], { cwd: dir });
    expect(run.code).toBe(0);
    const privatePem = readFileSync(join(dir, "keys/drill.key"), "utf8");
    const publicPem = readFileSync(join(dir, "keys/drill.pub"), "utf8");
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(join(dir, "keys/drill.key")).mode & 0o777).toBe(0o600);
    const publicKey = createPublicKey(publicPem);
    expect(publicKey.asymmetricKeyType).toBe("ed25519");
    const keyId = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex");
    expect(run.json()["keyId"]).toBe(keyId);
    const signature = sign(null, Buffer.from("drill"), createPrivateKey(privatePem));
    expect(verify(null, Buffer.from("drill"), publicKey, signature)).toBe(true);
  });

  it("never prints the private key", () => {
    const dir = makeTempDir("recoverable-keys-");
    const human = runCLI(["keygen", "--out", "k"], { cwd: dir });
    const privatePem = readFileSync(join(dir, "k/drill.key"), "utf8");
    const body = privatePem.split("\n")[1] ?? "";
    expect(body.length).toBeGreaterThan(10);
    expect(human.stdout + human.stderr).not.toContain(body);
  });

  it("refuses to overwrite an existing key pair, with exit 2, and keeps the old key", () => {
    const dir = makeTempDir("recoverable-keys-");
    runCLI(["keygen", "--out", "k"], { cwd: dir });
    const before = readFileSync(join(dir, "k/drill.key"));
    const run = runCLI(["keygen", "--out", "k", "--json"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("output_exists");
    expect(readFileSync(join(dir, "k/drill.key"))).toEqual(before);
  });
});
