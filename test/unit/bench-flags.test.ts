// The flags of `npm run bench` for the many-files case (scripts/bench/args.mjs,
// scripts/bench/many-files-results.mjs): --verbs and --sizes parse, imply the many-files case
// and refuse what they cannot mean; a run of some verbs runs what they need and keeps the other
// verbs' last figures in bench/results.json, each with the date of the run that made it.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const load = async <T>(path: string) => (await import(pathToFileURL(join(REPO, path)).href)) as T;

type Options = { only: string | null; verbs: string[] | null; sizes: string | null };
type Size = {
  files: number;
  bytes: number;
  peaks: Record<string, number>;
  times: Record<string, number>;
  baselines: Record<string, number>;
  dates?: Record<string, string>;
};
type ManyFiles = {
  date: string;
  sizes: Size[];
  growth: Record<string, number>;
  ratios: Record<string, number>;
  hashBaseline: string;
};
const { parseArgs, USAGE } = await load<{
  parseArgs: (argv: string[]) => Options;
  USAGE: string;
}>("scripts/bench/args.mjs");
const { MANY_FILES_VERBS, verbsToRun, mergeManyFiles } = await load<{
  MANY_FILES_VERBS: string[];
  verbsToRun: (chosen: string[]) => string[];
  mergeManyFiles: (
    previous: ManyFiles | undefined,
    measured: Size[],
    files: number,
    date: string,
    hashBaseline: string,
  ) => ManyFiles;
}>("scripts/bench/many-files-results.mjs");

describe("npm run bench --verbs and --sizes", () => {
  it("takes verbs by name, in the case's order, and implies the many-files case", () => {
    const options = parseArgs(["--verbs", "restore dir:, verify", "--sizes", "1x"]);
    expect(options).toMatchObject({
      verbs: ["verify", "restore dir:"],
      sizes: "1x",
      only: "many-files",
    });
    expect(parseArgs(["--sizes=4x"])).toMatchObject({
      verbs: null,
      sizes: "4x",
      only: "many-files",
    });
    expect(parseArgs([])).toMatchObject({ verbs: null, sizes: null, only: null });
  });

  it("refuses an unknown verb, an unknown size and --only default, naming what it expects", () => {
    expect(() => parseArgs(["--verbs", "verify,restore"])).toThrow(
      /--verbs verify,restore: expected names from "seal", "verify".*"snapshots validate"/,
    );
    expect(() => parseArgs(["--verbs", ","])).toThrow(/--verbs ,: expected names/);
    expect(() => parseArgs(["--sizes", "2x"])).toThrow("--sizes 2x: expected 1x, 4x or both");
    expect(() => parseArgs(["--only", "default", "--verbs", "verify"])).toThrow(
      "--verbs is for the many-files case: it cannot go with --only default",
    );
  });

  it("lists every verb in the usage", () => {
    for (const verb of MANY_FILES_VERBS) expect(USAGE.replace(/\s+/g, " ")).toContain(verb);
  });

  it("runs seal and what a verb needs with it", () => {
    expect(verbsToRun(["verify"])).toEqual(["seal", "verify"]);
    expect(verbsToRun(["snapshots validate", "report merge"])).toEqual([
      "seal",
      "verify --shard 1/4",
      "report merge",
      "snapshot",
      "snapshots validate",
    ]);
    expect(verbsToRun(MANY_FILES_VERBS)).toEqual(MANY_FILES_VERBS);
  });

  it("keeps the other verbs' last figures, dated, and computes growth and ratios again", () => {
    const figures = (peak: number, time: number) =>
      Object.fromEntries(MANY_FILES_VERBS.map((verb) => [verb, verb === "verify" ? time : peak]));
    const previous: ManyFiles = {
      date: "2026-12-01T00:00:00.000Z",
      sizes: [
        {
          files: 100,
          bytes: 1,
          peaks: figures(100, 100),
          times: figures(9, 8),
          baselines: { hash: 4, cp: 2, tar: 1 },
        },
        {
          files: 400,
          bytes: 4,
          peaks: figures(110, 110),
          times: figures(30, 30),
          baselines: { hash: 16, cp: 8, tar: 4 },
        },
      ],
      growth: {},
      ratios: {},
      hashBaseline: "openssl",
    };
    const fresh: Size = {
      files: 100,
      bytes: 1,
      peaks: { seal: 90, verify: 50 },
      times: { seal: 3, verify: 2 },
      baselines: { hash: 4 },
    };
    const date = "2026-12-07T21:00:00.000Z";
    const merged = mergeManyFiles(previous, [fresh], 100, date, "openssl");
    const [one, four] = merged.sizes;
    expect(merged.date).toBe(date);
    expect(one?.peaks).toMatchObject({ seal: 90, verify: 50, "restore dir:": 100 });
    expect(one?.baselines).toEqual({ hash: 4, cp: 2, tar: 1 });
    expect(one?.dates).toMatchObject({
      verify: date,
      hash: date,
      "restore dir:": previous.date,
      cp: previous.date,
    });
    expect(four).toEqual(previous.sizes[1]);
    expect(merged.growth).toMatchObject({ verify: 2.2, "restore dir:": 1.1 });
    expect(merged.ratios).toEqual({
      "verify / parallel openssl": 0.5,
      "restore dir: / cp -a": 4.5,
      "snapshot / tar -cf": 9,
    });
  });

  it("starts afresh at another file count, and writes what it has when a size is missing", () => {
    const fresh: Size = {
      files: 400,
      bytes: 4,
      peaks: { verify: 60 },
      times: { verify: 2 },
      baselines: { hash: 1 },
    };
    const previous = {
      date: "d",
      sizes: [{ ...fresh, files: 5 }],
      growth: {},
      ratios: {},
      hashBaseline: "o",
    };
    const merged = mergeManyFiles(previous, [fresh], 100, "now", "openssl");
    expect(merged.sizes).toEqual([{ ...fresh, dates: { verify: "now", hash: "now" } }]);
    expect(merged.growth).toEqual({});
    expect(merged.ratios).toEqual({});
  });
});
