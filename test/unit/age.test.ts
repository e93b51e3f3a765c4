// src/archive/age.ts against the real age CLI (1.1.1): what it encrypts we decrypt, what we
// encrypt it decrypts; identity files and recipients as age-keygen writes them; every way a
// decryption fails, by the failure it is mapped to.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Encrypter } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AgeDecryptionError,
  decryptStream,
  encryptToRecipients,
  isAgePath,
  parseRecipient,
} from "../../src/archive/age.js";
import { readIdentities } from "../../src/archive/age-keys.js";
import { makeTempDir } from "../helpers/temp-dir.js";

let dir: string;
const path = (name: string) => join(dir, name);

/** A fresh identity file made by age-keygen, and its recipient. */
function keygen(name: string): { file: string; recipient: string; identity: string } {
  const file = path(name);
  execFileSync("age-keygen", ["-o", file], { stdio: "ignore" });
  const recipient = execFileSync("age-keygen", ["-y", file], { encoding: "utf8" }).trim();
  const identity = readFileSync(file, "utf8")
    .split("\n")
    .find((line) => line.startsWith("AGE-SECRET-KEY-1"));
  return { file, recipient, identity: identity ?? "" };
}

/** `bytes` encrypted by the age CLI to `recipient`. */
function ageEncrypt(bytes: Buffer, recipient: string): Buffer {
  return execFileSync("age", ["-r", recipient], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The error a decryption ends with, or null when it succeeds. */
async function decryptionError(ciphertext: Buffer, identities: string[]): Promise<unknown> {
  try {
    await collect(decryptStream(Readable.from([ciphertext]), identities));
    return null;
  } catch (error) {
    return error;
  }
}

let key: ReturnType<typeof keygen>;
let other: ReturnType<typeof keygen>;
beforeAll(() => {
  dir = makeTempDir("recoverable-age-unit-");
  key = keygen("key.txt");
  other = keygen("other.txt");
});

describe("encryptToRecipients, read back by `age -d -i`", () => {
  it.each([
    ["a few MB of random bytes", randomBytes(3 * 1024 * 1024 + 17)],
    ["exactly one 64 KiB chunk", randomBytes(64 * 1024)],
    ["an empty input", Buffer.alloc(0)],
  ])("gives back exactly the input for %s", async (_name, plaintext) => {
    writeFileSync(path("plain.bin"), plaintext);
    await pipeline(
      encryptToRecipients(createReadStream(path("plain.bin")), [key.recipient]),
      createWriteStream(path("out.age")),
    );
    const decrypted = execFileSync("age", ["-d", "-i", key.file, path("out.age")], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(decrypted.equals(plaintext)).toBe(true);
  });

  it("encrypts to every recipient given, each able to decrypt alone", async () => {
    const plaintext = randomBytes(100_000);
    writeFileSync(path("plain.bin"), plaintext);
    await pipeline(
      encryptToRecipients(createReadStream(path("plain.bin")), [key.recipient, other.recipient]),
      createWriteStream(path("two.age")),
    );
    for (const identity of [key.file, other.file])
      expect(execFileSync("age", ["-d", "-i", identity, path("two.age")]).equals(plaintext)).toBe(
        true,
      );
  });

  it("ends its stream with an error for no recipient or one that is not age1", async () => {
    await expect(collect(encryptToRecipients(Readable.from([]), []))).rejects.toThrow(
      /at least one recipient/,
    );
    await expect(
      collect(encryptToRecipients(Readable.from([]), ["ssh-ed25519 AAAA"])),
    ).rejects.toThrow(/not an age recipient/);
  });
});

describe("decryptStream", () => {
  it("decrypts what the age CLI encrypted, across many chunks", async () => {
    const plaintext = randomBytes(1024 * 1024 + 3);
    const ciphertext = ageEncrypt(plaintext, key.recipient);
    const decrypted = await collect(decryptStream(Readable.from([ciphertext]), [key.identity]));
    expect(decrypted.equals(plaintext)).toBe(true);
  });

  it("tries every identity, as age does", async () => {
    const ciphertext = ageEncrypt(Buffer.from("hello"), key.recipient);
    const decrypted = await collect(
      decryptStream(Readable.from([ciphertext]), [other.identity, key.identity]),
    );
    expect(decrypted.toString()).toBe("hello");
  });

  it("fails with not_a_recipient when no identity matches (typage: 'no identity matched')", async () => {
    const error = await decryptionError(ageEncrypt(Buffer.from("x"), other.recipient), [
      key.identity,
    ]);
    expect(error).toBeInstanceOf(AgeDecryptionError);
    expect((error as AgeDecryptionError).failure).toBe("not_a_recipient");
    expect((error as AgeDecryptionError).cause).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/no identity matched/) }),
    );
  });

  it("fails with not_a_recipient, naming passphrases, for a passphrase-encrypted file", async () => {
    const encrypter = new Encrypter();
    encrypter.setScryptWorkFactor(10);
    encrypter.setPassphrase("correct horse battery staple");
    const ciphertext = Buffer.from(await encrypter.encrypt("secret"));
    const error = await decryptionError(ciphertext, [key.identity]);
    expect((error as AgeDecryptionError).failure).toBe("not_a_recipient");
    expect((error as Error).message).toMatch(/passphrase/);
  });

  const sample = () => ageEncrypt(randomBytes(300_000), key.recipient);
  it.each([
    ["truncated in the body", (c: Buffer) => c.subarray(0, c.length - 1000), /invalid tag/],
    [
      "truncated at a chunk boundary",
      (c: Buffer) => c.subarray(0, c.length - (300_000 % 65536) - 16),
      /invalid tag/,
    ],
    [
      "one byte flipped in the body",
      (c: Buffer) => {
        const copy = Buffer.from(c);
        copy[copy.length - 5000] = (copy[copy.length - 5000] ?? 0) ^ 0x01;
        return copy;
      },
      /invalid tag/,
    ],
    ["cut inside the header", (c: Buffer) => c.subarray(0, 60), /damaged age header/],
    [
      "cut right after the header",
      (c: Buffer) => c.subarray(0, c.indexOf("\n--- ") + 50),
      /damaged age header \(stream ended/,
    ],
    [
      "a changed header MAC",
      (c: Buffer) => {
        const copy = Buffer.from(c);
        const mac = copy.indexOf("\n--- ") + 6;
        copy[mac] = copy[mac] === 0x41 ? 0x42 : 0x41;
        return copy;
      },
      /invalid header HMAC/,
    ],
    ["not an age file", () => Buffer.alloc(4096, 0x41), /not an age file/],
    ["an empty file", () => Buffer.alloc(0), /damaged age header/],
    [
      "ASCII-armored around something that is not an age file",
      () =>
        Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"),
      /damaged age header/,
    ],
  ])("fails with damaged when %s", async (_name, damage, message) => {
    const error = await decryptionError(damage(sample()), [key.identity]);
    expect(error).toBeInstanceOf(AgeDecryptionError);
    expect((error as AgeDecryptionError).failure).toBe("damaged");
    expect((error as Error).message).toMatch(message);
  });

  it("refuses a header without an end within 1 MiB, without buffering the file", async () => {
    const endless = Buffer.concat([Buffer.from("age-encryption.org/v1\n"), Buffer.alloc(2 << 20)]);
    const error = await decryptionError(endless, [key.identity]);
    expect((error as AgeDecryptionError).failure).toBe("damaged");
    expect((error as Error).message).toMatch(/no end of its age header/);
  });

  it("passes an I/O error of its input through as it is, not as an age failure", async () => {
    const input = new PassThrough();
    const output = decryptStream(input, [key.identity]);
    const failure = Object.assign(new Error("read failed"), { code: "EIO" });
    input.write(ageEncrypt(randomBytes(200_000), key.recipient).subarray(0, 100_000));
    setTimeout(() => input.destroy(failure), 20);
    await expect(collect(output)).rejects.toBe(failure);
  });

  it("stops reading its input when the reader gives up", async () => {
    const input = new PassThrough(); // never ended: only the reader giving up stops it
    input.write(ageEncrypt(randomBytes(500_000), key.recipient).subarray(0, 400_000));
    const output = decryptStream(input, [key.identity]);
    await new Promise((resolve) => output.once("readable", resolve));
    output.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(input.destroyed).toBe(true);
  });
});

