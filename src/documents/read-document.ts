// Reads one JSON document from disk, refusing anything that is not plainly one JSON value.
import { constants, isUtf8 } from "node:buffer";
import { readFile, stat } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { parseStrictJSONLeaving, type JSONValue } from "./strict-json.js";

/**
 * Documents larger than this are refused: a manifest of a million artifacts is about 300 MB.
 * Never above V8's longest string, which a document's text must fit in (UTF-8 has at least one
 * byte per UTF-16 code unit, so a file within it always does).
 */
export const MAX_DOCUMENT_BYTES = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH);

export type ReadOptions = {
  /** The largest file read, in bytes (at most MAX_DOCUMENT_BYTES, the default). */
  readonly maxBytes?: number;
  /** What to do when the file is over it (the catalogue's hint otherwise). */
  readonly tooLargeHint?: string;
  /** Members of the root object left as their JSON text (parseStrictJSONLeaving). */
  readonly leave?: readonly string[];
};

export type ReadResult =
  | {
      readonly ok: true;
      readonly value: JSONValue;
      readonly file: string;
      /** The members named in `leave`, as their JSON text. */
      readonly left: ReadonlyMap<string, string>;
    }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

export async function readJSONDocument(
  path: string,
  what: string,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const file = displayPath(path);
  const maxBytes = Math.min(options.maxBytes ?? MAX_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES);
  const unreadable = (
    message: string,
    actual: string | null = null,
    hint?: string,
  ): ReadResult => ({
    ok: false,
    findings: [
      createFinding("document_unreadable", {
        subject: file,
        message: `${file}: ${message}`,
        actual,
        ...(hint === undefined ? {} : { hint }),
        ...(actual === "absent" ? { cause: "missing" as const } : {}),
      }),
    ],
  });
  let text: string | null;
  try {
    const info = await stat(path);
    if (!info.isFile()) return unreadable(`the ${what} is not a regular file`);
    if (info.size > maxBytes) {
      return unreadable(
        `the ${what} is ${info.size} bytes, over the limit of ${maxBytes}`,
        String(info.size),
        options.tooLargeHint,
      );
    }
    // Decoded where it is read: the bytes are garbage before the text is parsed.
    text = decodeUTF8(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return unreadable(`the ${what} does not exist`, "absent");
    return unreadable(`the ${what} cannot be read (${code ?? String(error)})`);
  }
  if (text === null) return unreadable(`the ${what} is not valid UTF-8`);
  const parsed = parseStrictJSONLeaving(text, options.leave ?? []);
  text = null; // the value holds copies, never slices of the text (only what is left does)
  if (!parsed.ok) {
    const { line, column, message, pointer } = parsed.problem;
    return {
      ok: false,
      findings: [
        createFinding("document_unreadable", {
          subject: `${file}#${pointer}`,
          message: `${file}:${line}:${column}: the ${what} is not valid JSON: ${message}`,
          cause: "not_json",
        }),
      ],
    };
  }
  return { ok: true, value: parsed.value, file, left: parsed.left };
}

/** The text of UTF-8 bytes; null when they are not UTF-8. */
function decodeUTF8(bytes: Buffer): string | null {
  if (!isUtf8(bytes)) return null;
  return bytes.toString("utf8");
}
