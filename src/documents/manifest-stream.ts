// Reads a large evidence manifest without ever holding it whole: its bytes are read in
// chunks, each element of /artifacts is cut out, checked strictly, validated against the
// schema, digested in RFC 8785 form and put into compact columns, one at a time. The rest of
// the document (schemaVersion, x- keys) is small and checked as a whole.
//
// This is the fast path for a valid manifest. Anything it does not understand or that fails
// any check makes it answer null, and the caller loads the document the ordinary way, which
// names every problem with its line, column and JSON pointer. So it never has to explain an
// error, only to be sure that what it accepts is exactly what the ordinary loader accepts,
// with the same digest (a property test checks both).
import { isUtf8 } from "node:buffer";
import { createHash, type Hash } from "node:crypto";
import { open } from "node:fs/promises";
import { ArtifactTableBuilder, type ArtifactTable } from "./artifact-table.js";
import { checkStorePath } from "./store-path.js";
import type { DigestSet } from "../identity/digest.js";
import { canonicalJSON, writeCanonicalJSON } from "../identity/canonical-json.js";
import { conformsTo } from "./schema-validation.js";
import { DEFAULT_MAX_DEPTH, parseStrictJSON, type JSONValue } from "./strict-json.js";
import type { Artifact } from "./types.js";

export type StreamedManifest = ScannedManifest & { readonly artifacts: ArtifactTable };

/** What a pass over the manifest learns besides its artifacts, which it hands on one at a time. */
export type ScannedManifest = {
  /** sha256 of the manifest's RFC 8785 form, as digestOfJSON(manifest) gives it. */
  readonly digest: DigestSet;
  /** Everything but the artifacts: schemaVersion and x- keys. */
  readonly rest: Readonly<Record<string, JSONValue>>;
  /** How many artifacts it lists. */
  readonly count: number;
  /** sha256 of the file's bytes as read: a later pass that reads the same bytes reads the same manifest. */
  readonly bytes: DigestSet;
};

/**
 * Told each artifact of a manifest, in order, once it passed every check; when it answers a
 * promise, nothing more is read until it settles (so a slow consumer holds the reading back).
 */
export type ArtifactVisitor = (artifact: Artifact) => void | Promise<void>;

const CHUNK_BYTES = 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ARTIFACTS_KEY = Buffer.from('"artifacts"');
const COLON = Buffer.from(":");

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** A growable byte buffer for the skeleton and for one element at a time. */
class Bytes {
  private buffer = Buffer.allocUnsafe(4096);
  length = 0;

