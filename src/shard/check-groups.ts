// Store checks gathered a part at a time (pure): the checks of each window of a shard, or of
// each shard of a merge, added to one list. Checks listed by name (every failure, and every
// check of a small report) are kept in order; summarised checks (src/report/store-checks.ts:
// one check standing for `artifacts` artifacts alike) that are the same group are added up,
// so the list grows with the failures, not with the artifacts.
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import type { ReportCheck } from "../documents/drill-report.js";
import type { Artifact } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { storeChecks, SUMMARY_THRESHOLD } from "../report/store-checks.js";
import { isLiveDirectory } from "../store/identity-levels.js";

type Check = Readonly<Record<string, unknown>>;

/** How a summarised check says its count: `<n> artifacts: <what each showed>`. */
const COUNTED = /^[0-9]+ artifacts: /;

const isSummary = (check: Check): boolean =>
  typeof check["artifacts"] === "number" &&
  typeof check["actual"] === "string" &&
  COUNTED.test(check["actual"]);

export class CheckGroups {
  private readonly listed: Check[] = [];
  private readonly groups = new Map<string, { check: Check; actual: string; artifacts: number }>();

  add(checks: readonly unknown[]): void {
    for (const check of checks as Check[]) {
      if (!isSummary(check)) {
        this.listed.push(check);
        continue;
      }
      const actual = (check["actual"] as string).replace(COUNTED, "");
      const key = JSON.stringify({ ...check, actual, artifacts: null });
      const group = this.groups.get(key) ?? { check, actual, artifacts: 0 };
      group.artifacts += check["artifacts"] as number;
      this.groups.set(key, group);
    }
  }

  /** The listed checks in the order added, then one check per group with its total. */
  checks(): Check[] {
    const summaries = [...this.groups.values()].map(({ check, actual, artifacts }) => ({
      ...check,
      actual: `${artifacts} artifacts: ${actual}`,
      artifacts,
    }));
    return [...this.listed, ...summaries];
  }
}

/**
 * The store checks of a shard's artifacts, read a window at a time: one per artifact up to
 * SUMMARY_THRESHOLD artifacts, else every failure by path and the rest summarised, as a drill
 * report's (src/report/store-checks.ts).
 */
export async function shardChecks(
  artifacts: ArtifactWindows,
  findings: readonly ClassifiedFinding[],
): Promise<ReportCheck[]> {
  const bySubject = new Map<string, ClassifiedFinding[]>();
  for (const finding of findings) {
    if (finding.severity !== "error") continue;
    const same = bySubject.get(finding.subject);
    if (same) same.push(finding);
    else bySubject.set(finding.subject, [finding]);
  }
  // A live directory answers for findings inside it: its windows are shown them all.
  const about = (list: readonly Artifact[]) =>
    list.some(isLiveDirectory) ? findings : list.flatMap((a) => bySubject.get(a.path) ?? []);
  const threshold = artifacts.length <= SUMMARY_THRESHOLD ? Number.POSITIVE_INFINITY : 0;
  const groups = new CheckGroups();
  await artifacts.forEachWindow(4096, (_start, list) => {
    groups.add(storeChecks(list, about(list), true, null, null, threshold));
  });
  return groups.checks() as ReportCheck[];
}
