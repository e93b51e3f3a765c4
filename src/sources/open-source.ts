import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { createDirSource } from "./dir-source.js";
import type { RestoreSource, SourceOptions, SourceRef } from "./source.js";
import { createSnapshotSource } from "./snapshot-source.js";
import { createTarSource } from "./tar-source.js";

/** The source for a parsed reference, or a finding when this version cannot read that kind. */
export function openSource(
  ref: SourceRef,
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- read by the age and restic sources
  options: SourceOptions = {},
): RestoreSource | ClassifiedFinding {
  switch (ref.scheme) {
    case "dir":
      return createDirSource(ref);
    case "tar":
      return createTarSource(ref);
    case "snapshot":
      return createSnapshotSource(ref);
    case "restic":
      return createFinding("usage_invalid", {
        subject: "--source",
        actual: ref.text,
        message: `${ref.scheme}: sources are part of the contract but not implemented in this version; use dir: or tar:`,
      });
  }
}
