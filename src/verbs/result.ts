// The one result shape every verb returns and the CLI prints with --json (DESIGN.md, "The JSON
// result"): verdict and exit code are derived from the findings, never set by hand.
import type { ClassifiedFinding, Finding } from "../findings/finding.js";
import { toPublicFinding } from "../findings/finding.js";
import { exitCodeOfRun, verdictOf, type ExitCode, type Verdict } from "../findings/verdict.js";
import type { DigestSet } from "../identity/digest.js";

export type VerbName =
  | "init"
  | "keygen"
  | "completion"
  | "seal"
  | "identity"
  | "verify"
  | "restore"
  | "drill"
  | "report verify"
  | "report merge"
  | "report render"
  | "gate"
  | "audit"
  | "snapshot"
  | "snapshots list"
  | "snapshots validate"
  | "snapshots diff"
  | "snapshots prune"
  | "snapshots export";

export type VerbResult<Fields extends object = object> = {
  readonly verb: VerbName;
  readonly verdict: Verdict;
  readonly exitCode: ExitCode;
  readonly releaseId: string | null;
  readonly releaseIdentity: DigestSet | null;
  readonly findings: readonly Finding[];
} & Fields;

export type Release = {
  readonly releaseId: string | null;
  readonly releaseIdentity: DigestSet | null;
};

export const NO_RELEASE: Release = { releaseId: null, releaseIdentity: null };

export function createResult<Fields extends object>(
  verb: VerbName,
  findings: readonly ClassifiedFinding[],
  release: Release,
  fields: Fields,
): VerbResult<Fields> {
  const verdict = verdictOf(findings);
  return {
    verb,
    verdict,
    exitCode: exitCodeOfRun(verdict, findings),
    releaseId: release.releaseId,
    releaseIdentity: release.releaseIdentity,
    findings: findings.map(toPublicFinding),
    ...fields,
  };
}