describe("readIdentities", () => {
  it("reads the AGE-SECRET-KEY-1 lines of age-keygen files, skipping comments", async () => {
    expect(await readIdentities(key.file)).toEqual([key.identity]);
    writeFileSync(
      path("both.txt"),
      `${readFileSync(key.file, "utf8")}\r\n\n${readFileSync(other.file, "utf8")}`,
    );
    expect(await readIdentities(path("both.txt"))).toEqual([key.identity, other.identity]);
  });

  it.each([
    ["missing", null, /cannot be read \(ENOENT\)/],
    [
      "holds only comments",
      "# created: 2026-11-26\n# public key: age1...\n",
      /no AGE-SECRET-KEY-1/,
    ],
    ["holds a recipient instead", "RECIPIENT\n", /line 1 is not an age identity/],
    [
      "holds a passphrase",
      "# key\ncorrect horse battery staple\n",
      /line 2 .*a passphrase goes in RECOVERABLE_AGE_PASSPHRASE/,
    ],
    ["holds a post-quantum identity", "AGE-SECRET-KEY-PQ-1ABC\n", /only X25519/],
    ["holds a damaged key", "DAMAGED\n", /line 1 is not a valid AGE-SECRET-KEY-1/],
  ])("gives usage_invalid naming the file when it %s", async (_name, text, expected) => {
    const file = path("identity-case.txt");
    if (text === null) execFileSync("rm", ["-f", file]);
    else
      writeFileSync(
        file,
        text
          .replace("RECIPIENT", key.recipient)
          .replace("DAMAGED", `${key.identity.slice(0, -3)}QQQ`),
      );
    const finding = await readIdentities(file);
    expect(finding).toMatchObject({ code: "usage_invalid", failureClass: "unusable_input" });
    const { message, subject } = finding as { message: string; subject: string };
    expect(message).toMatch(expected);
    expect(message).toContain(file);
    expect(subject).toContain(file);
    // Never the key text, not even a damaged one.
    expect(message).not.toContain(key.identity.slice(16, 40));
  });

  it("refuses a directory and a file too large to be an identity file", async () => {
    expect(await readIdentities(dir)).toMatchObject({
      message: expect.stringMatching(/not a file/),
    });
    writeFileSync(path("big.txt"), Buffer.alloc(100_000, 0x23));
    expect(await readIdentities(path("big.txt"))).toMatchObject({
      message: expect.stringMatching(/too large/),
    });
  });
});

