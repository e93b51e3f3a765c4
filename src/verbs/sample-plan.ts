// --sample <fraction> [--seed <n>] as verify and drill take them (pure): the sample to check, null
// without --sample, or every finding about the two flags. One parser for both verbs, so they
// accept and refuse exactly the same (docs/performance.md, "Sampled checks").
import { failed, failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import {
  defaultSampleSeed,
  parseSampleFraction,
  parseSampleSeed,
  type SampleSpec,
} from "../store/sample.js";

export type SampleFlags = {
  /** Check the content of only this share of the artifacts: `5%` or `0.05`. */
  readonly sample?: string;
  /** With --sample: which window of artifacts; default the day number, so daily runs rotate. */
  readonly seed?: string | number;
  /** --shard i/n splits the work the other way: the two are refused together. */
  readonly shard?: string;
};

/** `today` picks the default seed (the day number, UTC). */
export function planSample(flags: SampleFlags, today: Date): Checked<SampleSpec | null> {
  if (flags.sample === undefined) {
    if (flags.seed === undefined) return ok(null);
    return failed(
      createFinding("usage_invalid", {
        subject: "--seed",
        message:
          "--seed chooses which artifacts --sample checks: add --sample <fraction>, or drop --seed",
      }),
    );
  }
  const usage = (message: string) =>
    failed(createFinding("usage_invalid", { subject: "--sample", message }));
  if (flags.shard !== undefined)
    return usage("--sample and --shard split the work two ways: use one of them");
  const fraction = parseSampleFraction(flags.sample);
  const seed =
    flags.seed === undefined ? ok(defaultSampleSeed(today)) : parseSampleSeed(String(flags.seed));
  if (!fraction.ok || !seed.ok) return failedWith([...findingsOf(fraction), ...findingsOf(seed)]);
  return ok({ fraction: fraction.value, seed: seed.value });
}
