// restic 0.14.0's `forget` policy (internal/restic/snapshot_policy.go and duration.go), as a pure
// function, so `snapshots prune` keeps exactly what `restic forget` would keep for the same flags.
// test/fixtures/retention/golden.json holds the real binary's answers; README.md there lists the
// places where this module deliberately differs (UTC buckets, tie order, counts of -1).

export type RetentionRules = {
  readonly keepLast?: number;
  readonly keepHourly?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
  readonly keepYearly?: number;
  /** A duration like "30d", "2y5m7d3h" (restic's form: y m d h), relative to the NEWEST snapshot's time, as restic does. */
  readonly keepWithin?: string;
  /** The newest snapshot of each hour, day, ... that lies within the duration (--keep-within-hourly, ...). */
  readonly keepWithinHourly?: string;
  readonly keepWithinDaily?: string;
  readonly keepWithinWeekly?: string;
  readonly keepWithinMonthly?: string;
  readonly keepWithinYearly?: string;
};

export type Dated = { readonly id: string; readonly time: Date };

export type RetentionDecision<T> = {
  readonly snapshot: T;
  readonly keep: boolean;
  readonly reasons: readonly string[];
};

export type RetentionDuration = {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
};

export type RetentionOptions = {
  /**
   * The moment the policy runs. restic measures durations from the newest snapshot that is not in
   * the future; without `now`, every snapshot counts as past and the newest one is the reference.
   */
  readonly now?: Date;
};

/** The reason restic's ApplyPolicy gives when no rule is set: then every snapshot is kept. */
export const EMPTY_POLICY_REASON = "policy is empty";

/** The rules or the snapshots cannot be used; `problems` names each one. */
export class RetentionInputError extends Error {
  readonly code = "invalid_retention_input";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "RetentionInputError";
    this.problems = problems;
  }
}

type CountRule =
  "keepLast" | "keepHourly" | "keepDaily" | "keepWeekly" | "keepMonthly" | "keepYearly";
type DurationRule =
  | "keepWithin"
  | "keepWithinHourly"
  | "keepWithinDaily"
  | "keepWithinWeekly"
  | "keepWithinMonthly"
  | "keepWithinYearly";
type Bucketer = (time: Date, index: number) => number;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HOUR_NS = 3_600_000_000_000n;
// Go's zero time.Time (0001-01-01T00:00:00Z): restic's "latest" when no snapshot is in the past.
const GO_ZERO_TIME_MS = -62_135_596_800_000;

// Bucket keys are integers in restic (YYYYMMDDHH, YYYYWW, ...); a new key starts a new bucket.
// restic uses each snapshot's own time zone; recoverable uses UTC throughout.
const hourly: Bucketer = (t) =>
  t.getUTCFullYear() * 1_000_000 +
  (t.getUTCMonth() + 1) * 10_000 +
  t.getUTCDate() * 100 +
  t.getUTCHours();
const daily: Bucketer = (t) =>
  t.getUTCFullYear() * 10_000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
const weekly: Bucketer = (t) => isoWeekKey(t);
const monthly: Bucketer = (t) => t.getUTCFullYear() * 100 + (t.getUTCMonth() + 1);
const yearly: Bucketer = (t) => t.getUTCFullYear();
// keep-last gives every snapshot its own bucket: its position in the sorted list.
const always: Bucketer = (_t, index) => index;

// Order matters: it is the order of the reasons restic prints.
const COUNTED: readonly { rule: CountRule; bucket: Bucketer; reason: string }[] = [
  { rule: "keepLast", bucket: always, reason: "last snapshot" },
  { rule: "keepHourly", bucket: hourly, reason: "hourly snapshot" },
  { rule: "keepDaily", bucket: daily, reason: "daily snapshot" },
  { rule: "keepWeekly", bucket: weekly, reason: "weekly snapshot" },
  { rule: "keepMonthly", bucket: monthly, reason: "monthly snapshot" },
  { rule: "keepYearly", bucket: yearly, reason: "yearly snapshot" },
];
const BUCKETED_WITHIN: readonly { rule: DurationRule; bucket: Bucketer; reason: string }[] = [
  { rule: "keepWithinHourly", bucket: hourly, reason: "hourly within" },
  { rule: "keepWithinDaily", bucket: daily, reason: "daily within" },
  { rule: "keepWithinWeekly", bucket: weekly, reason: "weekly within" },
  { rule: "keepWithinMonthly", bucket: monthly, reason: "monthly within" },
  { rule: "keepWithinYearly", bucket: yearly, reason: "yearly within" },
];
const DURATION_RULES: readonly DurationRule[] = [
  "keepWithin",
  ...BUCKETED_WITHIN.map((b) => b.rule),
];

