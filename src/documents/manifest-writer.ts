// Writes an evidence manifest one artifact at a time, so seal never holds the whole document:
// the text is what formatJSON({ schemaVersion: 1, artifacts }) writes, byte for byte, and the
// digest is digestOfJSON of the same document, taken as the artifacts go by. RFC 8785 sorts
// members, so the canonical form is `{"artifacts":[` then each artifact's own canonical form,
// comma separated, then `],"schemaVersion":1}`; each artifact is canonicalized on its own.
import { createHash, type Hash } from "node:crypto";
import { writeCanonicalJSON } from "../identity/canonical-json.js";
import type { DigestSet } from "../identity/digest.js";
import type { Artifact } from "./types.js";

/** Receives the manifest's text in order, a piece at a time. */
export type TextSink = (text: string) => void;

const HEAD = '{\n  "schemaVersion": 1,\n  "artifacts": [';
const CANONICAL_HEAD = '{"artifacts":[';
const CANONICAL_TAIL = '],"schemaVersion":1}';
/** Canonical text is handed to the hash in pieces of about this many characters. */
const FLUSH_CHARS = 64 * 1024;

/** The manifest's text and digest, built from its artifacts in order. */
export class ManifestText {
  private readonly hash: Hash = createHash("sha256");
  private pending: string[] = [CANONICAL_HEAD];
  private pendingChars = CANONICAL_HEAD.length;
  private artifacts = 0;

  constructor(private readonly sink: TextSink) {
    sink(HEAD);
  }

  /** How many artifacts were added. */
  get count(): number {
    return this.artifacts;
  }

  add(artifact: Artifact): void {
    const first = this.artifacts === 0;
    this.artifacts++;
    // JSON strings never hold a raw newline, so every line break of the text is a line's end.
    this.sink(
      `${first ? "\n" : ",\n"}    ${JSON.stringify(artifact, null, 2).replaceAll("\n", "\n    ")}`,
    );
    if (!first) this.canonical(",");
    writeCanonicalJSON(artifact, (text) => {
      this.canonical(text);
    });
  }

  /** Writes the end of the document; the digest of the whole, as digestOfJSON gives it. */
  finish(): DigestSet {
    this.sink(this.artifacts === 0 ? "]\n}\n" : "\n  ]\n}\n");
    this.canonical(CANONICAL_TAIL);
    this.hash.update(this.pending.join(""), "utf8");
    this.pending = [];
    return { sha256: this.hash.digest("hex") };
  }

  private canonical(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars < FLUSH_CHARS) return;
    this.hash.update(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingChars = 0;
  }
}
