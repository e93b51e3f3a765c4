import { capRepeated } from "../findings/cap-repeated.js";
import { ok, type Checked } from "../findings/checked.js";
import { createDirSource } from "./dir-source.js";
import { createResticSource } from "./restic-source.js";
import type { RestoreSource, SourceOptions, SourceRef } from "../archive/source.js";
import { createSnapshotSource } from "./snapshot-source.js";
import { createTarSource } from "./tar-source.js";

/** The source for a parsed reference, or a finding when this version cannot read that kind. */
export function openSource(ref: SourceRef, options: SourceOptions = {}): Checked<RestoreSource> {
  const source = sourceFor(ref, options);
  return source.ok ? ok(withRepeatsCapped(source.value)) : source;
}

function sourceFor(ref: SourceRef, options: SourceOptions): Checked<RestoreSource> {
  switch (ref.scheme) {
    case "dir":
      return ok(createDirSource(ref));
    case "tar":
      return createTarSource(ref, options.identity);
    case "snapshot":
      return ok(createSnapshotSource(ref));
    case "restic":
      return createResticSource(ref);
  }
}

/** Every source's findings pass one cap: a few of each code, then how many more there were. */
function withRepeatsCapped(source: RestoreSource): RestoreSource {
  return {
    ref: source.ref,
    backupTime: () => source.backupTime(),
    resolved: () => source.resolved(),
    opens: () => source.opens(),
    async extract(scratch, progress, sealed) {
      const outcome = await source.extract(scratch, progress, sealed);
      return { ...outcome, findings: capRepeated(outcome.findings, source.ref.text) };
    },
  };
}
