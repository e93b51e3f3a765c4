// The manifest's artifacts in compact columns, for the store check of a large manifest: paths
// as UTF-8, digests as 32 bytes, sizes, kinds and roles as typed arrays, in chunks of 8 192
// artifacts; about 80 bytes an artifact where the parsed objects take about 210, and V8 grows its heap around
// whatever is live. An artifact with anything more (SQLite facts, x- keys, a kind this table
// does not know) is kept as it was parsed. `at(i)` builds the object again when it is needed.
import type { Artifact, ArtifactKind, Role } from "./types.js";

/** What the store check reads: an array of artifacts has this shape, and so does the table. */
export type ArtifactSource = {
  readonly length: number;
  at(index: number): Artifact | undefined;
};

const KINDS: readonly ArtifactKind[] = ["file", "json", "dir", "sqlite"];
const ROLES: readonly Role[] = ["durable", "reconstructable", "disposable"];
const PLAIN_KEYS = new Set(["path", "kind", "role", "size", "digest"]);
const LOWER_HEX_64 = /^[0-9a-f]{64}$/;

/** An artifact the columns hold exactly: nothing but path, kind, role, size and a sha256. */
function isPlain(artifact: Artifact): boolean {
  for (const key of Object.keys(artifact)) if (!PLAIN_KEYS.has(key)) return false;
  const digestKeys = Object.keys(artifact.digest);
  return (
    KINDS.includes(artifact.kind) &&
    ROLES.includes(artifact.role) &&
    digestKeys.length === 1 &&
    digestKeys[0] === "sha256" &&
    LOWER_HEX_64.test(artifact.digest.sha256)
  );
}

/** One run of consecutive artifacts in columns; a table is a list of these. */
type Chunk = {
  /** Paths as UTF-8; pathStarts[i] to pathStarts[i + 1] is the chunk's i-th. */
  pathBytes: Buffer;
  readonly pathStarts: Uint32Array;
  readonly digests: Buffer;
  readonly sizes: Float64Array;
  readonly kinds: Uint8Array;
  readonly roles: Uint8Array;
};

/**
 * Artifacts a chunk holds. The columns grow a chunk at a time instead of doubling and copying:
 * a doubled column leaves its old copy as garbage outside the heap until a full collection
 * (on an 80 000-artifact manifest, 20 MiB at the peak of loading it), and is half empty.
 */
const CHUNK_ARTIFACTS = 8192;
/**
 * Room for the first chunk's paths, per artifact; each later chunk gets what the one before
 * used and an eighth more, so its paths fit without a copy and little room is left over (a
 * copy leaves the old buffer as garbage outside the heap until the next collection).
 */
const FIRST_PATH_BYTES = 48;

function newChunk(size: number, pathRoom: number): Chunk {
  return {
    pathBytes: Buffer.allocUnsafe(pathRoom),
    pathStarts: new Uint32Array(size + 1),
    digests: Buffer.alloc(32 * size),
    sizes: new Float64Array(size),
    kinds: new Uint8Array(size),
    roles: new Uint8Array(size),
  };
}

/** Columns that grow as artifacts are added, one at a time (a streamed manifest) or all at once. */
export class ArtifactTableBuilder {
  private count = 0;
  private readonly chunks: Chunk[] = [];
  private readonly whole = new Map<number, Artifact>();

  /** `chunkSize`: artifacts a chunk holds (tests make it small to cross chunks often). */
  constructor(private readonly chunkSize = CHUNK_ARTIFACTS) {}

  get length(): number {
    return this.count;
  }

  push(artifact: Artifact): void {
    const offset = this.count % this.chunkSize;
    if (offset === 0) {
      const used = this.trimLast();
      const room = used === null ? this.chunkSize * FIRST_PATH_BYTES : Math.ceil(used * 1.125);
      this.chunks.push(newChunk(this.chunkSize, Math.max(64, room)));
    }
    const chunk = this.chunks[this.chunks.length - 1] as Chunk;
    const index = this.count++;
    const start = chunk.pathStarts[offset] as number;
    const bytes = Buffer.byteLength(artifact.path, "utf8");
    if (start + bytes > chunk.pathBytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * chunk.pathBytes.length, start + bytes));
      chunk.pathBytes.copy(larger, 0, 0, start);
      chunk.pathBytes = larger;
    }
    chunk.pathStarts[offset + 1] = start + chunk.pathBytes.write(artifact.path, start, "utf8");
    if (!isPlain(artifact)) {
      this.whole.set(index, artifact);
      return;
    }
    chunk.digests.write(artifact.digest.sha256, 32 * offset, "hex");
    chunk.sizes[offset] = artifact.size;
    chunk.kinds[offset] = KINDS.indexOf(artifact.kind);
    chunk.roles[offset] = ROLES.indexOf(artifact.role);
  }

  /** The table; the builder must not be used after. */
  build(): ArtifactTable {
    this.trimLast();
    return new ArtifactTable({
      length: this.count,
      chunkSize: this.chunkSize,
      chunks: this.chunks,
      whole: this.whole,
    });
  }

  /**
   * The last chunk's path bytes cut to what they hold, and how many that is (null: no chunk).
   * A view, not a copy, when the room left is small (no garbage); a copy when over half of it
   * is empty (the first chunk, whose room was a guess, or a last chunk not full).
   */
  private trimLast(): number | null {
    const chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined) return null;
    const used = chunk.pathStarts[((this.count - 1) % this.chunkSize) + 1] as number;
    chunk.pathBytes =
      2 * used < chunk.pathBytes.length
        ? Buffer.from(chunk.pathBytes.subarray(0, used))
        : chunk.pathBytes.subarray(0, used);
    return used;
  }
}

