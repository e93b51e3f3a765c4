// What the rollback policy asks of the backups as a whole (pure): the 3-2-1 rule (copies, media,
// off-site copies, from each backup's location and media in the drill config) and retention that
// is actually kept (policy.backups.checkRetention). Each shortfall is a gap naming what is missing.
import type { RollbackPolicy } from "../documents/types.js";
import { createGap, listSome, type Gap } from "./answer.js";
import type { Series } from "./backup-series.js";
import type { BackupFacts } from "./inspect-backup.js";
import { describeShortfall, retentionShortfalls } from "./retention-kept.js";

export type RulesInput = {
  readonly backups: readonly BackupFacts[];
  /** Each backup's series of copies, in the order of `backups`. */
  readonly series: readonly Series[];
  readonly policy: RollbackPolicy;
  /** Whether the serving store itself is there, as one of the 3-2-1 copies. */
  readonly storeCopy: boolean;
  readonly now: Date;
};

type Found = { facts: string[]; gaps: Gap[] };

function where(b: BackupFacts): string {
  return `"${b.name}" (${b.location ?? "no location"}, ${b.media ?? "no media"})`;
}

function ruleGap(field: string, message: string, hint: string): Gap {
  return createGap("missing", "backup_rule_unmet", { subject: `backups.${field}`, message, hint });
}

/** 3-2-1: at least `copies` copies (the store and each reachable backup), `media` media, `offsite` off-site. */
export function checkCopies(input: RulesInput): Found {
  const rule = input.policy.backups;
  const found: Found = { facts: [], gaps: [] };
  if (rule === undefined || (rule.copies ?? rule.media ?? rule.offsite) === undefined) return found;
  const reachable = input.backups.filter((b) => b.problem === null);
  const unreachable = input.backups.filter((b) => b.problem !== null);
  const aside =
    unreachable.length === 0
      ? ""
      : ` (${unreachable.map((b) => `"${b.name}"`).join(", ")} cannot be reached and count${unreachable.length === 1 ? "s" : ""} for nothing)`;
  const copies = reachable.length + (input.storeCopy ? 1 : 0);
  const media = [...new Set(reachable.flatMap((b) => (b.media === null ? [] : [b.media])))];
  const offsite = reachable.filter((b) => b.location === "offsite");
  found.facts.push(
    `3-2-1: ${copies} cop${copies === 1 ? "y" : "ies"} (${input.storeCopy ? "the serving store and " : ""}${reachable.length} reachable backup${reachable.length === 1 ? "" : "s"}), ${media.length} media (${media.join(", ") || "none named"}), ${offsite.length} off-site; the policy asks for ${rule.copies ?? "-"}, ${rule.media ?? "-"}, ${rule.offsite ?? "-"}. Backups: ${reachable.map(where).join(", ") || "none reachable"}.`,
  );
  if (rule.copies !== undefined && copies < rule.copies)
    found.gaps.push(
      ruleGap(
        "copies",
        `${copies} cop${copies === 1 ? "y" : "ies"} of the data where the policy asks for ${rule.copies}: ${rule.copies - copies} more backup${rule.copies - copies === 1 ? " is" : "s are"} missing${aside}`,
        'Add a backup and list it under "backups" in the drill config with its location and media.',
      ),
    );
  if (rule.media !== undefined && media.length < rule.media) {
    const unnamed = reachable.filter((b) => b.media === null).map((b) => `"${b.name}"`);
    found.gaps.push(
      ruleGap(
        "media",
        `the reachable backups are on ${media.length} medi${media.length === 1 ? "um" : "a"} (${media.join(", ") || "none named"}) where the policy asks for ${rule.media}${unnamed.length > 0 ? `; ${unnamed.join(", ")} name${unnamed.length === 1 ? "s" : ""} no media` : ""}${aside}`,
        'Keep a copy on other media (another disk, a NAS, object storage, tape) and say so with "media" on its backup in the drill config.',
      ),
    );
  }
  if (rule.offsite !== undefined && offsite.length < rule.offsite)
    found.gaps.push(
      ruleGap(
        "offsite",
        `${offsite.length === 0 ? "no off-site copy" : `${offsite.length} off-site cop${offsite.length === 1 ? "y" : "ies"}`} where the policy asks for ${rule.offsite}: ${reachable.map(where).join(", ") || "no backup is reachable"}${aside}`,
        'Copy a backup off-site (object storage, another site) and list it in the drill config with "location": "offsite".',
      ),
    );
  return found;
}

/** policy.backups.checkRetention: each series holds what the retention asks, its gaps named. */
export function checkRetention(input: RulesInput): Found {
  const found: Found = { facts: [], gaps: [] };
  if (input.policy.backups?.checkRetention !== true) return found;
  const { retention } = input.policy;
  input.backups.forEach((backup, index) => {
    const series = input.series[index];
    const label = `"${backup.name}" (${backup.source})`;
    if (series === undefined || series.kind === "single") {
      found.facts.push(`${label}: one copy, so retention does not apply to it.`);
      return;
    }
    if (series.kind === "unreadable") {
      found.gaps.push(
        createGap("missing", "retention_not_kept", {
          subject: backup.source,
          message: `${label}: its copies cannot be listed (${series.problem}), so nothing shows the retention is kept`,
        }),
      );
      return;
    }
    const shortfalls = retentionShortfalls(series.times, retention, input.now);
    if (shortfalls.length === 0) {
      found.facts.push(
        `${label}: ${series.times.length} ${series.kind === "archives" ? "archives" : "snapshots"} keep what the retention asks.`,
      );
      return;
    }
    for (const shortfall of shortfalls)
      found.gaps.push(
        createGap("missing", "retention_not_kept", {
          subject: backup.source,
          expected: `${shortfall.rule} ${shortfall.asked}`,
          actual:
            shortfall.rule === "keepLast"
              ? `${shortfall.held} copies`
              : `${shortfall.missing.length} without a copy`,
          message: `${label}: ${describeShortfall(shortfall, listSome)}`,
        }),
      );
  });
  return found;
}
