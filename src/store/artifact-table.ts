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

export class ArtifactTable implements ArtifactSource {
  readonly length: number;
  private readonly pathBytes: Buffer;
  /** Where each path starts in pathBytes; one more entry than artifacts. */
  private readonly pathStarts: Uint32Array;
  private readonly digests: Buffer;
  private readonly sizes: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly roles: Uint8Array;
  /** Artifacts kept whole, by index: the columns cannot say everything about them. */
  private readonly whole = new Map<number, Artifact>();

  private constructor(artifacts: readonly Artifact[]) {
    const count = artifacts.length;
    this.length = count;
    let pathLength = 0;
    for (const artifact of artifacts) pathLength += Buffer.byteLength(artifact.path, "utf8");
    this.pathBytes = Buffer.allocUnsafe(pathLength);
    this.pathStarts = new Uint32Array(count + 1);
    this.digests = Buffer.alloc(32 * count);
    this.sizes = new Float64Array(count);
    this.kinds = new Uint8Array(count);
    this.roles = new Uint8Array(count);
    let offset = 0;
    artifacts.forEach((artifact, index) => {
      this.pathStarts[index] = offset;
      offset += this.pathBytes.write(artifact.path, offset, "utf8");
      if (!isPlain(artifact)) {
        this.whole.set(index, artifact);
        return;
      }
      this.digests.write(artifact.digest.sha256, 32 * index, "hex");
      this.sizes[index] = artifact.size;
      this.kinds[index] = KINDS.indexOf(artifact.kind);
      this.roles[index] = ROLES.indexOf(artifact.role);
    });
    this.pathStarts[count] = offset;
  }

  /** The columns of `artifacts`; the caller should then let the array go. */
  static from(artifacts: readonly Artifact[]): ArtifactTable {
    return new ArtifactTable(artifacts);
  }

  pathAt(index: number): string {
    return this.pathBytes.toString("utf8", this.pathStarts[index], this.pathStarts[index + 1]);
  }

  at(index: number): Artifact | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const kept = this.whole.get(index);
    if (kept) return kept;
    return {
      path: this.pathAt(index),
      kind: KINDS[this.kinds[index] as number] as ArtifactKind,
      role: ROLES[this.roles[index] as number] as Role,
      size: this.sizes[index] as number,
      digest: { sha256: this.digests.toString("hex", 32 * index, 32 * index + 32) },
    };
  }
}

/** Every artifact of `source`, in order, built one at a time. */
export function* artifactsOf(source: ArtifactSource): Generator<Artifact> {
  for (let index = 0; index < source.length; index++) yield source.at(index) as Artifact;
}
