// Turns the bytes of a backup into a plain tar stream, or into the one finding that says what
// they are instead. Each layer is recognised by its first bytes, never by the file's name: age
// (decrypted with the --identity keys or RECOVERABLE_AGE_PASSPHRASE, binary or armored), then gzip, then tar. Decompression is node's streaming
// gunzip, so memory stays a few chunks whatever the archive inflates to: the tar parser's own
// gunzip inflates a whole input chunk at once, which a crafted archive turns into a gigabyte.
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { ClassifiedFinding } from "../findings/finding.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { decryptStream, findingOfAgeError } from "../archive/age.js";
import { ageKeysOf, agePassphrase, identityRequired } from "../archive/age-keys.js";
import {
  describeFormat,
  detectFormat,
  FORMAT_HEAD_BYTES,
  type ContentFormat,
} from "./detect-format.js";
import { sourceUnreadable, type SourceRef } from "../archive/source.js";

const CHUNK_BYTES = 1024 * 1024;

/** How the archive is expected to be read: its name's claim and the key for an age layer. */
export type TarInputOptions = {
  /** The name ends in `.age`: its content must be age. */
  readonly namedAge?: boolean;
  /** An age identity (`--identity`, a file or env:NAME); without one or a passphrase an age file is refused. */
  readonly identityFile?: string | undefined;
};

type Peeked = { readonly head: Buffer; readonly stream: Readable };

/**
 * The first `length` bytes of a stream (fewer when it is shorter) and a stream of all of its
 * bytes, head included. Destroying the returned stream destroys `input`; an error of `input`
 * is an error of the returned stream.
 */
async function peek(input: Readable, length: number): Promise<Peeked> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const taken: Buffer[] = [];
  let size = 0;
  while (size < length) {
    const next = await chunks.next();
    if (next.done === true) break;
    taken.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(taken);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next())
        yield next.value;
    } finally {
      await chunks.return?.();
    }
  }
  return {
    head: head.subarray(0, length),
    stream: Readable.from(all(), { objectMode: false, highWaterMark: CHUNK_BYTES }),
  };
}

/** The finding for a backup stream that failed: age says why, a gzip stream was cut or damaged, or I/O. */
export function findingOfReadError(error: unknown, ref: SourceRef): ClassifiedFinding {
  const age = findingOfAgeError(error, ref);
  if (age) return age;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  return code.startsWith("Z_")
    ? sourceUnreadable(ref, `has a truncated or damaged gzip stream (${message})`)
    : sourceUnreadable(ref, `cannot be read (${message})`);
}

function gunzip(input: Readable): Readable {
  // Errors reach the consumer through the gunzip stream, which pipeline destroys with them.
  return pipeline(input, createGunzip({ chunkSize: 256 * 1024 }), () => undefined);
}

/** What the layers read so far make of a format that is not the next one expected. */
function notTar(
  ref: SourceRef,
  format: ContentFormat,
  layers: readonly string[],
): ClassifiedFinding {
  const what = describeFormat(format);
  return layers.length === 0
    ? sourceUnreadable(ref, `is ${what}, not a tar archive`, format)
    : sourceUnreadable(
        ref,
        `holds ${what} inside its ${layers.join(" and ")}, not a tar archive`,
        format,
      );
}

/**
 * The plain tar bytes of `input`, or one finding naming what the bytes are. The stream's later
 * errors (a body that fails authentication, a gzip stream cut short) surface on the stream.
 */
export async function plainTarOf(
  input: Readable,
  ref: SourceRef,
  options: TarInputOptions = {},
): Promise<Checked<Readable>> {
  const opened: Readable[] = [];
  const open = async (stream: Readable): Promise<Peeked> => {
    opened.push(stream);
    const peeked = await peek(stream, FORMAT_HEAD_BYTES);
    opened.push(peeked.stream);
    return peeked;
  };
  // Nothing that is not handed on is left reading a file or decrypting.
  const refuse = (...findings: readonly ClassifiedFinding[]): Checked<Readable> => {
    for (const stream of opened) stream.destroy();
    return failedWith(findings);
  };
  const layers: string[] = [];
  try {
    let current = await open(input);
    let format = detectFormat(current.head);
    if (options.namedAge === true && format !== "age" && format !== "age-armored")
      return refuse(
        sourceUnreadable(
          ref,
          `is ${describeFormat(format)}, not an age file (it does not start with age-encryption.org/v1)`,
          format,
        ),
      );
    if (format === "age" || format === "age-armored") {
      if (options.identityFile === undefined && agePassphrase() === null)
        return refuse(identityRequired(ref));
      const keys = await ageKeysOf(options.identityFile);
      if (!keys.ok) return refuse(...keys.findings);
      const { identities, passphrase } = keys.value;
      current = await open(decryptStream(current.stream, identities, passphrase));
      format = detectFormat(current.head);
      layers.push("age encryption");
    }
    if (format === "gzip") {
      current = await open(gunzip(current.stream));
      format = detectFormat(current.head);
      layers.push("gzip compression");
    }
    return format === "tar" ? ok(current.stream) : refuse(notTar(ref, format, layers));
  } catch (error) {
    return refuse(findingOfReadError(error, ref));
  }
}
