// A verified shard report's predicate, checked for the fields a merge relies on (pure). The
// signature has been verified already; this only refuses a payload that is not a shard report
// as recoverable writes it, naming the JSON pointer.
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding, type Finding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import { isSHA256Hex, type DigestSet } from "../identity/digest.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { ASSIGNMENT_RULE, ASSIGNMENT_RULE_V1 } from "./assign.js";
import { PATH_SET_ALGORITHM } from "./path-set.js";
import type { ManifestSummary, ShardCoverage } from "./shard-report.js";

/** A shard of the bytes-greedy-v1 rule listed its paths, and their digest, instead of a path set. */
export type ListedCoverage = Omit<ShardCoverage, "pathSet"> & {
  readonly paths: readonly string[];
  readonly pathsDigest: DigestSet;
};

/** One shard report as merge sees it: where it came from, who signed it, what it covered. */
export type ShardReportView = {
  readonly file: string;
  readonly keyId: string;
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly kind: "verify" | "drill";
  readonly manifest: ManifestSummary;
  readonly shard: ShardCoverage | ListedCoverage;
  readonly checked: StoreCheckCounts | null;
  readonly checks: readonly unknown[];
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly finishedAt: string;
};

const VERDICTS: readonly string[] = ["proven", "not_proven", "unusable_input", "could_not_run"];

type Input = {
  readonly file: string;
  readonly keyId: string;
  readonly releaseId: string;
  readonly releaseIdentity: string;
  readonly predicate: Readonly<Record<string, unknown>>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** A bytes-greedy-v1 shard's list of paths and its digest. */
function listedProblem(shard: Record<string, unknown>): [string, string] | null {
  const paths = shard["paths"];
  if (!Array.isArray(paths) || !paths.every((path) => typeof path === "string"))
    return ["/shard/paths", "must be an array of paths"];
  const pathsDigest = shard["pathsDigest"];
  if (!isRecord(pathsDigest) || typeof pathsDigest["sha256"] !== "string")
    return ["/shard/pathsDigest", "must be a sha256 digest set"];
  return null;
}

/** The path-set digest of a shard or of the manifest (./path-set.ts). */
function pathSetProblem(owner: Record<string, unknown>, at: string): [string, string] | null {
  const pathSet = owner["pathSet"];
  if (
    !isRecord(pathSet) ||
    pathSet["algorithm"] !== PATH_SET_ALGORITHM ||
    typeof pathSet["sum"] !== "string" ||
    !isSHA256Hex(pathSet["sum"])
  )
    return [
      `${at}/pathSet`,
      `must be {"algorithm": "${PATH_SET_ALGORITHM}", "sum": <64 hex digits>}`,
    ];
  return null;
}

/** The first problem found, as [JSON pointer under /predicate, what is wrong], or null. */
function problemOf(p: Readonly<Record<string, unknown>>): [string, string] | null {
  if (p["kind"] !== "verify" && p["kind"] !== "drill")
    return ["/kind", 'must be "verify" or "drill"'];
  const manifest = p["manifest"];
  if (!isRecord(manifest)) return ["/manifest", "must be an object"];
  const digest = manifest["digest"];
  if (!isRecord(digest) || typeof digest["sha256"] !== "string" || !isSHA256Hex(digest["sha256"]))
    return ["/manifest/digest", "must be a sha256 digest set"];
  for (const field of ["artifacts", "bytes"])
    if (!isCount(manifest[field])) return [`/manifest/${field}`, "must be a whole number"];
  const shard = p["shard"];
  if (!isRecord(shard)) return ["/shard", "must be an object"];
  for (const field of ["index", "count", "artifacts", "bytes"])
    if (!isCount(shard[field])) return [`/shard/${field}`, "must be a whole number"];
  const coverage =
    shard["assignment"] === ASSIGNMENT_RULE_V1
      ? listedProblem(shard)
      : shard["assignment"] === ASSIGNMENT_RULE
        ? (pathSetProblem(shard, "/shard") ?? pathSetProblem(manifest, "/manifest"))
        : ([
            "/shard/assignment",
            `must be a rule this version knows (${ASSIGNMENT_RULE} or ${ASSIGNMENT_RULE_V1})`,
          ] as [string, string]);
  if (coverage !== null) return coverage;
  if (p["checked"] !== null && !isRecord(p["checked"]))
    return ["/checked", "must be an object or null"];
  if (!Array.isArray(p["checks"])) return ["/checks", "must be an array"];
  const findings = p["findings"];
  if (
    !Array.isArray(findings) ||
    !findings.every(
      (f) => isRecord(f) && typeof f["code"] === "string" && typeof f["message"] === "string",
    )
  )
    return ["/findings", "must be an array of findings"];
  if (typeof p["verdict"] !== "string" || !VERDICTS.includes(p["verdict"]))
    return ["/verdict", "must be a verdict"];
  for (const field of ["startedAt", "finishedAt"])
    if (typeof p[field] !== "string" || Number.isNaN(Date.parse(p[field])))
      return [`/${field}`, "must be an RFC 3339 time"];
  return null;
}

export function readShardReport(input: Input): Checked<ShardReportView> {
  const problem = problemOf(input.predicate);
  if (problem !== null) {
    const [pointer, message] = problem;
    return failed(
      createFinding("document_invalid", {
        subject: `${input.file}#/predicate${pointer}`,
        message: `${input.file}: the shard report's /predicate${pointer} ${message}; is it a shard report written by recoverable verify or drill --shard?`,
      }),
    );
  }
  const p = input.predicate as unknown as Omit<
    ShardReportView,
    "file" | "keyId" | "releaseId" | "releaseIdentity"
  >;
  return ok({
    file: input.file,
    keyId: input.keyId,
    releaseId: input.releaseId,
    releaseIdentity: { sha256: input.releaseIdentity },
    kind: p.kind,
    manifest: p.manifest,
    shard: p.shard,
    checked: p.checked,
    checks: p.checks,
    findings: p.findings,
    verdict: p.verdict,
    startedAt: p.startedAt,
    finishedAt: p.finishedAt,
  });
}
