// The artifacts of a manifest as a run of windows, in manifest order, for a store check whose
// memory must not grow with their number: from an array or a table (./artifact-table.ts) in
// memory, or read again from the manifest file (./manifest-stream.ts) on every pass, so that
// no more than a window of artifacts is held at a time.
import { createFinding } from "../findings/finding.js";
import { RecoverableError } from "../findings/errors.js";
import { digestsEqual, type DigestSet } from "../identity/digest.js";
import type { ArtifactSource } from "./artifact-table.js";
import { rescanManifest, scanManifest, type ScannedManifest } from "./manifest-stream.js";
import { compareWalkOrder } from "./store-path.js";
import type { Artifact } from "./types.js";

/** Told one window: the index of its first artifact, and its artifacts. */
export type WindowVisitor = (start: number, artifacts: Artifact[]) => void | Promise<void>;

export type ArtifactWindows = {
  readonly length: number;
  /**
   * Every artifact, in manifest order, `size` at a time; while `each` works on a window (its
   * promise unsettled) no more is read.
   */
  forEachWindow(size: number, each: WindowVisitor): Promise<void>;
  /**
   * True when every path comes after the one before in the store walk's order: the stray walk
   * can then go along the manifest in one pass (src/store/find-unlisted.ts).
   */
  readonly inWalkOrder: boolean;
};

/** The windows of artifacts already in memory. */
export function windowsOf(source: ArtifactSource): ArtifactWindows {
  return {
    length: source.length,
    inWalkOrder: false,
    async forEachWindow(size, each) {
      for (let start = 0; start < source.length; start += size) {
        const end = Math.min(start + size, source.length);
        const window: Artifact[] = [];
        for (let index = start; index < end; index++) window.push(source.at(index) as Artifact);
        await each(start, window);
      }
    },
  };
}

/**
 * A manifest file read again on each pass. It is made only after a first pass found the file
 * valid and in the walk's order (so no path is listed twice); each later pass only parses the
 * elements, and checks that it read the bytes the first pass checked (the run fails if not).
 */
export class ManifestWindows implements ArtifactWindows {
  readonly inWalkOrder = true;
  readonly length: number;
  readonly digest: DigestSet;
  /** The sha256 of the bytes the first pass checked. */
  private readonly bytes: DigestSet;

  private constructor(
    private readonly path: string,
    first: ScannedManifest,
  ) {
    this.length = first.count;
    this.digest = first.digest;
    this.bytes = first.bytes;
  }

  /**
   * The manifest at `path` when the fast path takes it and its paths are in the walk's order;
   * null otherwise (the caller then loads it into a table, or the ordinary way). `observe` is
   * shown each artifact of this first pass (what is shown is worth nothing if it answers null).
   */
  static async open(
    path: string,
    observe?: (index: number, artifact: Artifact) => void,
  ): Promise<ManifestWindows | null> {
    const order = { previous: null as string | null, kept: true };
    let index = 0;
    const scanned = await scanManifest(path, (artifact) => {
      if (order.previous !== null && compareWalkOrder(order.previous, artifact.path) >= 0)
        order.kept = false;
      order.previous = artifact.path;
      observe?.(index++, artifact);
    });
    return scanned !== null && order.kept ? new ManifestWindows(path, scanned) : null;
  }

  async forEachWindow(size: number, each: WindowVisitor): Promise<void> {
    let window: Artifact[] = [];
    let start = 0;
    const bytes = await rescanManifest(this.path, (artifact) => {
      window.push(artifact);
      if (window.length < size) return;
      const full = window;
      window = [];
      start += full.length;
      return each(start - full.length, full);
    });
    if (bytes === null || !digestsEqual(bytes, this.bytes)) throw this.changed();
    if (window.length > 0) await each(start, window);
  }

  private changed(): RecoverableError {
    return new RecoverableError(
      createFinding("document_invalid", {
        subject: this.path,
        message: `${this.path}: the evidence manifest changed while it was being read; run again once nothing writes it`,
      }),
    );
  }
}
