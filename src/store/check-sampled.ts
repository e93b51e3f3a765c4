// What a sampled run (verify --sample) checks of an artifact left out of the sample: that it is
// in its place (./check-place.ts, as for every artifact) and, for a file, its size from the same
// lstat. Its bytes are not read; the run's sample says so (docs/performance.md, "Sampled checks").
import type { Artifact } from "../documents/types.js";
import { reporterFor, type CheckResult } from "./artifact-check.js";
import { readsBytes } from "./artifact-checks.js";
import { bytesPinnedByRelease } from "./identity-levels.js";

export function checkSizeOnly(
  artifact: Artifact,
  size: number | null,
  place: CheckResult,
): CheckResult {
  const result: CheckResult = { checks: [...place.checks], findings: [...place.findings] };
  if (!readsBytes(artifact) || size === null) return result;
  result.checks.push("size");
  if (size !== artifact.size && bytesPinnedByRelease(artifact))
    reporterFor(artifact, result.findings)("artifact_size_mismatch", {
      expected: String(artifact.size),
      actual: String(size),
      message: `${artifact.path}: size expected ${artifact.size} bytes, got ${size}`,
    });
  return result;
}
