// A problem met over and over is said a few times, then once more with how many times it was
// met: a damaged archive or a backup full of FIFOs would otherwise bury the finding that
// matters under hundreds that say the same thing.
import type { FindingCode } from "./catalogue.js";
import { createFinding, type ClassifiedFinding, type Severity } from "./finding.js";

/** Findings of one code listed one by one; the rest are counted in one more. */
export const REPEAT_LIMIT = 10;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * `findings` with at most `limit` of each code, in their order, then for each code that had
 * more one finding about `subject` that counts the rest, as severe as the worst of them.
 */
export function capRepeated(
  findings: readonly ClassifiedFinding[],
  subject: string,
  limit = REPEAT_LIMIT,
): ClassifiedFinding[] {
  const counts = new Map<FindingCode, number>();
  const worstDropped = new Map<FindingCode, ClassifiedFinding>();
  const kept: ClassifiedFinding[] = [];
  for (const finding of findings) {
    const count = (counts.get(finding.code) ?? 0) + 1;
    counts.set(finding.code, count);
    if (count <= limit) {
      kept.push(finding);
      continue;
    }
    const worst = worstDropped.get(finding.code);
    if (worst === undefined || RANK[finding.severity] > RANK[worst.severity])
      worstDropped.set(finding.code, finding);
  }
  for (const [code, worst] of worstDropped) {
    const more = (counts.get(code) ?? 0) - limit;
    kept.push(
      createFinding(code, {
        subject,
        severity: worst.severity,
        failureClass: worst.failureClass,
        actual: `${more} more`,
        message: `${subject}: and ${more} more ${code} findings like the ${limit} above (only the first ${limit} of a code are listed)`,
      }),
    );
  }
  return kept;
}
