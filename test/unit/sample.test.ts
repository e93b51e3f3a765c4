// Sampled checks: the fraction and seed flags, the ring, and rotation covering the whole store.
import { describe, expect, it } from "vitest";
import {
  defaultSampleSeed,
  inSample,
  parseSampleFraction,
  parseSampleSeed,
  ringPlace,
  runsToCover,
} from "../../src/store/sample.js";

const PATHS = Array.from({ length: 4000 }, (_, i) => `datasets/part-${i}/file-${i * 7}.json`);

describe("parseSampleFraction", () => {
  it("reads a percentage or a plain fraction", () => {
    expect(parseSampleFraction("5%")).toEqual({ ok: true, value: 0.05 });
    expect(parseSampleFraction("0.5%")).toEqual({ ok: true, value: 0.005 });
    expect(parseSampleFraction("0.25")).toEqual({ ok: true, value: 0.25 });
    expect(parseSampleFraction(".25")).toEqual({ ok: true, value: 0.25 });
    expect(parseSampleFraction("100%")).toEqual({ ok: true, value: 1 });
    expect(parseSampleFraction("1")).toEqual({ ok: true, value: 1 });
  });

  it("refuses nothing, more than all, and words, naming the flag", () => {
    for (const text of ["0%", "0", "101%", "1.5", "five", "", "-5%", "5"]) {
      const parsed = parseSampleFraction(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) {
        expect(parsed.findings[0]?.code).toBe("usage_invalid");
        expect(parsed.findings[0]?.subject).toBe("--sample");
        expect(parsed.findings[0]?.actual).toBe(text);
      }
    }
  });
});

describe("parseSampleSeed", () => {
  it("takes a non-negative whole number and nothing else", () => {
    expect(parseSampleSeed("7")).toEqual({ ok: true, value: 7 });
    expect(parseSampleSeed("0")).toEqual({ ok: true, value: 0 });
    for (const text of ["-1", "1.5", "seven", ""]) expect(parseSampleSeed(text).ok).toBe(false);
  });
});

describe("inSample", () => {
  it("places a path at the same place every time, on a ring of 2^32", () => {
    const place = ringPlace("a.db");
    expect(place).toBe(ringPlace("a.db"));
    expect(place).toBeGreaterThanOrEqual(0);
    expect(place).toBeLessThan(2 ** 32);
  });

  it("checks about the fraction asked, the same paths for the same seed", () => {
    const chosen = PATHS.filter((p) => inSample(p, { fraction: 0.05, seed: 7 }));
    expect(chosen.length).toBeGreaterThan(4000 * 0.03);
    expect(chosen.length).toBeLessThan(4000 * 0.07);
    expect(PATHS.filter((p) => inSample(p, { fraction: 0.05, seed: 7 }))).toEqual(chosen);
    const other = PATHS.filter((p) => inSample(p, { fraction: 0.05, seed: 8 }));
    expect(other.filter((p) => chosen.includes(p))).toEqual([]);
  });

  it("covers every path in runsToCover runs with consecutive seeds, from any seed", () => {
    for (const [fraction, start] of [
      [0.05, 0],
      [0.03, 20_429],
      [0.3, 12],
    ] as const) {
      const runs = runsToCover(fraction);
      const seen = new Set<string>();
      for (let seed = start; seed < start + runs; seed++)
        for (const p of PATHS) if (inSample(p, { fraction, seed })) seen.add(p);
      expect(seen.size, `${fraction}`).toBe(PATHS.length);
    }
    expect(runsToCover(0.05)).toBe(20);
    expect(runsToCover(0.03)).toBe(34);
  });

  it("checks everything at 100%", () => {
    expect(PATHS.every((p) => inSample(p, { fraction: 1, seed: 3 }))).toBe(true);
    expect(runsToCover(1)).toBe(1);
  });
});

describe("defaultSampleSeed", () => {
  it("is the UTC day number, so a daily run moves to the next window", () => {
    expect(defaultSampleSeed(new Date("1970-01-02T00:00:00Z"))).toBe(1);
    const today = defaultSampleSeed(new Date("2026-12-07T23:59:59Z"));
    expect(defaultSampleSeed(new Date("2026-12-08T00:00:00Z"))).toBe(today + 1);
  });
});