/** `bytes` encrypted by typage with a passphrase, at a low work factor to keep the test quick. */
async function passphraseEncrypt(bytes: Buffer, passphrase: string): Promise<Buffer> {
  const encrypter = new Encrypter();
  encrypter.setPassphrase(passphrase);
  encrypter.setScryptWorkFactor(10);
  return Buffer.from(await encrypter.encrypt(bytes));
}

/** A stream of `bytes` in chunks of `size`, so lines and headers are cut anywhere. */
const inChunks = (bytes: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );

describe("decryptStream of ASCII-armored files (age -a)", () => {
  const plaintext = randomBytes(200_000);
  let armored: Buffer;
  beforeAll(() => {
    armored = execFileSync("age", ["-a", "-r", key.recipient], { input: plaintext });
  });

  it.each([1, 7, 65, 64 * 1024])(
    "decrypts what `age -a` wrote, read in chunks of %i bytes",
    async (size) => {
      expect(
        (await collect(decryptStream(inChunks(armored, size), [key.identity]))).equals(plaintext),
      ).toBe(true);
    },
  );

  it("decrypts it with CRLF line ends and whitespace around it", async () => {
    const crlf = Buffer.from(
      `\n  ${armored.toString("latin1").replaceAll("\n", "\r\n")}\n\n`,
      "latin1",
    );
    expect(
      (await collect(decryptStream(Readable.from([crlf]), [key.identity]))).equals(plaintext),
    ).toBe(true);
  });

  const lines = () => armored.toString("latin1").split("\n");
  it.each([
    ["cut before its END line", () => lines().slice(0, 10).join("\n"), /ASCII-armored .*truncated/],
    [
      "a line one column short",
      () =>
        lines()
          .map((l, i) => (i === 3 ? l.slice(1) : l))
          .join("\n"),
      /ASCII-armored .*63 columns/,
    ],
    [
      "a character that is not base64",
      () =>
        lines()
          .map((l, i) => (i === 3 ? `${l.slice(0, 10)}*${l.slice(11)}` : l))
          .join("\n"),
      /ASCII-armored .*not base64/,
    ],
    [
      "text after its END line",
      () => `${armored.toString("latin1")}trailer\n`,
      /ASCII-armored .*after/,
    ],
    [
      "no newline at all",
      () => `-----BEGIN AGE ENCRYPTED FILE-----${"A".repeat(4096)}`,
      /ASCII-armored .*too long/,
    ],
  ])("fails with damaged when its armor has %s", async (_name, damage, message) => {
    const error = await decryptionError(Buffer.from(damage(), "latin1"), [key.identity]);
    expect((error as AgeDecryptionError).failure).toBe("damaged");
    expect((error as Error).message).toMatch(message);
  });
});

