// The one shape of a store check: given an artifact found in its place, it returns the checks
// it made and the findings they gave, at the severity the artifact's role gives (none when it is
// disposable). ./artifact-checks.ts lists the checks; ./check-windows.ts schedules them.
import type { Artifact, Role } from "../documents/types.js";
import { createFinding, type ClassifiedFinding, type Severity } from "../findings/finding.js";
import type { PGDumpChecker, PGDumpInspection } from "../postgres/session.js";
import type { CheckName } from "./check-counts.js";
import type { Report } from "./check-pgdump.js";
import type { WrittenFile } from "./file-digest.js";
import type { SampleSpec } from "./sample.js";
import type { StorePool } from "./store-pool.js";

/** A dump that could not be judged (no PostgreSQL), reported once for all of them. */
export type UnavailableDump = {
  readonly artifact: Artifact;
  readonly inspection: Extract<PGDumpInspection, { unavailable: unknown }>;
};

export type CheckResult = {
  readonly checks: CheckName[];
  readonly findings: ClassifiedFinding[];
  readonly unavailable?: UnavailableDump;
};

/** An artifact found where the manifest says, of the kind it says. */
export type PlacedArtifact = {
  readonly artifact: Artifact;
  /** Its absolute path, inside the store root. */
  readonly file: string;
  /** Its size and digest: from the restore that wrote it, else read by the pool (files only). */
  readonly bytes: () => Promise<WrittenFile>;
};

/** What the checks work with. */
export type CheckTools = {
  readonly pool: StorePool;
  /** Files the restore hashed as it wrote them: not read again. */
  readonly written: ReadonlyMap<string, WrittenFile> | undefined;
  /** Restores pg_dump artifacts to check their content; without it, their bytes only. */
  readonly postgres: PGDumpChecker | undefined;
  /** A sampled run: what is left out of the sample is checked for its place and size only. */
  readonly sample?: SampleSpec | undefined;
};

export type ArtifactCheck = {
  /** Whether the check judges this artifact (its kind, role and level). */
  readonly applies: (artifact: Artifact, tools: CheckTools) => boolean;
  readonly check: (placed: PlacedArtifact, tools: CheckTools) => Promise<CheckResult>;
};

/** How seriously a problem with an artifact counts, by its role (DESIGN.md "Roles"). */
function severityFor(role: Role): Severity | null {
  switch (role) {
    case "durable":
      return "error";
    case "reconstructable":
      return "warning";
    case "disposable":
      return null;
  }
}

/** Reports a problem with an artifact at the severity its role gives (none if disposable). */
export function reporterFor(artifact: Artifact, findings: ClassifiedFinding[]): Report {
  const severity = severityFor(artifact.role);
  return (code, fields) => {
    if (severity)
      findings.push(createFinding(code, { subject: artifact.path, severity, ...fields }));
  };
}

/** A check's result, made by a body that counts its checks and reports into it. */
export async function collect(
  artifact: Artifact,
  body: (result: CheckResult, report: Report) => void | Promise<void>,
): Promise<CheckResult> {
  const result: CheckResult = { checks: [], findings: [] };
  await body(result, reporterFor(artifact, result.findings));
  return result;
}