// Go's strings.TrimSpace removes unicode.IsSpace runes, a slightly different set from JS trim().
const GO_SPACE =
  "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "gu");
// One <number><unit> term. restic also reads non-ASCII digits, then panics in strconv.Atoi.
const TERM = /^(-?)([0-9]+)([ymdh])/;
const UNITS: Partial<Record<string, keyof RetentionDuration>> = {
  y: "years",
  m: "months",
  d: "days",
  h: "hours",
};

/**
 * restic's ParseDuration: terms like "2y5m7d3h" in any order, "m" meaning months, a later term
 * replacing an earlier one of the same unit, negative numbers allowed, surrounding space ignored.
 * "" is the zero duration, which restic treats as "rule not given". Null for anything restic
 * refuses (or panics on), and for numbers beyond 2^53, which restic would still accept.
 */
export function parseRetentionDuration(text: string): RetentionDuration | null {
  let rest = text.replace(GO_TRIM, "");
  const parts: Record<keyof RetentionDuration, number> = { years: 0, months: 0, days: 0, hours: 0 };
  while (rest !== "") {
    const [whole = "", sign, digits, unit = ""] = TERM.exec(rest) ?? [];
    const field = UNITS[unit];
    const size = Number(digits);
    if (whole === "" || field === undefined || !Number.isSafeInteger(size)) return null;
    // 0 - size, not -size: "-0d" must give 0, not -0.
    parts[field] = sign === "-" ? 0 - size : size;
    rest = rest.slice(whole.length);
  }
  return parts;
}

