// audit: the pre-incident readiness audit. Answers the Atlas runbook's three questions from
// evidence (the sealed documents, the configured backups, the signed drill reports) and names
// every gap; restores nothing and writes nothing.
import { resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import { loadEvidence } from "../documents/load-evidence.js";
import type { BackupLocation, Manifest, Role } from "../documents/types.js";
import { dirSourceKind } from "../sources/dir-source.js";
import { seriesOf } from "../audit/backup-series.js";
import { scenarioTable, type ScenarioRow } from "../audit/scenario-table.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import { loadTrustedKeys, type TrustedKey } from "../report/trusted-reports.js";
import { openRepository } from "../snapshots/repository.js";
import { parseSourceRef } from "../archive/source.js";
import { compileDatePattern } from "../snapshots/archive-folder.js";
import { displayPath } from "../util/display-path.js";
import { ageMs, toPublicAnswer, type Answer, type PublicAnswer } from "../audit/answer.js";
import { answerBackup } from "../audit/backup-answer.js";
import { answerCatalog } from "../audit/catalog-answer.js";
import { collectDrillEvidence } from "../audit/drill-evidence.js";
import { inspectBackup, type BackupFacts, type BackupTarget } from "../audit/inspect-backup.js";
import { answerReadiness, lastPassingDrill } from "../audit/readiness-answer.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type AuditOptions = CommonOptions & {
  /** A snapshot repository to audit as a backup too, as `snapshot:<repo>#latest`. */
  readonly repo?: string;
  /** Public keys trusted to sign drill reports, besides the drill config's reports.trustedKeys. */
  readonly keys?: readonly string[];
  readonly now?: () => Date;
};

export type AuditCounts = { readonly artifacts: number } & Record<Role, number>;

export type AuditedBackup = {
  readonly name: string;
  readonly source: string;
  readonly authoritative: boolean;
  readonly location: BackupLocation | null;
  readonly media: string | null;
  readonly reachable: boolean;
  readonly problem: string | null;
  readonly backupTime: string | null;
  readonly ageSeconds: number | null;
  readonly snapshotId: string | null;
  readonly durable:
    | { readonly checked: true; readonly missing: readonly { path: string; why: string }[] }
    | { readonly checked: false; readonly reason: string };
};

export type AuditedDrill = {
  readonly file: string;
  readonly keyId: string;
  readonly finishedAt: string;
  readonly ageSeconds: number;
};

export type AuditResult = VerbResult<{
  auditedAt: string | null;
  answers: PublicAnswer[];
  counts: AuditCounts | null;
  backups: AuditedBackup[];
  scenarios: ScenarioRow[];
  lastDrill: AuditedDrill | null;
}>;

const NONE = {
  auditedAt: null,
  answers: [],
  counts: null,
  backups: [],
  scenarios: [],
  lastDrill: null,
};

/** The configured backups, then --repo; a source string the config cannot mean is unusable. */
async function backupTargets(
  config: DrillConfig,
  repo: string | undefined,
  cwd: string,
): Promise<{ targets: BackupTarget[]; findings: ClassifiedFinding[] }> {
  const targets: BackupTarget[] = [];
  const findings: ClassifiedFinding[] = [];
  const configFile = config.file === null ? "drill config" : displayPath(config.file);
  config.backups.forEach((backup, index) => {
    const described = {
      name: backup.name,
      authoritative: backup.authoritative,
      location: backup.location,
      media: backup.media,
    };
    if (backup.archives !== null) {
      const pattern = backup.archives.datePattern;
      const compiled = pattern === null ? null : compileDatePattern(pattern);
      if (typeof compiled === "string")
        findings.push(
          createFinding("document_invalid", {
            subject: `${configFile}#/backups/${index}/archives/datePattern`,
            actual: pattern,
            message: `${configFile}: backup "${backup.name}" has the date pattern ${JSON.stringify(pattern)}, which cannot be used: ${compiled}`,
          }),
        );
      else targets.push({ ...described, ref: null, archives: backup.archives });
      return;
    }
    const ref = parseSourceRef(backup.source ?? "", config.baseDir);
    if ("code" in ref)
      findings.push(
        createFinding("document_invalid", {
          subject: `${configFile}#/backups/${index}/source`,
          expected: ref.expected,
          actual: ref.actual,
          message: `${configFile}: backup "${backup.name}" has source ${JSON.stringify(backup.source)}, which is not a source this version understands`,
        }),
      );
    else targets.push({ ...described, ref, archives: null });
  });
  if (repo !== undefined) {
    // A repository named on the command line must be one: a typo is bad input, not a gap.
    const opened = await openRepository(resolve(cwd, repo));
    const ref = parseSourceRef(`snapshot:${repo}#latest`, cwd);
    if ("code" in opened) findings.push(opened);
    else if ("code" in ref) findings.push(ref);
    else
      targets.push({
        name: `--repo ${repo}`,
        ref,
        archives: null,
        authoritative: config.backups.length === 0,
        location: null,
        media: null,
      });
  }
  return { targets, findings };
}

