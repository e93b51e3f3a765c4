// Durations as DESIGN.md writes them (<integer><unit>..., units s m h d w), and how an age reads.
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/util/duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    ["1w1d", 691_200_000],
    ["0s", 0],
    ["1h1h", 7_200_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "1", "h", "1.5h", "-1h", "1H", "1h 30m", " 1h", "1y", "1h30"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it("refuses a duration too long to count in milliseconds exactly", () => {
    expect(parseDuration("9007199254740993w")).toBeNull();
    expect(parseDuration("1000000w")).toBe(604_800_000_000_000);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [499, "0s"],
    [500, "1s"],
    [45_000, "45s"],
    [60_000, "1m"],
    [5_400_000, "1h 30m"],
    [5_430_000, "1h 30m"],
    [183_600_000, "2d 3h"],
    [172_800_000 + 5_000, "2d 5s"],
  ])("%i ms reads %s (the two largest units)", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
