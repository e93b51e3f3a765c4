// applyRetention must keep what restic 0.14.0's `forget` keeps. The golden comes from the real
// binary (test/fixtures/retention/README.md); the properties and examples cover what it cannot.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyRetention,
  checkRetentionRules,
  EMPTY_POLICY_REASON,
  formatRetentionDuration,
  parseRetentionDuration,
  RetentionInputError,
  type Dated,
  type RetentionDecision,
  type RetentionRules,
} from "../../src/snapshots/retention.js";

type GoldenCase = {
  readonly flags: string;
  readonly rules: RetentionRules;
  readonly keep: readonly { readonly snapshot: number; readonly reasons: readonly string[] }[];
  readonly remove: readonly number[];
};
type GoldenScenario = {
  readonly name: string;
  readonly now: string;
  readonly snapshots: readonly string[];
  readonly cases: readonly GoldenCase[];
};
type Golden = { readonly restic: string; readonly scenarios: readonly GoldenScenario[] };

const golden = JSON.parse(
  readFileSync(new URL("../fixtures/retention/golden.json", import.meta.url), "utf8"),
) as Golden;

const at = (iso: string): Date => new Date(iso);
const dated = (times: readonly string[]): Dated[] =>
  times.map((time, i) => ({ id: `s${String(i).padStart(3, "0")}`, time: at(time) }));
const keptTimes = (decisions: readonly RetentionDecision<Dated>[]): string[] =>
  decisions.filter((d) => d.keep).map((d) => d.snapshot.time.toISOString());
const reasonsByTime = (decisions: readonly RetentionDecision<Dated>[]) =>
  decisions.filter((d) => d.keep).map((d) => [d.snapshot.time.toISOString(), d.reasons]);

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The same list in a fixed, scrambled order, so no case passes only because the input was sorted. */
function scrambled<T>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, key: (i * 7919) % 1009 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

describe("applyRetention, against restic 0.14.0's forget (golden)", () => {
  it("uses a golden made by restic 0.14.0 with 400 snapshots", () => {
    expect(golden.restic).toMatch(/^restic 0\.14\.0 /);
    const main = golden.scenarios.find((s) => s.name === "main");
    expect(main?.snapshots).toHaveLength(400);
    // ISO week 53 of 2020 (2020-12-28 to 2021-01-03) is covered.
    expect(main?.snapshots).toContain("2021-01-03T23:59:59Z");
  });

  for (const scenario of golden.scenarios) {
    const snapshots = dated(scenario.snapshots);
    const timeOf = (index: number): string =>
      new Date(scenario.snapshots[index] ?? "").toISOString();
    for (const c of scenario.cases) {
      it(`keeps what restic keeps, for the same reasons: ${scenario.name}, ${c.flags}`, () => {
        const decisions = applyRetention(scrambled(snapshots), c.rules, { now: at(scenario.now) });
        // Compared by time, in order: between two snapshots with the same time, which one restic
        // keeps is arbitrary, but the sequence of (time, reasons) is not.
        expect(reasonsByTime(decisions)).toEqual(
          c.keep.map((k) => [timeOf(k.snapshot), k.reasons]),
        );
        const removed = decisions.filter((d) => !d.keep).map((d) => d.snapshot.time.toISOString());
        expect(removed).toEqual(c.remove.map(timeOf).sort().reverse());
      });
    }
  }

  it("needs no `now` when every snapshot is in the past", () => {
    const main = golden.scenarios.find((s) => s.name === "main");
    for (const c of main?.cases ?? []) {
      const snapshots = dated(main?.snapshots ?? []);
      expect(keptTimes(applyRetention(snapshots, c.rules))).toEqual(
        keptTimes(applyRetention(snapshots, c.rules, { now: at(main?.now ?? "") })),
      );
    }
  });
});

