// Reads one JSON document from disk, refusing anything that is not plainly one JSON value.
import { isUtf8 } from "node:buffer";
import { readFile, stat } from "node:fs/promises";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { parseStrictJSON, type JSONValue } from "./strict-json.js";

/** Documents larger than this are refused: a manifest of a million artifacts is about 300 MB. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

export type ReadResult =
  | { readonly ok: true; readonly value: JSONValue; readonly file: string }
  | { readonly ok: false; readonly findings: ClassifiedFinding[] };

export async function readJSONDocument(path: string, what: string): Promise<ReadResult> {
  const file = displayPath(path);
  const unreadable = (message: string, actual: string | null = null): ReadResult => ({
    ok: false,
    findings: [
      createFinding("document_unreadable", {
        subject: file,
        message: `${file}: ${message}`,
        actual,
        ...(actual === "absent" ? { cause: "missing" as const } : {}),
      }),
    ],
  });
  let text: string | null;
  try {
    const info = await stat(path);
    if (!info.isFile()) return unreadable(`the ${what} is not a regular file`);
    if (info.size > MAX_DOCUMENT_BYTES) {
      return unreadable(
        `the ${what} is ${info.size} bytes, over the limit of ${MAX_DOCUMENT_BYTES}`,
        String(info.size),
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
  const parsed = parseStrictJSON(text);
  text = null; // the value holds copies, never slices of the text
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
  return { ok: true, value: parsed.value, file };
}

/** The text of UTF-8 bytes; null when they are not UTF-8. */
function decodeUTF8(bytes: Buffer): string | null {
  if (!isUtf8(bytes)) return null;
  return bytes.toString("utf8");
}
