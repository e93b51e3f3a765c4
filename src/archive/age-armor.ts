// age's ASCII armor (`age -a`): a strict subset of PEM, `-----BEGIN AGE ENCRYPTED FILE-----`,
// base64 lines of exactly 64 columns but the last, `-----END AGE ENCRYPTED FILE-----`
// (age-encryption.org/v1, "ASCII armor"). Decoded line by line as it streams: typage's own
// decoder takes the whole file as one string.
const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";
const COLUMNS = 64;
/** Longer than any line of a sound armored file (64 columns and CRLF): not one. */
const MAX_LINE = 128;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const OUTPUT_CHUNK = 64 * 1024;

/** Armor that breaks the format: an unfinished, overlong or non-base64 line, no END line. */
export class ArmorError extends Error {
  override readonly name = "ArmorError";
}

type State = { phase: "begin" | "body" | "after"; short: boolean };

/** One line of armor, judged against where it is; the bytes it decodes to. */
function decodeLine(line: string, state: State): Buffer | null {
  if (state.phase === "begin") {
    // Whitespace before the armor is ignored, as age and typage ignore it.
    if (line.trim() === "") return null;
    if (line.trimStart() !== BEGIN) throw new ArmorError(`does not start with the line ${BEGIN}`);
    state.phase = "body";
    return null;
  }
  if (state.phase === "after") {
    if (line.trim() !== "") throw new ArmorError(`has text after its ${END} line`);
    return null;
  }
  if (line === END) {
    state.phase = "after";
    return null;
  }
  // Only the last line before END may be shorter, and only it carries padding.
  if (state.short) throw new ArmorError("has a short base64 line that is not its last");
  if (line.length > COLUMNS || line.length === 0 || line.length % 4 !== 0)
    throw new ArmorError(`has a base64 line of ${line.length} columns (64, or a shorter last one)`);
  if (!BASE64_LINE.test(line)) throw new ArmorError("has a line that is not base64");
  state.short = line.length < COLUMNS || line.endsWith("=");
  return Buffer.from(line, "base64");
}

/**
 * The bytes of an age file, armored or not: armor (told by its first line, leading whitespace
 * allowed) is decoded as it streams; a binary file passes through unchanged.
 */
export async function* unarmored(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  // Enough bytes to tell: the BEGIN line after any whitespace, or the end of the input.
  while (head.toString("latin1").trimStart().length < BEGIN.length) {
    const next = await iterator.next();
    if (next.done === true) break;
    head = Buffer.concat([head, next.value]);
  }
  const rest = (async function* () {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
      yield next.value;
  })();
  if (head.toString("latin1").trimStart().startsWith(BEGIN)) yield* dearmor(rest);
  else yield* rest;
}

/** The binary age file inside an armored stream, decoded as its lines arrive. */
async function* dearmor(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const state: State = { phase: "begin", short: false };
  let pending = "";
  let out: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const lines = (pending + Buffer.from(chunk).toString("latin1")).split("\n");
    pending = lines.pop() ?? "";
    if (pending.length > MAX_LINE) throw new ArmorError("has a line too long to be armor");
    for (const raw of lines) {
      if (raw.length > MAX_LINE) throw new ArmorError("has a line too long to be armor");
      const bytes = decodeLine(raw.replace(/\r$/, ""), state);
      if (bytes === null) continue;
      out.push(bytes);
      size += bytes.length;
      if (size >= OUTPUT_CHUNK) {
        yield Buffer.concat(out);
        out = [];
        size = 0;
      }
    }
  }
  if (pending.trim() !== "") decodeLine(pending.replace(/\r$/, ""), state);
  if (state.phase !== "after") throw new ArmorError(`ends before its ${END} line: truncated`);
  if (size > 0) yield Buffer.concat(out);
}
