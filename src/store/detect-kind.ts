// Kind by content, never by name: SQLite by its header, a pg_dump by its magic or header
// comment (gzip looked through), JSON by parsing as an object or array.
import { readFile } from "node:fs/promises";
import type { ArtifactKind } from "../documents/types.js";
import { parseStrictJSON } from "../documents/strict-json.js";
import { isSQLiteHeader } from "./sqlite-header.js";
import { detectDumpFormat, DUMP_HEAD_BYTES, needsLongerHead } from "../postgres/dump-format.js";
import { readHead } from "../util/read-head.js";

/** JSON files larger than this are sealed as plain files; parsing them would cost too much. */
export const MAX_JSON_ARTIFACT_BYTES = 64 * 1024 * 1024;

export async function detectFileKind(
  absolutePath: string,
  head: Uint8Array,
  size: number,
): Promise<ArtifactKind> {
  if (isSQLiteHeader(head)) return "sqlite";
  const dumpHead = needsLongerHead(head) ? await readHead(absolutePath, DUMP_HEAD_BYTES) : head;
  if (detectDumpFormat(dumpHead) !== null) return "pgdump";
  const first = Buffer.from(head).toString("utf8").trimStart()[0];
  if ((first === "{" || first === "[") && size <= MAX_JSON_ARTIFACT_BYTES) {
    return (await parseJSONArtifact(absolutePath)) ? "json" : "file";
  }
  return "file";
}

/** Whether a file holds exactly one valid JSON value (UTF-8, strict). */
export async function parseJSONArtifact(absolutePath: string): Promise<boolean> {
  const bytes = await readFile(absolutePath);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return parseStrictJSON(text).ok;
}
