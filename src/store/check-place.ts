// The first check of every artifact: its path is inside the root, has no symlink on the way,
// and holds the kind of entry the manifest says. Only an artifact in its place is checked on.
import type { Artifact } from "../documents/types.js";
import { createFinding } from "../findings/finding.js";
import { reporterFor, type CheckResult } from "./artifact-check.js";
import type { ProbeAnswer } from "./store-pool.js";

/** The result of the place check, and whether the artifact is in its place. */
export function checkPlace(
  artifact: Artifact,
  probe: ProbeAnswer[number],
): { readonly sound: boolean; readonly result: CheckResult } {
  const result: CheckResult = { checks: [], findings: [] };
  const escapes = (actual: string, message: string) => {
    result.findings.push(
      createFinding("path_escapes_root", { subject: artifact.path, actual, message }),
    );
    return { sound: false, result };
  };
  if (probe.linkAncestor !== null)
    return escapes(
      `symlink at ${probe.linkAncestor}`,
      `${artifact.path}: the path goes through the symlink ${probe.linkAncestor}, which is never followed`,
    );
  result.checks.push("presence");
  const report = reporterFor(artifact, result.findings);
  const type = probe.type;
  if (type === null) {
    report("artifact_missing", {
      expected: artifact.kind,
      actual: "absent",
      message: `${artifact.path}: ${artifact.role} ${artifact.kind} is missing from the store root`,
    });
    return { sound: false, result };
  }
  if (type === "symlink")
    return escapes(
      "symlink",
      `${artifact.path}: is a symlink; symlinks in a store root are never followed`,
    );
  const expectedType = artifact.kind === "dir" ? "dir" : "file";
  if (type !== expectedType) {
    report("artifact_kind_mismatch", {
      expected: expectedType === "dir" ? "a directory" : "a regular file",
      actual:
        type === "dir" ? "a directory" : type === "file" ? "a regular file" : "a special file",
      message: `${artifact.path}: expected ${artifact.kind}, found ${type === "other" ? "a special file" : `a ${type}`}`,
    });
    return { sound: false, result };
  }
  return { sound: true, result };
}
