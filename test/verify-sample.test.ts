// verify --sample, run as a user runs it: the sample's artifacts and every durable database are
// checked in full, every other artifact for its place and size; consecutive seeds check the
// whole store; the result says the fraction, the seed and which artifacts were in the sample.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seal } from "../src/verbs/seal.js";
import type { VerifySample } from "../src/verbs/verify.js";
import { runCLI } from "./helpers/cli.js";
import {
  createUnsealedStore,
  FIXTURE_EPOCH,
  FIXTURE_RELEASE,
  type FixtureStore,
} from "./helpers/fixture-store.js";

const FILES = 60;
let fixture: FixtureStore;

beforeAll(async () => {
  fixture = createUnsealedStore();
  mkdirSync(join(fixture.store, "files"));
  for (let i = 0; i < FILES; i++)
    writeFileSync(
      join(fixture.store, "files", `f${String(i).padStart(2, "0")}.txt`),
      `file ${i}\n`,
    );
  const sealed = await seal({
    ...FIXTURE_RELEASE,
    cwd: fixture.dir,
    config: join(fixture.ops, "drill.json"),
    env: { SOURCE_DATE_EPOCH: FIXTURE_EPOCH },
  });
  expect(sealed.exitCode).toBe(0);
});

/** The result's sample, as verify and drill both give it. */
type Sample = VerifySample;

const verifyJSON = (...extra: string[]) =>
  runCLI(["verify", "--json", ...extra], { cwd: fixture.dir });

describe("verify --sample", () => {
  it("checks the sample and the durable database in full and says which, by fraction and seed", () => {
    const run = verifyJSON("--sample", "10%", "--seed", "7");
    expect(run.code).toBe(0);
    const sample = run.json()["sample"] as Sample;
    expect(sample).toMatchObject({ fraction: 0.1, seed: 7, runsToCover: 10 });
    expect(sample.paths).toContain("datasets/places.sqlite");
    expect(sample.contentChecked).toBe(sample.paths.length);
    const artifacts = (run.json()["checked"] as { artifacts: number }).artifacts;
    expect(sample.contentChecked + sample.placeOnly).toBe(artifacts);
    expect(sample.contentChecked).toBeLessThan(artifacts / 2);
    // The same seed, the same sample.
    expect((verifyJSON("--sample", "10%", "--seed", "7").json()["sample"] as Sample).paths).toEqual(
      sample.paths,
    );
  });

  it("covers every artifact over runsToCover runs with consecutive seeds", () => {
    const seen = new Set<string>();
    let artifacts = 0;
    for (let seed = 100; seed < 105; seed++) {
      const run = verifyJSON("--sample", "20%", "--seed", String(seed));
      expect(run.code).toBe(0);
      artifacts = (run.json()["checked"] as { artifacts: number }).artifacts;
      for (const path of (run.json()["sample"] as Sample).paths) seen.add(path);
    }
    expect(seen.size).toBe(artifacts);
  });

  it("finds changed bytes in the sample, a changed size anywhere, and the text says what was sampled", () => {
    const first = verifyJSON("--sample", "10%", "--seed", "3").json()["sample"] as Sample;
    const inside = first.paths.find((p) => p.startsWith("files/")) as string;
    const outside = Array.from(
      { length: FILES },
      (_, i) => `files/f${String(i).padStart(2, "0")}.txt`,
    ).filter((p) => !first.paths.includes(p));
    const [same, shorter] = outside as [string, string];
    const flip = (path: string) => {
      writeFileSync(
        fixture.path(path),
        readFileSync(fixture.path(path), "utf8").replace("file", "FILE"),
      );
    };
    flip(inside);
    flip(same);
    writeFileSync(fixture.path(shorter), "x\n");
    const run = verifyJSON("--sample", "10%", "--seed", "3");
    expect(run.code).toBe(1);
    expect(run.json()["findings"]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "artifact_hash_mismatch", subject: inside }),
        expect.objectContaining({ code: "artifact_size_mismatch", subject: shorter }),
      ]),
    );
    const subjects = (run.json()["findings"] as { subject: string }[]).map((f) => f.subject);
    expect(subjects).not.toContain(same);
    // A whole verify finds all three.
    const whole = verifyJSON();
    const all = (whole.json()["findings"] as { subject: string }[]).map((f) => f.subject);
    expect(all).toEqual(expect.arrayContaining([inside, same, shorter]));
    const text = runCLI(["verify", "--sample", "10%", "--seed", "3"], { cwd: fixture.dir });
    expect(text.stdout).toMatch(
      /sampled 10% \(seed 3\): \d+ artifacts checked in full, \d+ for place and size only; seeds 3 to 12 check them all/,
    );
  });

  it("refuses --seed without --sample, a bad fraction, and --sample with --shard", () => {
    for (const [args, subject] of [
      [["--seed", "3"], "--seed"],
      [["--sample", "0%"], "--sample"],
      [["--sample", "5%", "--seed", "-1"], "--seed"],
      [["--sample", "5%", "--shard", "1/2"], "--sample"],
    ] as const) {
      const run = verifyJSON(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.json()["findings"]).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: "usage_invalid", subject })]),
      );
    }
  });
});