describe("applyRetention, on examples", () => {
  it("keeps the last four Sundays for --keep-daily 4, as restic's documentation shows", () => {
    const sundays = Array.from({ length: 12 }, (_, i) =>
      new Date(Date.UTC(2019, 8, 1 + 7 * i, 11)).toISOString(),
    );
    const decisions = applyRetention(dated(sundays), { keepDaily: 4 });
    expect(keptTimes(decisions)).toEqual(sundays.slice(-4).reverse());
    expect(
      decisions.filter((d) => d.keep).every((d) => d.reasons.join() === "daily snapshot"),
    ).toBe(true);
  });

  it("puts 2019-12-31 and 2020-01-01 in one ISO week but two years", () => {
    const snapshots = dated(["2019-12-31T10:00:00Z", "2020-01-01T10:00:00Z"]);
    expect(keptTimes(applyRetention(snapshots, { keepWeekly: 5 }))).toEqual([
      "2020-01-01T10:00:00.000Z",
    ]);
    expect(keptTimes(applyRetention(snapshots, { keepYearly: 5 }))).toHaveLength(2);
  });

  it("computes keep-within like Go's AddDate: 2021-03-31 minus 1m is 2021-03-03", () => {
    const snapshots = dated([
      "2021-03-31T12:00:00Z",
      "2021-03-03T12:00:01Z",
      "2021-03-03T12:00:00Z",
      "2021-02-28T12:00:01Z",
    ]);
    expect(keptTimes(applyRetention(snapshots, { keepWithin: "1m" }))).toEqual([
      "2021-03-31T12:00:00.000Z",
      "2021-03-03T12:00:01.000Z",
    ]);
  });

  it("does not keep more than one snapshot per bucket when the count exceeds the buckets (restic 0.14 keeps no extra oldest)", () => {
    const snapshots = dated([
      "2021-01-01T10:00:00Z",
      "2021-01-01T11:00:00Z",
      "2021-01-02T10:00:00Z",
    ]);
    expect(keptTimes(applyRetention(snapshots, { keepDaily: 10 }))).toEqual([
      "2021-01-02T10:00:00.000Z",
      "2021-01-01T11:00:00.000Z",
    ]);
  });

  it("reads Infinity as a count that never runs out", () => {
    const snapshots = dated([
      "2021-01-01T10:00:00Z",
      "2021-01-01T11:00:00Z",
      "2021-01-02T10:00:00Z",
    ]);
    expect(applyRetention(snapshots, { keepDaily: Infinity })).toEqual(
      applyRetention(snapshots, { keepDaily: 3 }),
    );
  });

  it("measures durations from the newest snapshot before `now`, keeping any in the future", () => {
    const snapshots = dated([
      "2021-01-01T00:00:00Z",
      "2021-01-02T00:00:00Z",
      "2030-01-01T00:00:00Z",
    ]);
    const now = at("2025-01-01T00:00:00Z");
    expect(keptTimes(applyRetention(snapshots, { keepWithin: "1d" }, { now }))).toEqual([
      "2030-01-01T00:00:00.000Z",
      "2021-01-02T00:00:00.000Z",
    ]);
    // With every snapshot in the future, restic measures from Go's zero time, so all are within.
    expect(
      keptTimes(
        applyRetention(snapshots, { keepWithin: "1d" }, { now: at("2000-01-01T00:00:00Z") }),
      ),
    ).toHaveLength(3);
  });

  it("keeps every snapshot, with restic's reason, when no rule is set", () => {
    const snapshots = dated(["2021-01-01T00:00:00Z", "2021-01-02T00:00:00Z"]);
    for (const rules of [
      {},
      { keepLast: 0, keepDaily: 0 },
      { keepWithin: "0d" },
      { keepWithin: " " },
    ])
      expect(applyRetention(snapshots, rules).map((d) => [d.keep, d.reasons])).toEqual([
        [true, [EMPTY_POLICY_REASON]],
        [true, [EMPTY_POLICY_REASON]],
      ]);
    expect(applyRetention([], { keepLast: 1 })).toEqual([]);
  });

  it("refuses -1, fractions and bad durations, naming each problem", () => {
    const rules = { keepDaily: -1, keepLast: 2.5, keepWithin: "2w", keepWithinDaily: "7d" };
    expect(checkRetentionRules(rules)).toEqual([
      expect.stringMatching(/^keepLast: 2\.5 /),
      expect.stringMatching(/^keepDaily: -1 /),
      expect.stringMatching(/^keepWithin: "2w" /),
    ]);
    expect(() => applyRetention([], rules)).toThrow(RetentionInputError);
    expect(thrownBy(() => applyRetention([], { keepMonthly: Number.NaN }))).toMatchObject({
      code: "invalid_retention_input",
      problems: [expect.stringMatching(/^keepMonthly: NaN /)],
    });
  });

  it("refuses a snapshot whose time is not a date", () => {
    expect(() =>
      applyRetention([{ id: "x", time: new Date(Number.NaN) }], { keepLast: 1 }),
    ).toThrow(/snapshot x: its time is not a valid date/);
  });
});

// Snapshots over three years at minute resolution, so several share an hour, a day or a time.
const BASE = Date.UTC(2019, 11, 20);
const snapshotList = fc
  .array(fc.integer({ min: 0, max: 3 * 365 * 24 * 60 }), { maxLength: 60 })
  .map((minutes) => minutes.map((m, i) => ({ id: `id${i}`, time: new Date(BASE + m * 60_000) })));
const count = fc.integer({ min: 0, max: 8 });
const countRules = fc.record(
  {
    keepLast: count,
    keepHourly: count,
    keepDaily: count,
    keepWeekly: count,
    keepMonthly: count,
    keepYearly: count,
  },
  { requiredKeys: [] },
);
const durationText = fc
  .tuple(fc.nat(3), fc.nat(14), fc.nat(40), fc.nat(48))
  .map(([y, m, d, h]) => formatRetentionDuration({ years: y, months: m, days: d, hours: h }));
