// Question 1 (pure): where is the authoritative backup of the serving store? Every configured
// backup, reachable or not; the newest valid one against the policy's RPO target
// (/objectives/rpo); and any durable artifact of the release that no backup holds.
import type { Manifest, RollbackPolicy } from "../documents/types.js";
import { digestsEqual, type DigestSet } from "../identity/digest.js";
import { formatDuration } from "../util/duration.js";
import { checkObjective } from "../policy/rules.js";
import { ageMs, createAnswer, createGap, listSome, type Answer, type Gap } from "./answer.js";
import { durableArtifacts, type Shortfall } from "../store/holdings.js";
import type { BackupFacts } from "./inspect-backup.js";
import type { Series } from "./backup-series.js";
import { checkCopies, checkRetention } from "./backup-rules.js";
import { describeScenario, type ScenarioRow } from "./scenario-table.js";

export type BackupAnswerInput = {
  readonly backups: readonly BackupFacts[];
  /** Each backup's copies over time, in the order of `backups` (for checkRetention). */
  readonly series: readonly Series[];
  /** Whether the serving store is there, as a copy for the 3-2-1 rule. */
  readonly storeCopy: boolean;
  readonly scenarios: { readonly rows: readonly ScenarioRow[]; readonly gaps: readonly Gap[] };
  readonly manifest: Manifest;
  readonly policy: RollbackPolicy;
  readonly releaseIdentity: DigestSet;
  readonly now: Date;
};

function label(backup: BackupFacts): string {
  return `"${backup.name}" (${backup.source})`;
}

function describeBackup(backup: BackupFacts, input: BackupAnswerInput): string {
  const role = backup.authoritative ? ", the authoritative backup" : "";
  if (backup.problem !== null || backup.backupTime === null)
    return `${label(backup)}${role}: NOT reachable: ${backup.problem ?? "no backup time"}`;
  const parts = [
    `${label(backup)}${role}: reachable, taken ${backup.backupTime.toISOString()} (${formatDuration(ageMs(backup.backupTime, input.now))} ago)`,
  ];
  if (backup.snapshot !== null) {
    const held = backup.snapshot.release;
    parts.push(
      `snapshot ${backup.snapshot.id}, ${
        held === null
          ? "holding no sealed release"
          : digestsEqual(held.identity, input.releaseIdentity)
            ? `holding this release (${held.id})`
            : `holding another release (${held.id})`
      }`,
    );
  }
  return parts.join("; ");
}

function describeHoldings(backup: BackupFacts, durable: number): string | null {
  if (backup.problem !== null) return null;
  if (!backup.holdings.checked)
    return `${label(backup)}: durable artifacts ${backup.holdings.reason}`;
  const missing = backup.holdings.missing;
  if (missing.length === 0)
    return `${label(backup)} holds all ${durable} durable artifacts of the release`;
  return `${label(backup)} lacks ${missing.length} of ${durable} durable artifacts: ${listSome(missing.map((m) => `${m.path} (${m.why})`))}`;
}

/** The newest reachable backup against /objectives/rpo. */
function judgeNewest(reachable: readonly BackupFacts[], input: BackupAnswerInput) {
  const facts: string[] = [];
  const gaps: Gap[] = [];
  const dated = reachable.flatMap((b) =>
    b.backupTime === null ? [] : [{ b, time: b.backupTime }],
  );
  const found = dated.reduce<(typeof dated)[number] | null>(
    (best, d) => (best === null || d.time > best.time ? d : best),
    null,
  );
  if (found === null) {
    facts.push("Newest valid backup: none can be reached.");
    return { facts, gaps };
  }
  const newest = found.b;
  const age = ageMs(found.time, input.now);
  const rule = checkObjective(input.policy, "rpo", Math.round(age / 1000));
  facts.push(
    `Newest valid backup: ${label(newest)}, ${formatDuration(age)} old; the RPO target is ${input.policy.objectives.rpo} (${rule.passed ? "within it" : "OVER it"}).`,
  );
  if (!rule.passed)
    gaps.push(
      createGap("stale", "backup_too_old", {
        subject: newest.source,
        expected: rule.expected,
        actual: rule.actual,
        message: `the newest valid backup ${label(newest)} is ${formatDuration(age)} old, older than the RPO target ${input.policy.objectives.rpo}: restoring now would lose more data than the policy allows`,
        hint: "Take a fresh backup now (`recoverable snapshot`) and find out why the backup schedule stopped.",
      }),
    );
  const authoritative = reachable.find((b) => b.authoritative);
  if (authoritative !== undefined && authoritative !== newest)
    gaps.push(...judgeAuthoritative(authoritative, newest, input, facts));
  return { facts, gaps };
}

/**
 * The authoritative backup is judged against the RPO by itself: a fresh local copy does not make
 * a two-week-old off-site copy, the one an incident restores from, any younger.
 */
