// `--shard i/n` as the user typed it, checked (pure). 1-based like a CI matrix index; a
// Kubernetes Indexed Job's 0-based JOB_COMPLETION_INDEX is mapped in the Job's command line
// (docs/examples/kubernetes-indexed-job.yaml), never guessed from the environment.
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding } from "../findings/finding.js";
import type { ShardSpec } from "./assign.js";

/** More shards than this is a typo, not a plan: each shard walks the whole store root. */
const MAX_SHARDS = 1000;

export function checkShardSpec(text: string): Checked<ShardSpec> {
  const match = /^([0-9]{1,4})\/([0-9]{1,4})$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  let problem: string | null = null;
  if (!match) problem = "is not of the form i/n (for example 2/4)";
  else if (count < 1 || count > MAX_SHARDS)
    problem = `has n = ${count}; n must be 1 to ${MAX_SHARDS}`;
  else if (index < 1 || index > count)
    problem = `has i = ${index}; shards are numbered 1 to ${count} (a 0-based index such as JOB_COMPLETION_INDEX needs +1)`;
  if (problem === null) return ok({ index, count });
  return failed(
    createFinding("usage_invalid", {
      subject: "--shard",
      expected: "i/n with 1 <= i <= n, for example 2/4",
      actual: text,
      message: `--shard ${JSON.stringify(text)} ${problem}`,
      hint: "Pass --shard <i>/<n>, 1-based: --shard 1/4 ... --shard 4/4 together cover the manifest.",
    }),
  );
}