/** How restic prints a duration in its reasons: "1d12h" for the input "12h1d". */
export function formatRetentionDuration(d: RetentionDuration): string {
  const parts: [number, string][] = [
    [d.years, "y"],
    [d.months, "m"],
    [d.days, "d"],
    [d.hours, "h"],
  ];
  return parts
    .filter(([n]) => n !== 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join("");
}

/** Every problem with the rules, for a caller that validates its options before any work. */
export function checkRetentionRules(rules: RetentionRules): string[] {
  const problems: string[] = [];
  for (const { rule } of COUNTED) {
    const count = rules[rule];
    if (count === undefined || count === Infinity || (Number.isInteger(count) && count >= 0))
      continue;
    // restic 0.14 takes -1 as a rule that keeps nothing, so it removes every snapshot; newer
    // restic takes it as "unlimited". Refusing it avoids both readings.
    problems.push(
      `${rule}: ${count} is not a count of snapshots; use a whole number >= 0, or Infinity for all`,
    );
  }
  for (const rule of DURATION_RULES) {
    const text = rules[rule];
    if (text !== undefined && parseRetentionDuration(text) === null)
      problems.push(
        `${rule}: ${JSON.stringify(text)} is not a restic duration; use numbers with units y, m (months), d, h, like "30d" or "1y2m"`,
      );
  }
  return problems;
}

/**
 * restic forget's decision for every snapshot, newest first. Throws RetentionInputError when the
 * rules are invalid or a time (or `now`) is not a date. With no rule given, restic keeps every snapshot.
 */
export function applyRetention<T extends Dated>(
  snapshots: readonly T[],
  rules: RetentionRules,
  options: RetentionOptions = {},
): RetentionDecision<T>[] {
  assertUsable(snapshots, rules, options);
  const sorted = sortNewestFirst(snapshots);
  const counted = countedRules(rules);
  if (counted.length === 0 && DURATION_RULES.every((rule) => durationOf(rules[rule]) === null))
    return sorted.map((snapshot) => ({ snapshot, keep: true, reasons: [EMPTY_POLICY_REASON] }));

  const latest = latestTime(sorted, options.now);
  const within = durationOf(rules.keepWithin);
  const withinCutoff = within === null ? null : cutoff(latest, within);
  const withinReason = within === null ? "" : `within ${formatRetentionDuration(within)}`;
  const bucketedWithin = bucketedWithinRules(rules, latest);
  // restic's ApplyPolicy loop; the reasons come in its order: within, counted, bucketed within.
  return sorted.map((snapshot, index) => {
    const reasons = [
      ...(withinCutoff !== null && isAfter(snapshot.time, withinCutoff) ? [withinReason] : []),
      ...counted.flatMap((rule) => claimCounted(rule, snapshot.time, index)),
      ...bucketedWithin.flatMap((rule) => claimWithin(rule, snapshot.time, index)),
    ];
    return { snapshot, keep: reasons.length > 0, reasons };
  });
}

type CountedState = { bucket: Bucketer; reason: string; remaining: number; last?: number };
type WithinState = { bucket: Bucketer; reason: string; cutoff: bigint; last?: number };

function countedRules(rules: RetentionRules): CountedState[] {
  return COUNTED.flatMap(({ rule, bucket, reason }) => {
    const count = rules[rule] ?? 0;
    return count > 0 ? [{ bucket, reason, remaining: count }] : [];
  });
}

function bucketedWithinRules(rules: RetentionRules, latestMs: number): WithinState[] {
  return BUCKETED_WITHIN.flatMap(({ rule, bucket, reason }) => {
    const duration = durationOf(rules[rule]);
    if (duration === null) return [];
    const text = `${reason} ${formatRetentionDuration(duration)}`;
    return [{ bucket, reason: text, cutoff: cutoff(latestMs, duration) }];
  });
}

/** A counted rule keeps the first (newest) snapshot of each new bucket until its count runs out. */
function claimCounted(rule: CountedState, time: Date, index: number): string[] {
  if (rule.remaining <= 0) return [];
  const key = rule.bucket(time, index);
  if (key === rule.last) return [];
  rule.last = key;
  rule.remaining -= 1;
  return [rule.reason];
}

/** A bucketed within rule has no count: each bucket inside the duration keeps its newest. */
function claimWithin(rule: WithinState, time: Date, index: number): string[] {
  if (!isAfter(time, rule.cutoff)) return [];
  const key = rule.bucket(time, index);
  if (key === rule.last) return [];
  rule.last = key;
  return [rule.reason];
}

function assertUsable(
  snapshots: readonly Dated[],
  rules: RetentionRules,
  { now }: RetentionOptions,
): void {
  const problems = checkRetentionRules(rules);
  for (const { id, time } of snapshots)
    if (Number.isNaN(time.getTime())) problems.push(`snapshot ${id}: its time is not a valid date`);
  if (now !== undefined && Number.isNaN(now.getTime())) problems.push("now: not a valid date");
  if (problems.length > 0) throw new RetentionInputError(problems);
}

/** A set duration rule; null when absent or zero, which restic treats alike. */
function durationOf(text: string | undefined): RetentionDuration | null {
  const duration = text === undefined ? null : parseRetentionDuration(text);
  if (duration === null) return null;
  const { years, months, days, hours } = duration;
  return years === 0 && months === 0 && days === 0 && hours === 0 ? null : duration;
}

// restic sorts newest first with an unstable sort, so its order among equal times is arbitrary;
// the id decides here, so the result never depends on the input order.
function sortNewestFirst<T extends Dated>(snapshots: readonly T[]): T[] {
  return [...snapshots].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** restic's findLatestTimestamp: the newest snapshot strictly before `now`, else Go's zero time. */
function latestTime(snapshots: readonly Dated[], now: Date | undefined): number {
  const limit = now === undefined ? Infinity : now.getTime();
  let latest = GO_ZERO_TIME_MS;
  for (const { time } of snapshots) {
    const t = time.getTime();
    if (t > latest && t < limit) latest = t;
  }
  return latest;
}

/**
 * latest.AddDate(-y, -m, -d).Add(time.Hour * time.Duration(-h)) in nanoseconds. AddDate
 * normalises like Go's time.Date (2021-11-31 is 2021-12-01), not by clamping to the month's end,
 * and the hour product is int64 nanoseconds, which wraps beyond about 292 years (2562047h).
 */
function cutoff(latestMs: number, d: RetentionDuration): bigint {
  const t = new Date(latestMs);
  const monthIndex = t.getUTCMonth() - d.months;
  const year = t.getUTCFullYear() - d.years + Math.floor(monthIndex / 12);
  const month = monthIndex - Math.floor(monthIndex / 12) * 12 + 1;
  const day = daysFromCivil(year, month, 1) + t.getUTCDate() - 1 - d.days;
  const clockMs = latestMs - Math.floor(latestMs / DAY_MS) * DAY_MS;
  const hoursNs = BigInt.asIntN(64, BigInt(0 - d.hours) * HOUR_NS);
  return BigInt(day * DAY_MS + clockMs) * 1_000_000n + hoursNs;
}

/** Go's Time.After against a cut-off in nanoseconds: strictly later, so the cut-off itself is out. */
function isAfter(time: Date, cutoffNs: bigint): boolean {
  return BigInt(time.getTime()) * 1_000_000n > cutoffNs;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Go's Time.ISOWeek as YYYYWW: the week's Thursday decides its ISO year (ISO 8601). */
function isoWeekKey(t: Date): number {
  const days = Math.floor(t.getTime() / DAY_MS);
  const mondayBased = (t.getUTCDay() + 6) % 7;
  const thursday = days - mondayBased + 3;
  const isoYear = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - daysFromCivil(isoYear, 1, 1)) / 7) + 1;
  return isoYear * 100 + week;
}