  append(source: Buffer, start: number, end: number): void {
    const needed = this.length + end - start;
    if (needed > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    source.copy(this.buffer, this.length, start, end);
    this.length = needed;
  }

  appendText(text: string): void {
    this.append(Buffer.from(text), 0, Buffer.byteLength(text));
  }

  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** Whether the bytes end with `suffix` once trailing whitespace is skipped. */
  endsWithToken(suffix: Buffer): boolean {
    let end = this.length;
    while (end > 0 && isSpace(this.buffer[end - 1] as number)) end--;
    return end >= suffix.length && this.buffer.subarray(end - suffix.length, end).equals(suffix);
  }

  clear(): void {
    this.length = 0;
  }
}

type Mode = "skeleton" | "between" | "element" | "after-element";

/**
 * The manifest at `path`, streamed; null when the fast path does not apply or anything in
 * the document is not as it must be (the caller then loads it the ordinary way).
 */
export async function streamManifest(path: string): Promise<StreamedManifest | null> {
  const table = new ArtifactTableBuilder();
  const scanned = await scanManifest(path, (artifact) => {
    table.push(artifact);
  });
  if (scanned === null) return null;
  const artifacts = table.build();
  if (artifacts.firstDuplicate() !== -1) return null; // the ordinary loader names it
  return { ...scanned, artifacts };
}

/**
 * One pass over the manifest at `path`: each artifact, checked, to `visit`, and what the pass
 * learnt; null as for streamManifest. It does not look for a path listed twice: the caller
 * does (a table by its index; a manifest in the store walk's order by that order).
 */
export async function scanManifest(
  path: string,
  visit: ArtifactVisitor,
): Promise<ScannedManifest | null> {
  const handle = await open(path, "r");
  try {
    const scanned = await scan(handle, visit, true);
    return scanned === null ? null : finish(scanned);
  } finally {
    await handle.close();
  }
}

/**
 * Another pass over a manifest a scanManifest pass found valid: each element is only parsed
 * (JSON.parse: the strict checks, the schema and the canonical digest were the first pass's
 * work, and take most of its time). The caller compares the answer, the sha256 of the bytes
 * read, with the first pass's `bytes`: equal, it read the same manifest. Null when the file no
 * longer has a manifest's shape.
 */
export async function rescanManifest(
  path: string,
  visit: ArtifactVisitor,
): Promise<DigestSet | null> {
  const handle = await open(path, "r");
  try {
    return (await scan(handle, visit, false))?.bytes ?? null;
  } finally {
    await handle.close();
  }
}

type Scanned = {
  readonly skeleton: Buffer;
  readonly count: number;
  readonly hash: Hash;
  readonly bytes: DigestSet;
};

async function scan(
  handle: Awaited<ReturnType<typeof open>>,
  visit: ArtifactVisitor,
  checked: boolean,
): Promise<Scanned | null> {
  const raw = createHash("sha256");
  const skeleton = new Bytes();
  const element = new Bytes();
  let count = 0;
  const hash = createHash("sha256").update('{"artifacts":[');
  let [mode, depth, first] = ["skeleton" as Mode, 0, true];
  let [inString, escaped, sawArtifacts] = [false, false, false];
  for await (const [chunk, from, bytesRead] of chunksOf(handle, raw)) {
    let i = from;
    let segmentStart = i; // where the bytes not yet copied to skeleton or element begin
    for (; i < bytesRead; i++) {
      const b = chunk[i] as number;
      if (inString) {
        [inString, escaped] = insideString(escaped, b);
        continue;
      }
      if (mode === "skeleton") {
        if (b === QUOTE) inString = true;
        else if (b === 0x7b /* { */ || b === 0x5b /* [ */) {
          depth++;
          if (b === 0x5b && depth === 2) {
            skeleton.append(chunk, segmentStart, i);
            // "artifacts": [ at the top level: its elements are streamed, not kept.
            const isArtifacts = opensArtifacts(skeleton);
            if (isArtifacts === null) return null;
            if (!isArtifacts) {
              segmentStart = i;
              continue;
            }
            if (sawArtifacts) return null; // twice: the ordinary loader names the duplicate
            sawArtifacts = true;
            skeleton.appendText("[]");
            mode = "between";
            segmentStart = i + 1;
          }
        } else if (b === 0x7d /* } */ || b === 0x5d /* ] */) depth--;
        continue;
      }
      if (mode === "between" || mode === "after-element") {
        const next = betweenElements(mode, first, b);
        if (next === null) return null;
        if (next === "close") {
          depth--;
          mode = "skeleton";
          segmentStart = i + 1;
        } else {
          if (next === "element") [depth, segmentStart] = [depth + 1, i];
          mode = next;
        }
        continue;
      }
      // mode === "element"
      if (b === QUOTE) inString = true;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        depth--;
        if (depth === 2) {
          element.append(chunk, segmentStart, i + 1);
          const taken = takeArtifact(element.view(), checked ? hash : null, first);
          if (taken === null) return null;
          element.clear();
          await visit(taken);
          count++;
          [first, mode] = [false, "after-element"];
        }
      }
    }
    if (mode === "skeleton") skeleton.append(chunk, segmentStart, bytesRead);
    else if (mode === "element") element.append(chunk, segmentStart, bytesRead);
  }
  if (mode !== "skeleton" || inString || depth !== 0 || !sawArtifacts) return null;
  return { skeleton: skeleton.view(), count, hash, bytes: { sha256: raw.digest("hex") } };
}

/** The file's bytes a chunk at a time, from after a UTF-8 byte order mark; each into `raw`. */
async function* chunksOf(
  handle: Awaited<ReturnType<typeof open>>,
  raw: Hash,
): AsyncGenerator<[Buffer, number, number]> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let offsetInFile = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    raw.update(chunk.subarray(0, bytesRead));
    const bom = offsetInFile === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    offsetInFile += bytesRead;
    yield [chunk, bom ? 3 : 0, bytesRead];
  }
}

