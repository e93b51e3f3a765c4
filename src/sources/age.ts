// age-encrypted archives (`tar:backup.tgz.age`), through typage (`age-encryption`, by the age
// author) rather than a hand-written format. Both directions stream: the library works on web
// ReadableStreams in 64 KiB chunks, so memory does not grow with the archive. Only X25519
// identities and recipients (`age-keygen` output): no passphrases, plugins or SSH keys.
import { readFile, stat } from "node:fs/promises";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Decrypter, Encrypter } from "age-encryption";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { sourceUnreadable, type SourceRef } from "./source.js";

const MAGIC = Buffer.from("age-encryption.org/v1\n");
const ARMOR = Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----");
/** A real header is a few hundred bytes per recipient; beyond this it is not an age file. */
const MAX_HEADER_BYTES = 1024 * 1024;
/** An identity file is a few lines; a large one is a wrong file (the archive itself, say). */
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

const IDENTITY_HINT =
  "Pass --identity with the file `age-keygen -o key.txt` wrote (lines AGE-SECRET-KEY-1...); only X25519 identities are supported, not passphrases, plugins or SSH keys.";

/** Why decryption stopped: the identity is not a recipient, or the bytes are not a sound age file. */
export type AgeFailure = "not_a_recipient" | "damaged";

/** A decryption that failed because of the archive or the identity, never because of I/O. */
export class AgeDecryptionError extends Error {
  readonly failure: AgeFailure;

  constructor(failure: AgeFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AgeDecryptionError";
    this.failure = failure;
  }
}

export function isAgePath(path: string): boolean {
  return path.endsWith(".age");
}

/** The usage finding for an `.age` source given without `--identity`. */
export function identityRequired(ref: SourceRef): ClassifiedFinding {
  return createFinding("usage_invalid", {
    subject: "--identity",
    actual: ref.text,
    message: `${ref.text} is age-encrypted: pass --identity <file> with an age identity (AGE-SECRET-KEY-1...) it was encrypted to`,
    hint: IDENTITY_HINT,
  });
}

function identityFileFinding(file: string, problem: string): ClassifiedFinding {
  const shown = displayPath(file);
  return createFinding("usage_invalid", {
    subject: shown,
    message: `--identity ${shown}: ${problem}`,
    hint: IDENTITY_HINT,
  });
}

/** Why one line of an identity file is refused, or null when it is an X25519 identity. */
function identityLineProblem(line: string): string | null {
  if (line.startsWith("AGE-SECRET-KEY-PQ-1"))
    return "is a post-quantum identity; only X25519 identities (AGE-SECRET-KEY-1...) are supported";
  if (line.startsWith("AGE-PLUGIN-")) return "is a plugin identity; plugins are not supported";
  if (!line.startsWith("AGE-SECRET-KEY-1"))
    return "is not an age identity (AGE-SECRET-KEY-1...); passphrases and SSH keys are not supported";
  try {
    new Decrypter().addIdentity(line); // validates the Bech32 checksum and the key length
    return null;
  } catch {
    return "is not a valid AGE-SECRET-KEY-1 identity (a damaged or cut-off key)";
  }
}

/**
 * The X25519 identities of an `age-keygen` file (`#` comments, one or more AGE-SECRET-KEY-1
 * lines), or a finding naming the file. Findings name line numbers, never key text.
 */
export async function readIdentities(file: string): Promise<string[] | ClassifiedFinding> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) return identityFileFinding(file, "is not a file");
    if (info.size > MAX_IDENTITY_FILE_BYTES)
      return identityFileFinding(file, `is ${info.size} bytes, too large for an identity file`);
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return identityFileFinding(file, `cannot be read (${code})`);
  }
  const identities: string[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const problem = identityLineProblem(line);
    if (problem !== null) return identityFileFinding(file, `line ${index + 1} ${problem}`);
    identities.push(line);
  }
  if (identities.length === 0) return identityFileFinding(file, "holds no AGE-SECRET-KEY-1 line");
  return identities;
}

/** An `age1...` X25519 recipient (as `age-keygen -y` prints it), or a usage finding. */
export function parseRecipient(text: string, subject = "--recipient"): string | ClassifiedFinding {
  const recipient = text.trim();
  const refuse = (why: string) =>
    createFinding("usage_invalid", {
      subject,
      expected: "an age X25519 recipient, age1... (`age-keygen -y key.txt` prints it)",
      actual: recipient,
      message: `${subject} ${JSON.stringify(recipient)} ${why}`,
    });
  // The library takes post-quantum and tag recipients too; our identities are X25519 only.
  if (/^age1(pq|tag)/.test(recipient))
    return refuse("is not an X25519 recipient; only X25519 recipients are supported");
  if (!recipient.startsWith("age1")) return refuse("is not an age recipient (age1...)");
  try {
    new Encrypter().addRecipient(recipient); // validates the Bech32 checksum and the key length
    return recipient;
  } catch {
    return refuse("is not a valid age1 recipient (a damaged or cut-off key)");
  }
}

/** The bytes of a node stream as Uint8Array chunks, pulled on demand (so back-pressure holds). */
async function* bytesOf(input: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of input as AsyncIterable<Uint8Array | string>)
    yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

/** Why the first bytes are not an age v1 header, or null while they may still be one. */
function magicProblem(start: Buffer): string | null {
  const length = Math.min(start.length, MAGIC.length);
  if (start.subarray(0, length).equals(MAGIC.subarray(0, length))) return null;
  if (start.subarray(0, ARMOR.length).equals(ARMOR))
    return "is ASCII-armored (age -a); only binary age files are supported";
  return "is not an age file (it does not start with age-encryption.org/v1)";
}

