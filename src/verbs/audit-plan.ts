// audit's plan (pure): the configured backups as targets (a source or date pattern the config
// cannot mean is unusable), then, with the evidence, --repo and the trusted keys as loaded,
// what the audit looks at, or every input problem at once.
import type { DrillConfig } from "../documents/drill-config.js";
import type { Evidence, EvidenceFiles } from "../documents/identity-chain.js";
import type { LoadedEvidence } from "../documents/load-evidence.js";
import type { BackupTarget } from "../audit/inspect-backup.js";
import { parseSourceRef } from "../archive/source.js";
import { failedWith, findingsOf, firstFinding, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { TrustedKey } from "../report/trusted-reports.js";
import { compileDatePattern } from "../snapshots/archive-folder.js";
import { displayPath } from "../util/display-path.js";

type ConfiguredBackup = DrillConfig["backups"][number];

export type AuditLoaded = {
  readonly evidence: LoadedEvidence;
  /** The backup --repo names, when given. */
  readonly repo: Checked<BackupTarget> | null;
  /** Keys from --key: each must be usable. */
  readonly givenKeys: {
    readonly keys: readonly TrustedKey[];
    readonly findings: readonly ClassifiedFinding[];
  };
  /** Keys from the config's reports.trustedKeys: an unusable one is a warning. */
  readonly configuredKeys: {
    readonly keys: readonly TrustedKey[];
    readonly findings: readonly ClassifiedFinding[];
  };
};

export type AuditPlan = {
  readonly evidence: Evidence;
  readonly files: EvidenceFiles;
  readonly targets: readonly BackupTarget[];
  readonly keys: readonly TrustedKey[];
  /** The config's unusable keys, as warnings. */
  readonly warnings: readonly ClassifiedFinding[];
  readonly config: DrillConfig;
};

/** One configured backup as a target, or why the config's source or date pattern is unusable. */
function targetOf(
  config: DrillConfig,
  backup: ConfiguredBackup,
  index: number,
): Checked<BackupTarget> {
  const configFile = config.file === null ? "drill config" : displayPath(config.file);
  const { name, authoritative, location, media } = backup;
  const described = { name, authoritative, location, media };
  if (backup.archives !== null) {
    const pattern = backup.archives.datePattern;
    const compiled = pattern === null ? null : compileDatePattern(pattern);
    if (typeof compiled !== "string")
      return ok({ ...described, ref: null, archives: backup.archives });
    return failedWith([
      createFinding("document_invalid", {
        subject: `${configFile}#/backups/${index}/archives/datePattern`,
        actual: pattern,
        message: `${configFile}: backup "${name}" has the date pattern ${JSON.stringify(pattern)}, which cannot be used: ${compiled}`,
      }),
    ]);
  }
  const ref = parseSourceRef(backup.source ?? "", config.baseDir);
  if (ref.ok) return ok({ ...described, ref: ref.value, archives: null });
  const invalid = firstFinding(ref);
  return failedWith([
    createFinding("document_invalid", {
      subject: `${configFile}#/backups/${index}/source`,
      expected: invalid.expected,
      actual: invalid.actual,
      message: `${configFile}: backup "${name}" has source ${JSON.stringify(backup.source)}, which is not a source this version understands`,
    }),
  ]);
}

/** The --key keys first, then the config's not already given. */
function keysOf(loaded: AuditLoaded): TrustedKey[] {
  const keys = [...loaded.givenKeys.keys];
  for (const key of loaded.configuredKeys.keys)
    if (!keys.some((k) => k.keyId === key.keyId)) keys.push(key);
  return keys;
}

export function planAudit(config: DrillConfig, loaded: AuditLoaded): Checked<AuditPlan> {
  const configured = config.backups.map((backup, index) => targetOf(config, backup, index));
  const targets = [...configured, ...(loaded.repo === null ? [] : [loaded.repo])];
  const { evidence } = loaded;
  const findings = [
    ...(evidence.ok ? [] : evidence.findings),
    ...targets.flatMap(findingsOf),
    ...loaded.givenKeys.findings,
  ];
  if (!evidence.ok || findings.length > 0) return failedWith(findings);
  const warnings = loaded.configuredKeys.findings.map((f) => ({
    ...f,
    severity: "warning" as const,
    message: `${f.message} (a trusted key of the drill config's reports.trustedKeys; reports signed with it are not believed)`,
  }));
  return ok({
    evidence: evidence.evidence,
    files: evidence.files,
    targets: targets.flatMap((t) => (t.ok ? [t.value] : [])),
    keys: keysOf(loaded),
    warnings,
    config,
  });
}
