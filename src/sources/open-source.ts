import type { ClassifiedFinding } from "../findings/finding.js";
import { createDirSource } from "./dir-source.js";
import { createResticSource } from "./restic-source.js";
import type { RestoreSource, SourceOptions, SourceRef } from "./source.js";
import { createSnapshotSource } from "./snapshot-source.js";
import { createTarSource } from "./tar-source.js";

/** The source for a parsed reference, or a finding when this version cannot read that kind. */
export function openSource(
  ref: SourceRef,
  options: SourceOptions = {},
): RestoreSource | ClassifiedFinding {
  switch (ref.scheme) {
    case "dir":
      return createDirSource(ref);
    case "tar":
      return createTarSource(ref, options.identity);
    case "snapshot":
      return createSnapshotSource(ref);
    case "restic":
      return createResticSource(ref);
  }
}