const anyRules = fc
  .tuple(
    countRules,
    fc.option(durationText, { nil: undefined }),
    fc.option(durationText, { nil: undefined }),
  )
  .map(([counts, within, withinDaily]): RetentionRules => ({
    ...counts,
    ...(within === undefined ? {} : { keepWithin: within }),
    ...(withinDaily === undefined ? {} : { keepWithinDaily: withinDaily }),
  }));
const countSum = (rules: RetentionRules): number =>
  (rules.keepLast ?? 0) +
  (rules.keepHourly ?? 0) +
  (rules.keepDaily ?? 0) +
  (rules.keepWeekly ?? 0) +
  (rules.keepMonthly ?? 0) +
  (rules.keepYearly ?? 0);

describe("applyRetention, properties", () => {
  it("never keeps more than the sum of the counts when no duration rule is set", () => {
    fc.assert(
      fc.property(snapshotList, countRules, (snapshots, rules) => {
        fc.pre(countSum(rules) > 0);
        expect(applyRetention(snapshots, rules).filter((d) => d.keep).length).toBeLessThanOrEqual(
          countSum(rules),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("keeps exactly the N newest for keep-last N", () => {
    fc.assert(
      fc.property(snapshotList, fc.integer({ min: 1, max: 70 }), (snapshots, n) => {
        const decisions = applyRetention(snapshots, { keepLast: n });
        const newest = decisions.slice(0, n);
        expect(decisions.filter((d) => d.keep)).toEqual(newest);
        expect(newest.every((d) => d.reasons.join() === "last snapshot")).toBe(true);
        const oldestKept = newest.at(-1)?.snapshot.time.getTime() ?? -Infinity;
        expect(decisions.slice(n).every((d) => d.snapshot.time.getTime() <= oldestKept)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("always keeps the newest snapshot when a count of 1 or more is given", () => {
    fc.assert(
      fc.property(snapshotList, anyRules, (snapshots, rules) => {
        fc.pre(snapshots.length > 0 && countSum(rules) > 0);
        expect(applyRetention(snapshots, rules)[0]?.keep).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("returns every snapshot once, newest first", () => {
    fc.assert(
      fc.property(snapshotList, anyRules, (snapshots, rules) => {
        const decisions = applyRetention(snapshots, rules);
        expect(decisions.map((d) => d.snapshot.id).sort()).toEqual(
          snapshots.map((s) => s.id).sort(),
        );
        const times = decisions.map((d) => d.snapshot.time.getTime());
        expect(times.every((t, i) => i === 0 || t <= (times[i - 1] ?? t))).toBe(true);
        expect(decisions.every((d) => d.keep === d.reasons.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the input order", () => {
    const withShuffle = snapshotList.chain((snapshots) =>
      fc.tuple(
        fc.constant(snapshots),
        fc.shuffledSubarray(snapshots, { minLength: snapshots.length }),
      ),
    );
    fc.assert(
      fc.property(withShuffle, anyRules, ([snapshots, shuffled], rules) => {
        expect(applyRetention(shuffled, rules)).toEqual(applyRetention(snapshots, rules));
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseRetentionDuration", () => {
  it.each([
    ["30d", { years: 0, months: 0, days: 30, hours: 0 }],
    ["2y5m7d3h", { years: 2, months: 5, days: 7, hours: 3 }],
    ["12h1d", { years: 0, months: 0, days: 1, hours: 12 }],
    ["1d2d", { years: 0, months: 0, days: 2, hours: 0 }],
    ["-1d", { years: 0, months: 0, days: -1, hours: 0 }],
    ["1y-2m", { years: 1, months: -2, days: 0, hours: 0 }],
    ["-0d", { years: 0, months: 0, days: 0, hours: 0 }],
    ["00012h", { years: 0, months: 0, days: 0, hours: 12 }],
    [" 2d\n", { years: 0, months: 0, days: 2, hours: 0 }],
    ["\u00a02d\u3000", { years: 0, months: 0, days: 2, hours: 0 }],
    ["", { years: 0, months: 0, days: 0, hours: 0 }],
    ["0y0m0d0h", { years: 0, months: 0, days: 0, hours: 0 }],
  ])("reads %j as restic does", (text, expected) => {
    expect(parseRetentionDuration(text)).toEqual(expected);
  });

  it.each([
    "2w",
    "2D",
    "d",
    "2",
    "1.5d",
    "+1d",
    "--1d",
    "1d-",
    "2d 3h",
    "1y 2m",
    "1dx",
    "30 days",
    "P30D",
    "junk",
    "\u0663d",
    "3\u0663d",
    "\ufeff2d",
    "99999999999999999999d",
  ])("refuses %j, as restic does", (text) => {
    expect(parseRetentionDuration(text)).toBeNull();
  });

  it("reads back what formatRetentionDuration writes", () => {
    const part = fc.integer({ min: -5000, max: 5000 });
    fc.assert(
      fc.property(part, part, part, part, (years, months, days, hours) => {
        const duration = { years, months, days, hours };
        expect(parseRetentionDuration(formatRetentionDuration(duration))).toEqual(duration);
      }),
    );
  });
});