/** After byte `b` inside a string: whether the string goes on, and whether `b` escapes the next. */
function insideString(escaped: boolean, b: number): [boolean, boolean] {
  if (escaped) return [true, false];
  if (b === BACKSLASH) return [true, true];
  return [b !== QUOTE, false];
}

/**
 * At a `[` that opens a value of the top-level object: whether it is "artifacts"; null when
 * the skeleton before it does not end in a key and a colon.
 */
function opensArtifacts(skeleton: Bytes): boolean | null {
  if (!skeleton.endsWithToken(COLON)) return null;
  const beforeColon = skeleton.length;
  skeleton.length = trimColon(skeleton);
  const isArtifacts = skeleton.endsWithToken(ARTIFACTS_KEY);
  skeleton.length = beforeColon;
  return isArtifacts;
}

/**
 * A byte between the artifacts: the mode it leads to, "close" at the `]` that ends them, or
 * null when it is not as a manifest has it (a trailing comma; an artifact that is no object).
 */
function betweenElements(
  mode: "between" | "after-element",
  first: boolean,
  b: number,
): Mode | "close" | null {
  if (isSpace(b)) return mode;
  if (b === 0x5d /* ] */) return mode === "between" && !first ? null : "close";
  if (mode === "after-element") return b === 0x2c /* , */ ? "between" : null;
  return b === 0x7b /* { */ ? "element" : null;
}

/** The skeleton's length without the trailing `:` (and the whitespace around it). */
function trimColon(bytes: Bytes): number {
  const view = bytes.view();
  let end = view.length;
  while (end > 0 && isSpace(view[end - 1] as number)) end--;
  return end - 1; // the colon
}

/** An element a first pass checked; null when it no longer parses (the file changed). */
function parseChecked(bytes: Buffer): Artifact | null {
  try {
    return JSON.parse(bytes.toString("utf8")) as Artifact;
  } catch {
    return null;
  }
}

/**
 * Checks one element as the ordinary loader would, then digests it into `hash`; null when it
 * fails. Without a hash, a later pass's: only parsed.
 */
function takeArtifact(bytes: Buffer, hash: Hash | null, first: boolean): Artifact | null {
  if (hash === null) return parseChecked(bytes);
  if (!isUtf8(bytes)) return null;
  // The element sits at depth 2 of the document (the object, then the array).
  const parsed = parseStrictJSON(bytes.toString("utf8"), DEFAULT_MAX_DEPTH - 2);
  if (!parsed.ok) return null;
  const artifact = parsed.value;
  if (!conformsTo("manifest", { schemaVersion: 1, artifacts: [artifact] })) return null;
  const path = (artifact as unknown as Artifact).path;
  if (checkStorePath(path) !== null) return null;
  if (!first) hash.update(",");
  let pending = "";
  writeCanonicalJSON(artifact, (text) => {
    pending += text;
  });
  hash.update(pending, "utf8");
  return artifact as unknown as Artifact;
}

function finish({ skeleton: skeletonBytes, count, hash, bytes }: Scanned): ScannedManifest | null {
  if (!isUtf8(skeletonBytes)) return null;
  const parsed = parseStrictJSON(skeletonBytes.toString("utf8"));
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return null;
  if (Array.isArray(parsed.value)) return null;
  const skeleton = parsed.value;
  const listed = skeleton.artifacts;
  if (!Array.isArray(listed) || listed.length !== 0) return null;
  if (!conformsTo("manifest", skeleton)) return null;
  const rest: Record<string, JSONValue> = {};
  for (const [key, value] of Object.entries(skeleton)) if (key !== "artifacts") rest[key] = value;
  // In RFC 8785 order "artifacts" comes first only if every other key sorts after it; the
  // schema allows schemaVersion and x- keys, which do. Anything else: the ordinary way.
  if (Object.keys(rest).some((key) => key < "artifacts")) return null;
  const tail = canonicalJSON(rest); // {"schemaVersion":1,...}
  hash.update(tail === "{}" ? "]}" : `],${tail.slice(1)}`, "utf8");
  return { digest: { sha256: hash.digest("hex") }, rest, count, bytes };
}
