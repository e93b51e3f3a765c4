// Sampled checks (`verify --sample 5% --seed 7`, docs/performance.md "Sampled checks"): which
// artifacts a sampled run checks. Pure: the choice depends only on the store path, the fraction
// and the seed, so a run can be repeated exactly from what its report states.
//
// Each path has a fixed place on a ring of 2^32 places (the first 32 bits of its SHA-256). With
// a window of width w = ceil(fraction * 2^32), seed s checks the places [s * w, (s + 1) * w),
// wrapping around the ring; integers, so consecutive windows leave no gap between them. Runs
// with consecutive seeds check consecutive windows, so ceil(1 / fraction) of them cover every
// artifact (like Kopia's daily percentage); the default seed is the day number, so a daily
// scheduled run rotates by itself. Durable SQLite and pg_dump artifacts are always checked in
// full: they are what a restore most needs and what a byte check alone cannot prove.
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import { digestOfBytes } from "../identity/digest.js";
import type { Artifact } from "../documents/types.js";

export type SampleSpec = {
  /** The share of the other artifacts to check, in (0, 1]. */
  readonly fraction: number;
  /** Which window of the ring: a non-negative integer. */
  readonly seed: number;
};

const RING = 2 ** 32;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `5%`, `0.5%` or `0.05` as a fraction in (0, 1], or a usage finding naming the flag. */
export function parseSampleFraction(text: string, flag = "--sample"): Checked<number> {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  const plain = /^(0?\.\d+|1(?:\.0+)?)$/.exec(text.trim());
  const value = percent ? Number(percent[1]) / 100 : plain ? Number(plain[1]) : Number.NaN;
  if (value > 0 && value <= 1) return ok(value);
  return failed(
    createFinding("usage_invalid", {
      subject: flag,
      expected: "a share of the artifacts above 0 and at most 100%: 5% or 0.05",
      actual: text,
      message: `${flag} ${text} is not a fraction of the store to check`,
    }),
  );
}

/** A --seed value: a non-negative integer, or a usage finding naming the flag. */
export function parseSampleSeed(text: string, flag = "--seed"): Checked<number> {
  if (/^\d{1,15}$/.test(text.trim())) return ok(Number(text.trim()));
  return failed(
    createFinding("usage_invalid", {
      subject: flag,
      expected: "a non-negative whole number",
      actual: text,
      message: `${flag} ${text} is not a seed`,
    }),
  );
}

/** The seed a run uses when none is given: the day number (UTC), so daily runs rotate. */
export function defaultSampleSeed(now: Date): number {
  return Math.floor(now.getTime() / DAY_MS);
}

/** Where a store path sits on the ring: an integer in [0, 2^32). */
export function ringPlace(storePath: string): number {
  return Number.parseInt(digestOfBytes(storePath).sha256.slice(0, 8), 16);
}

function windowWidth(fraction: number): number {
  return Math.min(RING, Math.ceil(fraction * RING));
}

/** Whether the sample checks this path (the caller checks durable databases in full anyway). */
export function inSample(storePath: string, spec: SampleSpec): boolean {
  const width = windowWidth(spec.fraction);
  if (width >= RING) return true;
  const start = Number((BigInt(spec.seed) * BigInt(width)) % BigInt(RING));
  return (ringPlace(storePath) - start + RING) % RING < width;
}

/** How many runs with consecutive seeds check every artifact at least once. */
export function runsToCover(fraction: number): number {
  return Math.ceil(RING / windowWidth(fraction));
}

/** Durable databases are checked in full in every sampled run. */
export function checkedInFull(artifact: Pick<Artifact, "role" | "kind">): boolean {
  return artifact.role === "durable" && (artifact.kind === "sqlite" || artifact.kind === "pgdump");
}

/** Whether a sampled run checks what this artifact holds (every run checks that it is there). */
export function contentChecked(
  artifact: Pick<Artifact, "role" | "kind" | "path">,
  spec: SampleSpec,
): boolean {
  return checkedInFull(artifact) || inSample(artifact.path, spec);
}
