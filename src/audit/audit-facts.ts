// The evidence audit gathers that is not in the documents: each backup as it is now (and its
// series when the policy checks retention), the signed drill reports, and whether the store
// root is there to copy from.
import type { Manifest, RollbackPolicy } from "../documents/types.js";
import type { DrillConfig } from "../documents/drill-config.js";
import type { TrustedKey } from "../report/trusted-reports.js";
import { dirSourceKind } from "../sources/dir-source.js";
import { seriesOf } from "./backup-series.js";
import { collectDrillEvidence, type DrillEvidence } from "./drill-evidence.js";
import { inspectBackup, type BackupFacts, type BackupTarget } from "./inspect-backup.js";

export type AuditFacts = {
  readonly backups: BackupFacts[];
  readonly series: Awaited<ReturnType<typeof seriesOf>>[];
  readonly drills: DrillEvidence;
  /** Whether the configured store root is a directory a copy could come from. */
  readonly storeCopy: boolean;
};

export async function gatherAuditFacts(input: {
  readonly targets: readonly BackupTarget[];
  readonly manifest: Manifest;
  readonly policy: RollbackPolicy;
  readonly keys: readonly TrustedKey[];
  readonly config: DrillConfig;
}): Promise<AuditFacts> {
  const { targets, manifest, config } = input;
  const wantSeries = input.policy.backups?.checkRetention === true;
  const [backups, series, drills, storeCopy] = await Promise.all([
    Promise.all(targets.map((target) => inspectBackup(target, manifest))),
    Promise.all(
      targets.map((target) =>
        wantSeries ? seriesOf(target) : Promise.resolve({ kind: "single" } as const),
      ),
    ),
    collectDrillEvidence(config.reportsDir, input.keys),
    config.storeRoot === null
      ? false
      : dirSourceKind(config.storeRoot).then(
          (k) => k === "dir",
          () => false,
        ),
  ]);
  return { backups, series, drills, storeCopy };
}