type Columns = {
  readonly length: number;
  readonly chunkSize: number;
  readonly chunks: readonly Chunk[];
  /** Artifacts kept whole, by index: the columns cannot say everything about them. */
  readonly whole: ReadonlyMap<number, Artifact>;
};

export class ArtifactTable implements ArtifactSource {
  readonly length: number;

  /** Use ArtifactTable.from or an ArtifactTableBuilder. */
  constructor(private readonly columns: Columns) {
    this.length = columns.length;
  }

  /** The columns of `artifacts`; the caller should then let the array go. */
  static from(artifacts: readonly Artifact[]): ArtifactTable {
    const builder = new ArtifactTableBuilder();
    for (const artifact of artifacts) builder.push(artifact);
    return builder.build();
  }

  /** The chunk that holds artifact `index`, and its place there. */
  private place(index: number): { chunk: Chunk; offset: number } {
    const { chunkSize, chunks } = this.columns;
    const number = Math.floor(index / chunkSize);
    return { chunk: chunks[number] as Chunk, offset: index - number * chunkSize };
  }

  /** The bytes of the path of artifact `index`: its chunk's buffer and where it is there. */
  private pathRange(index: number): { bytes: Buffer; start: number; end: number } {
    const { chunk, offset } = this.place(index);
    return {
      bytes: chunk.pathBytes,
      start: chunk.pathStarts[offset] as number,
      end: chunk.pathStarts[offset + 1] as number,
    };
  }

  /** Where each path is, by a hash of its bytes (open addressing, index + 1; 0 is empty). */
  private slots: Uint32Array | null = null;

  /** The index of the artifact at `path`, or -1. */
  indexOf(path: string): number {
    const slots = (this.slots ??= this.buildSlots());
    // The path's bytes go into one reused buffer: a Buffer a lookup would be garbage outside
    // the heap, which the collector sees late.
    const length = Buffer.byteLength(path, "utf8");
    if (length > this.scratch.length) this.scratch = Buffer.allocUnsafe(2 * length);
    this.scratch.write(path, 0, "utf8");
    const bytes = this.scratch.subarray(0, length);
    const mask = slots.length - 1;
    for (let slot = hashBytes(bytes, 0, length) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number;
      if (entry === 0) return -1;
      if (this.pathEquals(entry - 1, bytes)) return entry - 1;
    }
  }

  private scratch = Buffer.allocUnsafe(1024);

  /** The first artifact whose path an earlier one has too, or -1. */
  firstDuplicate(): number {
    const slots = new Uint32Array(slotCount(this.length));
    const mask = slots.length - 1;
    for (let index = 0; index < this.length; index++) {
      const { bytes, start, end } = this.pathRange(index);
      for (let slot = hashBytes(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
        const entry = slots[slot] as number;
        if (entry === 0) {
          slots[slot] = index + 1;
          break;
        }
        if (this.samePath(entry - 1, index)) return index;
      }
    }
    this.slots = slots;
    return -1;
  }

  private buildSlots(): Uint32Array {
    if (this.firstDuplicate() !== -1) throw new Error("ArtifactTable: a path is listed twice");
    return this.slots as unknown as Uint32Array;
  }

  private samePath(a: number, b: number): boolean {
    const x = this.pathRange(a);
    const y = this.pathRange(b);
    return x.bytes.compare(y.bytes, y.start, y.end, x.start, x.end) === 0;
  }

  private pathEquals(index: number, path: Buffer): boolean {
    const { bytes, start, end } = this.pathRange(index);
    return path.compare(bytes, start, end) === 0;
  }

  pathAt(index: number): string {
    const { chunk, offset } = this.place(index);
    return pathIn(chunk, offset);
  }

  at(index: number): Artifact | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const kept = this.columns.whole.get(index);
    if (kept) return kept;
    const { chunk, offset } = this.place(index);
    return {
      path: pathIn(chunk, offset),
      kind: KINDS[chunk.kinds[offset] as number] as ArtifactKind,
      role: ROLES[chunk.roles[offset] as number] as Role,
      size: chunk.sizes[offset] as number,
      digest: { sha256: chunk.digests.toString("hex", 32 * offset, 32 * offset + 32) },
    };
  }
}

/** The path of a chunk's artifact at `offset`. */
function pathIn(chunk: Chunk, offset: number): string {
  return chunk.pathBytes.toString("utf8", chunk.pathStarts[offset], chunk.pathStarts[offset + 1]);
}

/** Every artifact of `source`, in order, built one at a time. */
export function* artifactsOf(source: ArtifactSource): Generator<Artifact> {
  for (let index = 0; index < source.length; index++) yield source.at(index) as Artifact;
}

/**
 * A power of two with room for the count at a load of at most 3/4: linear probing stays short
 * (about 2.5 probes to find a path) and the index takes 4 to 8 bytes an artifact.
 */
function slotCount(count: number): number {
  let size = 16;
  while (size * 3 < count * 4) size *= 2;
  return size;
}

/** FNV-1a over bytes[start, end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= bytes[i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