/** Keys from --key must be usable (bad input otherwise); the config's are warnings when not. */
async function trustedKeys(
  config: DrillConfig,
  flags: readonly string[],
  cwd: string,
): Promise<{ keys: TrustedKey[]; input: ClassifiedFinding[]; warnings: ClassifiedFinding[] }> {
  const given = await loadTrustedKeys(flags.map((k) => resolve(cwd, k)));
  const configured = await loadTrustedKeys(config.trustedKeys);
  const keys = [...given.keys];
  for (const key of configured.keys) if (!keys.some((k) => k.keyId === key.keyId)) keys.push(key);
  const warnings = configured.findings.map((f) => ({
    ...f,
    severity: "warning" as const,
    message: `${f.message} (a trusted key of the drill config's reports.trustedKeys; reports signed with it are not believed)`,
  }));
  return { keys, input: given.findings, warnings };
}

function countRoles(manifest: Manifest): AuditCounts {
  const counts = {
    artifacts: manifest.artifacts.length,
    durable: 0,
    reconstructable: 0,
    disposable: 0,
  };
  for (const artifact of manifest.artifacts) counts[artifact.role] += 1;
  return counts;
}

function toAuditedBackup(facts: BackupFacts, now: Date): AuditedBackup {
  return {
    name: facts.name,
    source: facts.source,
    authoritative: facts.authoritative,
    location: facts.location,
    media: facts.media,
    reachable: facts.problem === null,
    problem: facts.problem,
    backupTime: facts.backupTime?.toISOString() ?? null,
    ageSeconds: facts.backupTime === null ? null : Math.round(ageMs(facts.backupTime, now) / 1000),
    snapshotId: facts.snapshot?.id ?? null,
    durable: facts.holdings.checked
      ? {
          checked: true,
          missing: facts.holdings.missing.map((m) => ({ path: m.path, why: m.why })),
        }
      : { checked: false, reason: facts.holdings.reason },
  };
}

export async function audit(options: AuditOptions = {}): Promise<AuditResult> {
  const now = (options.now ?? (() => new Date()))();
  const fail = (findings: readonly ClassifiedFinding[]) =>
    createResult("audit", findings, NO_RELEASE, NONE);

  // 1. Inputs, all checked before any looking: the config, the evidence, --repo and --key.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail(loaded.findings);
  const { cwd, config } = loaded.value;
  const evidence = await loadEvidence(loaded.value.evidence);
  const targets = await backupTargets(config, options.repo, cwd);
  const keys = await trustedKeys(config, options.keys ?? [], cwd);
  const inputFindings = [
    ...(evidence.ok ? [] : evidence.findings),
    ...targets.findings,
    ...keys.input,
  ];
  if (!evidence.ok || inputFindings.length > 0) return fail(inputFindings);
  const { manifest, packet, rollbackPolicy: policy } = evidence.evidence;
  const releaseIdentity = releaseIdentityOf(packet);

  // 2. The evidence that is not in the documents: the backups as they are now, the drills.
  const wantSeries = policy.backups?.checkRetention === true;
  const [backups, series, drills, storeCopy] = await Promise.all([
    Promise.all(targets.targets.map((target) => inspectBackup(target, manifest))),
    Promise.all(
      targets.targets.map((target) =>
        wantSeries ? seriesOf(target) : Promise.resolve({ kind: "single" } as const),
      ),
    ),
    collectDrillEvidence(config.reportsDir, keys.keys),
    config.storeRoot === null
      ? false
      : dirSourceKind(config.storeRoot).then(
          (k) => k === "dir",
          () => false,
        ),
  ]);
  const scenarios = scenarioTable({
    policy,
    backups,
    reports: drills.reports,
    releaseIdentity,
    now,
  });

  // 3. The three answers; each gap is a finding.
  const answers: Answer[] = [
    answerBackup({
      backups,
      series,
      storeCopy,
      scenarios,
      manifest,
      policy,
      releaseIdentity,
      now,
    }),
    answerCatalog({
      manifest,
      packet,
      chainFindings: verifyChain(evidence.evidence, evidence.files),
    }),
    answerReadiness({ packet, releaseIdentity, service: config.service, drills, policy, now }),
  ];
  const last = lastPassingDrill(drills.reports, releaseIdentity);
  return createResult(
    "audit",
    [...answers.flatMap((a) => a.gaps.map((g) => g.finding)), ...keys.warnings],
    { releaseId: packet.release.id, releaseIdentity },
    {
      auditedAt: now.toISOString(),
      answers: answers.map(toPublicAnswer),
      counts: countRoles(manifest),
      backups: backups.map((b) => toAuditedBackup(b, now)),
      scenarios: scenarios.rows,
      lastDrill:
        last?.finishedAt == null
          ? null
          : {
              file: last.file,
              keyId: last.keyId,
              finishedAt: last.finishedAt.toISOString(),
              ageSeconds: Math.round(ageMs(last.finishedAt, now) / 1000),
            },
    },
  );
}