describe("decryptStream of passphrase-encrypted files (age -p)", () => {
  const plaintext = randomBytes(100_000);
  let encrypted: Buffer;
  beforeAll(async () => {
    encrypted = await passphraseEncrypt(plaintext, "correct horse battery staple");
  });
  const decrypt = (identities: string[], passphrase: string | null) =>
    collect(decryptStream(Readable.from([encrypted]), identities, passphrase));

  it("decrypts with the passphrase, alone or beside identities", async () => {
    expect((await decrypt([], "correct horse battery staple")).equals(plaintext)).toBe(true);
    expect((await decrypt([key.identity], "correct horse battery staple")).equals(plaintext)).toBe(
      true,
    );
  });

  it.each([
    [
      "a wrong passphrase",
      [] as string[],
      "wrong",
      /does not decrypt with the passphrase in RECOVERABLE_AGE_PASSPHRASE/,
    ],
    [
      "identities but no passphrase",
      ["KEY"],
      null,
      /encrypted with a passphrase \(age -p\): set RECOVERABLE_AGE_PASSPHRASE/,
    ],
  ])(
    "fails with not_a_recipient for %s, saying what to do",
    async (_name, identities, passphrase, message) => {
      const error = await decrypt(
        identities.map(() => key.identity),
        passphrase,
      ).catch((e: unknown) => e);
      expect((error as AgeDecryptionError).failure).toBe("not_a_recipient");
      expect((error as Error).message).toMatch(message);
    },
  );

  it("says to pass --identity when a file encrypted to recipients gets only a passphrase", async () => {
    const error = await collect(
      decryptStream(Readable.from([ageEncrypt(plaintext, key.recipient)]), [], "a passphrase"),
    ).catch((e: unknown) => e);
    expect((error as AgeDecryptionError).failure).toBe("not_a_recipient");
    expect((error as Error).message).toMatch(/not with a passphrase: pass --identity/);
  });
});

describe("readIdentities of env:NAME", () => {
  it("reads the identity lines from the variable", async () => {
    process.env["TEST_AGE_IDENTITY"] = `# made by age-keygen\n${key.identity}\n`;
    expect(await readIdentities("env:TEST_AGE_IDENTITY")).toEqual([key.identity]);
    delete process.env["TEST_AGE_IDENTITY"];
  });

  it.each([
    [
      "unset",
      "env:TEST_AGE_UNSET",
      null,
      /--identity env:TEST_AGE_UNSET: the environment variable TEST_AGE_UNSET is not set or empty/,
    ],
    ["not a variable name", "env:1-no", null, /is not an environment variable name/],
    [
      "holding a recipient",
      "env:TEST_AGE_WRONG",
      "RECIPIENT",
      /env:TEST_AGE_WRONG: line 1 is not an age identity/,
    ],
  ])(
    "gives usage_invalid naming the variable when it is %s, never its text",
    async (_name, location, value, message) => {
      if (value !== null) process.env["TEST_AGE_WRONG"] = key.recipient;
      const finding = await readIdentities(location);
      delete process.env["TEST_AGE_WRONG"];
      expect(finding).toMatchObject({ code: "usage_invalid", subject: location });
      expect((finding as { message: string }).message).toMatch(message);
      expect((finding as { message: string }).message).not.toContain(key.recipient);
    },
  );
});

describe("parseRecipient and isAgePath", () => {
  it("accepts age-keygen's recipient and refuses what is not an X25519 one", () => {
    expect(parseRecipient(` ${key.recipient}\n`)).toBe(key.recipient);
    const damaged = `${key.recipient.slice(0, -2)}qq`;
    for (const text of [damaged, "age1pq1abc", "ssh-ed25519 AAAAC3Nza", "", "AGE-SECRET-KEY-1X"])
      expect(parseRecipient(text)).toMatchObject({ code: "usage_invalid", subject: "--recipient" });
    expect(parseRecipient("nope", "--to")).toMatchObject({ subject: "--to" });
  });

  it("knows an .age path by its name", () => {
    for (const name of ["b.tar.gz.age", "b.tgz.age", "b.tar.age", "/x/y.age"])
      expect(isAgePath(name)).toBe(true);
    for (const name of ["b.tgz", "b.age.tgz", "b.agee", "age"]) expect(isAgePath(name)).toBe(false);
  });
});
