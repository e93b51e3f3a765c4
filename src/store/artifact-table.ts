// The manifest's artifacts in compact columns, for the store check of a large manifest: paths
// as UTF-8 in one buffer, digests as 32 bytes, sizes, kinds and roles as typed arrays; about 70
// bytes an artifact where the parsed objects take about 210, and V8 grows its heap around
// whatever is live. An artifact with anything more (SQLite facts, x- keys, a kind this table
// does not know) is kept as it was parsed. `at(i)` builds the object again when it is needed.
import type { Artifact, ArtifactKind, Role } from "../documents/types.js";

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

/** Columns that grow as artifacts are added, one at a time (a streamed manifest) or all at once. */
export class ArtifactTableBuilder {
  private count = 0;
  private capacity: number;
  private pathBytes: Buffer;
  private pathLength = 0;
  private pathStarts: Uint32Array;
  private digests: Buffer;
  private sizes: Float64Array;
  private kinds: Uint8Array;
  private roles: Uint8Array;
  private readonly whole = new Map<number, Artifact>();

  constructor(expected = 1024) {
    this.capacity = Math.max(16, expected);
    this.pathBytes = Buffer.allocUnsafe(this.capacity * 32);
    this.pathStarts = new Uint32Array(this.capacity + 1);
    this.digests = Buffer.alloc(32 * this.capacity);
    this.sizes = new Float64Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);
    this.roles = new Uint8Array(this.capacity);
  }

  get length(): number {
    return this.count;
  }

  push(artifact: Artifact): void {
    if (this.count === this.capacity) this.grow();
    const index = this.count++;
    const bytes = Buffer.byteLength(artifact.path, "utf8");
    if (this.pathLength + bytes > this.pathBytes.length) {
      const larger = Buffer.allocUnsafe(
        Math.max(2 * this.pathBytes.length, this.pathLength + bytes),
      );
      this.pathBytes.copy(larger, 0, 0, this.pathLength);
      this.pathBytes = larger;
    }
    this.pathStarts[index] = this.pathLength;
    this.pathLength += this.pathBytes.write(artifact.path, this.pathLength, "utf8");
    this.pathStarts[index + 1] = this.pathLength;
    if (!isPlain(artifact)) {
      this.whole.set(index, artifact);
      return;
    }
    this.digests.write(artifact.digest.sha256, 32 * index, "hex");
    this.sizes[index] = artifact.size;
    this.kinds[index] = KINDS.indexOf(artifact.kind);
    this.roles[index] = ROLES.indexOf(artifact.role);
  }

  /** The table; the builder must not be used after. */
  build(): ArtifactTable {
    const n = this.count;
    return new ArtifactTable({
      length: n,
      // Copies of exactly the used part: the columns then take no more than they hold for the
      // whole store check (the growing ones had up to twice the room).
      pathBytes: Buffer.from(this.pathBytes.subarray(0, this.pathLength)),
      pathStarts: this.pathStarts.slice(0, n + 1),
      digests: Buffer.from(this.digests.subarray(0, 32 * n)),
      sizes: this.sizes.slice(0, n),
      kinds: this.kinds.slice(0, n),
      roles: this.roles.slice(0, n),
      whole: this.whole,
    });
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const starts = new Uint32Array(capacity + 1);
    starts.set(this.pathStarts);
    this.pathStarts = starts;
    const digests = Buffer.alloc(32 * capacity);
    this.digests.copy(digests);
    this.digests = digests;
    const sizes = new Float64Array(capacity);
    sizes.set(this.sizes);
    this.sizes = sizes;
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const roles = new Uint8Array(capacity);
    roles.set(this.roles);
    this.roles = roles;
    this.capacity = capacity;
  }
}

type Columns = {
  readonly length: number;
  readonly pathBytes: Buffer;
  /** Where each path starts in pathBytes; one more entry than artifacts. */
  readonly pathStarts: Uint32Array;
  readonly digests: Buffer;
  readonly sizes: Float64Array;
  readonly kinds: Uint8Array;
  readonly roles: Uint8Array;
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
    const builder = new ArtifactTableBuilder(artifacts.length);
    for (const artifact of artifacts) builder.push(artifact);
    return builder.build();
  }

  /** Where each path is, by a hash of its bytes (open addressing, index + 1; 0 is empty). */
  private slots: Uint32Array | null = null;

  /** The index of the artifact at `path`, or -1: for a large table, 8 bytes an artifact. */
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
    const { pathBytes, pathStarts } = this.columns;
    const slots = new Uint32Array(slotCount(this.length));
    const mask = slots.length - 1;
    for (let index = 0; index < this.length; index++) {
      const start = pathStarts[index] as number;
      const end = pathStarts[index + 1] as number;
      for (let slot = hashBytes(pathBytes, start, end) & mask; ; slot = (slot + 1) & mask) {
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
    const { pathBytes, pathStarts } = this.columns;
    return (
      pathBytes.compare(
        pathBytes,
        pathStarts[b],
        pathStarts[b + 1],
        pathStarts[a],
        pathStarts[a + 1],
      ) === 0
    );
  }

  private pathEquals(index: number, bytes: Buffer): boolean {
    const { pathBytes, pathStarts } = this.columns;
    return bytes.compare(pathBytes, pathStarts[index], pathStarts[index + 1]) === 0;
  }

  pathAt(index: number): string {
    const { pathBytes, pathStarts } = this.columns;
    return pathBytes.toString("utf8", pathStarts[index], pathStarts[index + 1]);
  }

  at(index: number): Artifact | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const { whole, digests, sizes, kinds, roles } = this.columns;
    const kept = whole.get(index);
    if (kept) return kept;
    return {
      path: this.pathAt(index),
      kind: KINDS[kinds[index] as number] as ArtifactKind,
      role: ROLES[roles[index] as number] as Role,
      size: sizes[index] as number,
      digest: { sha256: digests.toString("hex", 32 * index, 32 * index + 32) },
    };
  }
}

/** Every artifact of `source`, in order, built one at a time. */
export function* artifactsOf(source: ArtifactSource): Generator<Artifact> {
  for (let index = 0; index < source.length; index++) yield source.at(index) as Artifact;
}

/** A power of two at least twice the count: probes stay short. */
function slotCount(count: number): number {
  let size = 16;
  while (size < 2 * count) size *= 2;
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
