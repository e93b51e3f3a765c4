// RTO and RPO per failure scenario (pure): the rollback policy's scenarios, each with its targets,
// the backups that serve it (their newest reachable copy against the scenario's RPO) and the last
// drill judged against it (drill --scenario), for the audit's table.
import type { RollbackPolicy } from "../documents/types.js";
import type { DigestSet } from "../identity/digest.js";
import { formatDuration, parseDuration } from "../util/duration.js";
import type { SignedReport } from "../report/trusted-reports.js";
import { ageMs, createGap, type Gap } from "./answer.js";
import type { BackupFacts } from "./inspect-backup.js";

export type ScenarioRow = {
  readonly name: string;
  readonly description: string | null;
  readonly rto: string;
  readonly rpo: string;
  readonly backups: readonly string[];
  /** The newest reachable backup of the scenario, and whether its age is within the scenario's RPO. */
  readonly newestBackup: {
    readonly name: string;
    readonly ageSeconds: number;
    readonly withinRpo: boolean;
  } | null;
  /** The newest drill of this release judged against this scenario, whatever its verdict. */
  readonly lastDrill: {
    readonly file: string;
    readonly verdict: string;
    readonly finishedAt: string;
    readonly rtoSeconds: number | null;
    readonly rpoSeconds: number | null;
  } | null;
};

export type ScenarioInput = {
  readonly policy: RollbackPolicy;
  readonly backups: readonly BackupFacts[];
  readonly reports: readonly SignedReport[];
  readonly releaseIdentity: DigestSet;
  readonly now: Date;
};

function lastDrillOf(name: string, input: ScenarioInput): ScenarioRow["lastDrill"] {
  const newest = input.reports
    .filter((r) => r.scenario === name && r.releaseIdentity === input.releaseIdentity.sha256)
    .reduce<SignedReport | null>(
      (best, r) =>
        r.finishedAt !== null && (best?.finishedAt == null || r.finishedAt > best.finishedAt)
          ? r
          : best,
      null,
    );
  if (newest?.finishedAt == null) return null;
  return {
    file: newest.file,
    verdict: typeof newest.verdict === "string" ? newest.verdict : "unknown",
    finishedAt: newest.finishedAt.toISOString(),
    rtoSeconds: newest.seenSeconds.rto,
    rpoSeconds: newest.seenSeconds.rpo,
  };
}

export function scenarioTable(input: ScenarioInput): { rows: ScenarioRow[]; gaps: Gap[] } {
  const rows: ScenarioRow[] = [];
  const gaps: Gap[] = [];
  for (const scenario of input.policy.scenarios ?? []) {
    const subject = `scenario:${scenario.name}`;
    const named = scenario.backups ?? input.backups.map((b) => b.name);
    const unknown = named.filter((n) => !input.backups.some((b) => b.name === n));
    if (unknown.length > 0)
      gaps.push(
        createGap("missing", "audit_gap", {
          subject,
          expected: `backups of the drill config: ${input.backups.map((b) => JSON.stringify(b.name)).join(", ") || "none"}`,
          actual: unknown.join(", "),
          message: `scenario ${scenario.name} is served by ${unknown.map((n) => JSON.stringify(n)).join(", ")}, which the drill config's backups do not list`,
          hint: "Name the scenario's backups as the drill config's backups name them, or add the missing backup there.",
        }),
      );
    const dated = input.backups.filter(
      (b) => named.includes(b.name) && b.problem === null && b.backupTime !== null,
    );
    const newest = dated.reduce<BackupFacts | null>(
      (best, b) => (best?.backupTime == null || (b.backupTime ?? 0) > best.backupTime ? b : best),
      null,
    );
    let newestBackup: ScenarioRow["newestBackup"] = null;
    if (newest?.backupTime != null) {
      const age = ageMs(newest.backupTime, input.now);
      const limit = parseDuration(scenario.rpo);
      const withinRpo = limit !== null && age <= limit;
      newestBackup = { name: newest.name, ageSeconds: Math.round(age / 1000), withinRpo };
      if (!withinRpo)
        gaps.push(
          createGap("stale", "backup_too_old", {
            subject,
            expected: `at most ${scenario.rpo}`,
            actual: formatDuration(age),
            message: `scenario ${scenario.name}: its newest backup "${newest.name}" (${newest.source}) is ${formatDuration(age)} old, older than the scenario's RPO ${scenario.rpo}`,
            hint: `Take a fresh backup of "${newest.name}" and check the schedule of the backups that serve ${scenario.name}.`,
          }),
        );
    }
    rows.push({
      name: scenario.name,
      description: scenario.description ?? null,
      rto: scenario.rto,
      rpo: scenario.rpo,
      backups: named,
      newestBackup,
      lastDrill: lastDrillOf(scenario.name, input),
    });
  }
  return { rows, gaps };
}

/** One line of the table, for text and as a fact: targets, backups, newest backup, last drill. */
export function describeScenario(row: ScenarioRow): string {
  const backup =
    row.newestBackup === null
      ? "no reachable backup"
      : `newest "${row.newestBackup.name}" ${formatDuration(row.newestBackup.ageSeconds * 1000)} old (${row.newestBackup.withinRpo ? "within" : "OVER"} the RPO)`;
  const drill =
    row.lastDrill === null
      ? "never drilled (drill --scenario " + row.name + ")"
      : `last drill ${row.lastDrill.verdict} ${row.lastDrill.finishedAt}${row.lastDrill.rtoSeconds === null ? "" : `, RTO ${row.lastDrill.rtoSeconds}s`}`;
  return `${row.name}: RTO ${row.rto}, RPO ${row.rpo}; backups ${row.backups.join(", ") || "none"}; ${backup}; ${drill}`;
}
