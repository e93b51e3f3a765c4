// Retention that is actually kept (pure): what the rollback policy's retention asks of a backup
// that holds a series of copies (a folder of archives, a snapshot or restic repository), read as
// a requirement: one copy in each of the last keepDaily days, keepWeekly ISO weeks and
// keepMonthly months (UTC), and at least keepLast copies. The current day, week or month counts
// when it has a copy; when it has none yet, the window starts one period earlier, so a nightly
// job that has not run today is not a gap (freshness is the RPO's question).
import type { RollbackPolicy } from "../documents/types.js";

export type PeriodRule = "keepDaily" | "keepWeekly" | "keepMonthly";

export type RetentionShortfall = {
  readonly rule: PeriodRule | "keepLast";
  readonly asked: number;
  /** The periods without a copy (2026-12-01, 2026-W48, 2026-11), oldest first; for keepLast, none. */
  readonly missing: readonly string[];
  /** How many copies the series holds (for keepLast). */
  readonly held: number;
};

const DAY_MS = 86_400_000;

type Period = { readonly label: string; readonly start: number; readonly end: number };

function day(time: number): Period {
  const start = Math.floor(time / DAY_MS) * DAY_MS;
  return { label: new Date(start).toISOString().slice(0, 10), start, end: start + DAY_MS };
}

/** The ISO week that holds `time`, labelled as ISO 8601 writes it: 2026-W49. */
function week(time: number): Period {
  const days = Math.floor(time / DAY_MS);
  const monday = days - ((new Date(days * DAY_MS).getUTCDay() + 6) % 7);
  const thursday = new Date((monday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const number = Math.floor((monday + 3 - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return {
    label: `${year}-W${String(number).padStart(2, "0")}`,
    start: monday * DAY_MS,
    end: (monday + 7) * DAY_MS,
  };
}

function month(time: number): Period {
  const t = new Date(time);
  const start = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1);
  return {
    label: new Date(start).toISOString().slice(0, 7),
    start,
    end: Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1),
  };
}

const PERIODS: readonly { rule: PeriodRule; of: (time: number) => Period }[] = [
  { rule: "keepDaily", of: day },
  { rule: "keepWeekly", of: week },
  { rule: "keepMonthly", of: month },
];

/** The `count` periods ending with the current one (or the one before, when it has no copy). */
function windowOf(
  of: (time: number) => Period,
  count: number,
  times: readonly number[],
  now: number,
) {
  const has = (p: Period) => times.some((t) => t >= p.start && t < p.end);
  let current = of(now);
  if (!has(current)) current = of(current.start - 1);
  const periods: Period[] = [];
  for (let p = current; periods.length < count; p = of(p.start - 1)) periods.unshift(p);
  return periods.filter((p) => !has(p)).map((p) => p.label);
}

export function retentionShortfalls(
  times: readonly Date[],
  retention: RollbackPolicy["retention"],
  now: Date,
): RetentionShortfall[] {
  const ms = times.map((t) => t.getTime()).filter((t) => t <= now.getTime());
  const shortfalls: RetentionShortfall[] = [];
  const last = retention.keepLast ?? 0;
  if (ms.length < last)
    shortfalls.push({ rule: "keepLast", asked: last, missing: [], held: ms.length });
  for (const { rule, of } of PERIODS) {
    const asked = retention[rule];
    if (asked <= 0) continue;
    const missing = windowOf(of, asked, ms, now.getTime());
    if (missing.length > 0) shortfalls.push({ rule, asked, missing, held: ms.length });
  }
  return shortfalls;
}

const WORDS: Record<RetentionShortfall["rule"], string> = {
  keepLast: "copies",
  keepDaily: "days",
  keepWeekly: "ISO weeks",
  keepMonthly: "months",
};

/** "keepDaily 30 asks for one in each of the last 30 days; 3 have none: 2026-11-20, ..." */
export function describeShortfall(
  s: RetentionShortfall,
  list: (items: string[]) => string,
): string {
  if (s.rule === "keepLast")
    return `keepLast ${s.asked} asks for ${s.asked} copies; it holds ${s.held}`;
  return `${s.rule} ${s.asked} asks for one in each of the last ${s.asked} ${WORDS[s.rule]}; ${s.missing.length} ${s.missing.length === 1 ? "has" : "have"} none: ${list([...s.missing])}`;
}