function judgeAuthoritative(
  authoritative: BackupFacts,
  newest: BackupFacts,
  input: BackupAnswerInput,
  facts: string[],
): Gap[] {
  if (authoritative.backupTime === null) return [];
  const age = ageMs(authoritative.backupTime, input.now);
  const rule = checkObjective(input.policy, "rpo", Math.round(age / 1000));
  facts.push(
    `The authoritative backup ${label(authoritative)} is ${formatDuration(age)} old (${rule.passed ? "within" : "OVER"} the RPO target ${input.policy.objectives.rpo}).`,
  );
  if (rule.passed) return [];
  return [
    createGap("stale", "backup_too_old", {
      subject: authoritative.source,
      expected: rule.expected,
      actual: rule.actual,
      message: `the authoritative backup ${label(authoritative)} is ${formatDuration(age)} old, older than the RPO target ${input.policy.objectives.rpo}; a fresher copy (${label(newest)}) is not the authoritative one, so restoring from the authoritative backup would lose more data than the policy allows`,
      hint: `Find out why the authoritative backup "${authoritative.name}" stopped (its job, its off-site copy) and take one now; or, if "${newest.name}" is the copy to restore from, mark it authoritative in the drill config.`,
    }),
  ];
}

/** Durable artifacts that no backup checked holds as the release sealed them. */
function unheld(backups: readonly BackupFacts[], manifest: Manifest): Gap[] {
  const checked = backups.filter(
    (b): b is BackupFacts & { holdings: { checked: true; missing: readonly Shortfall[] } } =>
      b.problem === null && b.holdings.checked,
  );
  if (checked.length === 0) return [];
  const unchecked = backups.filter((b) => b.problem === null && !b.holdings.checked);
  const aside =
    unchecked.length === 0
      ? ""
      : ` (${unchecked.map(label).join(", ")} cannot be checked without restoring: drill from ${unchecked.length === 1 ? "it" : "them"} to prove otherwise)`;
  return durableArtifacts(manifest)
    .map((artifact) => artifact.path)
    .filter((path) => checked.every((b) => b.holdings.missing.some((m) => m.path === path)))
    .map((path) => {
      const why = checked
        .map((b) => `${b.name}: ${b.holdings.missing.find((m) => m.path === path)?.why ?? ""}`)
        .join("; ");
      return createGap("missing", "backup_incomplete", {
        subject: path,
        expected: "held by a backup with the bytes the release sealed",
        actual: why,
        message: `${path}: no backup holds this durable artifact as the release sealed it (${why})${aside}`,
      });
    });
}

export function answerBackup(input: BackupAnswerInput): Answer {
  const { backups } = input;
  if (backups.length === 0)
    return createAnswer(
      "backup",
      ["No backup of the store is configured."],
      [
        createGap("missing", "audit_gap", {
          subject: "backups",
          message:
            "no backup of the store is configured, so nothing says where the authoritative backup is",
          hint: 'List the backups under "backups" in the drill config (e.g. {"name": "nightly", "source": "snapshot:/backups/atlas#latest", "authoritative": true}), or pass --repo <snapshot repository>.',
        }),
      ],
    );
  const facts: string[] = [];
  const gaps: Gap[] = [];
  const authoritative = backups.find((b) => b.authoritative);
  if (authoritative) facts.push(`The authoritative backup is ${label(authoritative)}.`);
  for (const backup of backups) {
    facts.push(describeBackup(backup, input));
    facts.push(...backup.notes.map((note) => `${label(backup)}: ${note}`));
    if (backup.problem !== null)
      gaps.push(
        createGap("missing", "source_unreadable", {
          subject: backup.source,
          actual: backup.problem,
          message: `backup ${label(backup)}${backup.authoritative ? ", the authoritative one," : ""} cannot be reached: ${backup.problem}`,
          hint: "Check that the backup exists where the drill config says and that this machine can read it; fix the source string in the drill config if it moved.",
        }),
      );
  }
  const newest = judgeNewest(
    backups.filter((b) => b.problem === null),
    input,
  );
  facts.push(...newest.facts);
  gaps.push(...newest.gaps);
  const durable = durableArtifacts(input.manifest).length;
  for (const backup of backups) {
    const held = describeHoldings(backup, durable);
    if (held !== null) facts.push(held);
  }
  gaps.push(...unheld(backups, input.manifest));
  for (const found of [checkCopies(input), checkRetention(input)]) {
    facts.push(...found.facts);
    gaps.push(...found.gaps);
  }
  facts.push(...input.scenarios.rows.map((row) => `Scenario ${describeScenario(row)}.`));
  gaps.push(...input.scenarios.gaps);
  return createAnswer("backup", facts, gaps);
}