/**
 * Passes the ciphertext through, refusing early what is not an age header. The library reads
 * the header line by line, so a file without newlines would otherwise be buffered whole.
 */
async function* guardHeader(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      const problem = magicProblem(head);
      if (problem !== null) throw new AgeDecryptionError("damaged", problem);
      // The header ends with the MAC line, "--- <base64>".
      if (head.includes("\n--- ")) head = null;
      else if (head.length > MAX_HEADER_BYTES)
        throw new AgeDecryptionError("damaged", "has no end of its age header in the first 1 MiB");
    }
    yield chunk;
  }
}

type Phase = "header" | "body";

/** A library error as the failure it means; I/O errors of the input pass through unchanged. */
function classifyDecryption(error: unknown, phase: Phase): unknown {
  if (error instanceof AgeDecryptionError) return error;
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code === "string")
    return error;
  // typage's message when no identity unwraps a stanza (age says "no identity matched any of
  // the recipients"); a passphrase-encrypted file ends here too, as it has no X25519 stanza.
  if (/no identity matched/.test(error.message))
    return new AgeDecryptionError(
      "not_a_recipient",
      "is not encrypted to any identity in the --identity file (or was encrypted with a passphrase, which is not supported)",
      { cause: error },
    );
  if (phase === "header")
    return new AgeDecryptionError("damaged", `has a damaged age header (${error.message})`, {
      cause: error,
    });
  // "invalid tag" (chunk authentication), "final chunk is empty": the body was cut or changed.
  return new AgeDecryptionError(
    "damaged",
    `has an encrypted body that fails authentication: truncated or damaged (${error.message})`,
    { cause: error },
  );
}

/** The chunks, with an error while reading them replaced by what `classify` names it. */
async function* classifyErrors(
  chunks: AsyncIterable<Uint8Array>,
  classify: (error: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (error) {
    throw classify(error);
  }
}

/**
 * Copies what `open` resolves to (once it has read the header) into `output`; on failure stops
 * reading `input` and ends `output` with the error as `classify` names it for its phase.
 */
async function drain(
  open: () => Promise<WebReadableStream<Uint8Array>>,
  input: Readable,
  output: PassThrough,
  classify: (error: unknown, phase: Phase) => unknown,
): Promise<void> {
  // A reader that gives up (the tar parser refusing a member) must stop the file read too;
  // pipeline alone would wait for the next input chunk first.
  output.once("close", () => input.destroy());
  try {
    const transformed = await open();
    // The generator is pipeline's source, so the error `output` ends with is the classified one.
    await pipeline(
      classifyErrors(transformed, (error) => classify(error, "body")),
      output,
    );
  } catch (error) {
    input.destroy();
    if (!output.destroyed) output.destroy(classify(error, "header") as Error);
  }
}

/**
 * The plaintext of an age file, as a stream. The header (and so whether an identity matches)
 * is read first; a wrong identity or damaged bytes surface as an `AgeDecryptionError` on the
 * returned stream, I/O errors of `input` as themselves. Plaintext chunks are authenticated
 * before they are passed on, so what comes out is always a true prefix of the archive.
 */
export function decryptStream(input: Readable, identities: readonly string[]): Readable {
  const output = new PassThrough({ highWaterMark: CHUNK_BYTES });
  const decrypter = new Decrypter();
  try {
    for (const identity of identities) decrypter.addIdentity(identity);
  } catch (error) {
    // A caller's mistake (readIdentities validates), not a fault of the archive.
    input.destroy();
    output.destroy(
      new Error("decryptStream: an identity is not an AGE-SECRET-KEY-1 identity", { cause: error }),
    );
    return output;
  }
  const decrypt = async () => {
    const ciphertext = ReadableStream.from(guardHeader(bytesOf(input)));
    return (await decrypter.decrypt(ciphertext)) as WebReadableStream<Uint8Array>;
  };
  void drain(decrypt, input, output, classifyDecryption);
  return output;
}

/**
 * `input` encrypted to every X25519 recipient (`age1...`), as a stream that `age -d -i` reads.
 * A recipient that is not one is an error on the returned stream; check them with
 * `parseRecipient` first.
 */
export function encryptToRecipients(input: Readable, recipients: readonly string[]): Readable {
  const output = new PassThrough({ highWaterMark: CHUNK_BYTES });
  const encrypt = async () => {
    if (recipients.length === 0) throw new Error("an age file needs at least one recipient");
    const encrypter = new Encrypter();
    for (const recipient of recipients) {
      const parsed = parseRecipient(recipient, "recipient");
      if (typeof parsed !== "string") throw new Error(parsed.message);
      encrypter.addRecipient(parsed);
    }
    const plaintext = ReadableStream.from(bytesOf(input));
    return (await encrypter.encrypt(plaintext)) as WebReadableStream<Uint8Array>;
  };
  void drain(encrypt, input, output, (error) => error);
  return output;
}

/** The finding for an error of a decrypted `.age` source, or null when it is not an age error. */
export function findingOfAgeError(error: unknown, ref: SourceRef): ClassifiedFinding | null {
  if (!(error instanceof AgeDecryptionError)) return null;
  switch (error.failure) {
    case "not_a_recipient":
      return createFinding("source_credentials_refused", {
        subject: ref.text,
        message: `${ref.text}: ${error.message}`,
      });
    case "damaged":
      return sourceUnreadable(ref, error.message);
  }
}
