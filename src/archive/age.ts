// age-encrypted archives (`tar:backup.tgz.age`), through typage (`age-encryption`, by the age
// author) rather than a hand-written format. Both directions stream: the library works on web
// ReadableStreams in 64 KiB chunks, so memory does not grow with the archive. Decrypts with
// X25519 identities (`age-keygen` output) and passphrases (`age -p`, scrypt), binary or
// ASCII-armored (`age -a`); encrypts to X25519 recipients. No plugins or SSH keys.
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Decrypter, Encrypter } from "age-encryption";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { ArmorError, unarmored } from "./age-armor.js";
import { PASSPHRASE_VARIABLE, type AgeKeys } from "./age-keys.js";
import { sourceUnreadable, type SourceRef } from "./source.js";

const MAGIC = Buffer.from("age-encryption.org/v1\n");
/** A real header is a few hundred bytes per recipient; beyond this it is not an age file. */
const MAX_HEADER_BYTES = 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

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
  return "is not an age file (it does not start with age-encryption.org/v1)";
}

/** What the header said, for the message when no key matched. */
type HeaderSeen = { scrypt: boolean };

/**
 * Passes the ciphertext through, refusing early what is not an age header. The library reads
 * the header line by line, so a file without newlines would otherwise be buffered whole.
 */
async function* guardHeader(
  chunks: AsyncIterable<Uint8Array>,
  seen: HeaderSeen,
): AsyncGenerator<Uint8Array> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      const problem = magicProblem(head);
      if (problem !== null) throw new AgeDecryptionError("damaged", problem);
      // A passphrase-encrypted file has exactly one stanza, "-> scrypt <salt> <work factor>".
      seen.scrypt ||= head.includes("\n-> scrypt ");
      // The header ends with the MAC line, "--- <base64>".
      if (head.includes("\n--- ")) head = null;
      else if (head.length > MAX_HEADER_BYTES)
        throw new AgeDecryptionError("damaged", "has no end of its age header in the first 1 MiB");
    }
    yield chunk;
  }
}

type Phase = "header" | "body";

/** Why no key opened the file, from what was tried and what the header holds. */
function noKeyMatched(keys: AgeKeys, seen: HeaderSeen): string {
  const tried = keys.identities.length > 0;
  if (seen.scrypt && keys.passphrase === null)
    return `is encrypted with a passphrase (age -p): set ${PASSPHRASE_VARIABLE} to it`;
  if (seen.scrypt) return `does not decrypt with the passphrase in ${PASSPHRASE_VARIABLE}`;
  if (!tried)
    return "is encrypted to age recipients, not with a passphrase: pass --identity with one of their identities";
  return "is not encrypted to any identity in --identity";
}

/** A library error as the failure it means; I/O errors of the input pass through unchanged. */
function classifyDecryption(
  error: unknown,
  phase: Phase,
  keys: AgeKeys,
  seen: HeaderSeen,
): unknown {
  if (error instanceof AgeDecryptionError) return error;
  if (error instanceof ArmorError)
    return new AgeDecryptionError("damaged", `is ASCII-armored (age -a) but ${error.message}`, {
      cause: error,
    });
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code === "string")
    return error;
  // typage's message when no identity or passphrase unwraps a stanza (age says "no identity
  // matched any of the recipients").
  if (/no identity matched/.test(error.message))
    return new AgeDecryptionError("not_a_recipient", noKeyMatched(keys, seen), { cause: error });
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
 * The plaintext of an age file (binary or armored), as a stream. The header (and so whether a
 * key matches) is read first; a wrong key or damaged bytes surface as an `AgeDecryptionError`
 * on the returned stream, I/O errors of `input` as themselves. Plaintext chunks are
 * authenticated before they are passed on, so what comes out is always a true prefix of the
 * archive.
 */
export function decryptStream(
  input: Readable,
  identities: readonly string[],
  passphrase: string | null = null,
): Readable {
  const output = new PassThrough({ highWaterMark: CHUNK_BYTES });
  const decrypter = new Decrypter();
  const keys: AgeKeys = { identities, passphrase };
  const seen: HeaderSeen = { scrypt: false };
  try {
    for (const identity of identities) decrypter.addIdentity(identity);
    if (passphrase !== null) decrypter.addPassphrase(passphrase);
  } catch (error) {
    // A caller's mistake (readIdentities validates), not a fault of the archive.
    input.destroy();
    output.destroy(
      new Error("decryptStream: an identity is not an AGE-SECRET-KEY-1 identity", { cause: error }),
    );
    return output;
  }
  const decrypt = async () => {
    const ciphertext = ReadableStream.from(guardHeader(unarmored(bytesOf(input)), seen));
    return (await decrypter.decrypt(ciphertext)) as WebReadableStream<Uint8Array>;
  };
  void drain(decrypt, input, output, (error, phase) =>
    classifyDecryption(error, phase, keys, seen),
  );
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
