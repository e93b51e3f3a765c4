// audit: the pre-incident readiness audit. Answers the Atlas runbook's three questions from
// evidence (the sealed documents, the configured backups, the signed drill reports) and names
// every gap; restores nothing and writes nothing.
import { resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import { loadEvidence } from "../documents/load-evidence.js";
import type { BackupLocation, Manifest, Role } from "../documents/types.js";
import { scenarioTable, type ScenarioRow } from "../audit/scenario-table.js";
import { ok, type Checked } from "../findings/checked.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import { loadTrustedKeys } from "../report/trusted-reports.js";
import { openRepository } from "../snapshots/repository.js";
import { parseSourceRef } from "../archive/source.js";
import { ageMs, toPublicAnswer, type Answer, type PublicAnswer } from "../audit/answer.js";
import { gatherAuditFacts, type AuditFacts } from "../audit/audit-facts.js";
import { answerBackup } from "../audit/backup-answer.js";
import { answerCatalog } from "../audit/catalog-answer.js";
import type { BackupFacts, BackupTarget } from "../audit/inspect-backup.js";
import { answerReadiness, lastPassingDrill } from "../audit/readiness-answer.js";
import { planAudit, type AuditPlan } from "./audit-plan.js";
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

/** A snapshot repository named on the command line must be one: a typo is bad input, not a gap. */
async function repoTarget(
  config: DrillConfig,
  repo: string | undefined,
  cwd: string,
): Promise<Checked<BackupTarget> | null> {
  if (repo === undefined) return null;
  const opened = await openRepository(resolve(cwd, repo));
  if (!opened.ok) return opened;
  const ref = parseSourceRef(`snapshot:${repo}#latest`, cwd);
  if (!ref.ok) return ref;
  const authoritative = config.backups.length === 0;
  return ok({
    name: `--repo ${repo}`,
    ref: ref.value,
    archives: null,
    authoritative,
    location: null,
    media: null,
  });
}

/** Inputs, all checked before any looking: the config, the evidence, --repo and --key. */
async function loadAndPlan(options: AuditOptions): Promise<Checked<AuditPlan>> {
  const context = await loadContext(options);
  if (!context.ok) return context;
  const { cwd, config } = context.value;
  const evidence = await loadEvidence(context.value.evidence);
  const repo = await repoTarget(config, options.repo, cwd);
  const givenKeys = await loadTrustedKeys((options.keys ?? []).map((k) => resolve(cwd, k)));
  const configuredKeys = await loadTrustedKeys(config.trustedKeys);
  return planAudit(config, { evidence, repo, givenKeys, configuredKeys });
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

/** The three answers; each gap is a finding. */
function answersOf(plan: AuditPlan, facts: AuditFacts, now: Date) {
  const { manifest, packet, rollbackPolicy: policy } = plan.evidence;
  const releaseIdentity = releaseIdentityOf(packet);
  const { backups, series, storeCopy, drills } = facts;
  const scenarios = scenarioTable({
    policy,
    backups,
    reports: drills.reports,
    releaseIdentity,
    now,
  });
  const answers: Answer[] = [
    answerBackup({ backups, series, storeCopy, scenarios, manifest, policy, releaseIdentity, now }),
    answerCatalog({ manifest, packet, chainFindings: verifyChain(plan.evidence, plan.files) }),
    answerReadiness({ packet, releaseIdentity, service: plan.config.service, drills, policy, now }),
  ];
  return { answers, scenarios: scenarios.rows };
}

function lastDrillOf(plan: AuditPlan, facts: AuditFacts, now: Date): AuditedDrill | null {
  const { packet, rollbackPolicy } = plan.evidence;
  const last = lastPassingDrill(facts.drills.reports, releaseIdentityOf(packet), rollbackPolicy);
  if (last?.finishedAt == null) return null;
  return {
    file: last.file,
    keyId: last.keyId,
    finishedAt: last.finishedAt.toISOString(),
    ageSeconds: Math.round(ageMs(last.finishedAt, now) / 1000),
  };
}

export async function audit(options: AuditOptions = {}): Promise<AuditResult> {
  const now = (options.now ?? (() => new Date()))();
  const plan = await loadAndPlan(options);
  if (!plan.ok) return createResult("audit", plan.findings, NO_RELEASE, NONE);
  const { manifest, packet, rollbackPolicy: policy } = plan.value.evidence;
  const facts = await gatherAuditFacts({ ...plan.value, manifest, policy });
  const { answers, scenarios } = answersOf(plan.value, facts, now);
  const gaps = answers.flatMap((a) => a.gaps.map((g) => g.finding));
  const release = { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) };
  return createResult("audit", [...gaps, ...plan.value.warnings], release, {
    auditedAt: now.toISOString(),
    answers: answers.map(toPublicAnswer),
    counts: countRoles(manifest),
    backups: facts.backups.map((b) => toAuditedBackup(b, now)),
    scenarios,
    lastDrill: lastDrillOf(plan.value, facts, now),
  });
}
