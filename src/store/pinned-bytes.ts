// Whether a release pins an artifact's bytes, or only what they hold: an SQLite database sealed
// with identity "content" may come back in another layout (VACUUM, the backup API), so its size
// and sha256 may differ; every other artifact must come back byte for byte.
import type { Artifact } from "../documents/types.js";

export function bytesArePinned(artifact: Artifact): boolean {
  return artifact.kind !== "sqlite" || artifact.sqlite?.identity !== "content";
}
