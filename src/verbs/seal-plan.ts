// seal's plan (pure): the flags, SOURCE_DATE_EPOCH and the loaded drill config in; the release,
// the store root, the evidence paths and the time seal writes out, or every finding about them.
import type { DrillConfig } from "../documents/drill-config.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { storeRootOf, type Context } from "./evidence-context.js";

export type SealFlags = {
  readonly releaseId: string;
  readonly releaseVersion: string;
  readonly root?: string;
  /** The SOURCE_DATE_EPOCH of the environment, when set. */
  readonly sourceDateEpoch?: string;
};

export type SealTime = {
  /** When seal started: SOURCE_DATE_EPOCH when set, else the clock. */
  readonly date: Date;
  /** SOURCE_DATE_EPOCH as given, or null: then the provenance records the real finish time. */
  readonly epoch: string | null;
};

export type SealPlan = {
  readonly releaseId: string;
  readonly releaseVersion: string;
  readonly root: string;
  readonly config: DrillConfig;
  readonly paths: EvidenceFiles;
  readonly time: SealTime;
};

const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function usage(
  subject: string,
  expected: string,
  actual: string,
  message: string,
): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, expected, actual, message });
}

/** RFC 3339 in UTC without fractions, as every recoverable timestamp. */
export function toTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** SOURCE_DATE_EPOCH (reproducible builds) fixes every time seal writes. */
export function sealTimeOf(epoch: string | undefined, now: Date): Checked<SealTime> {
  if (epoch === undefined || epoch === "") return ok({ date: now, epoch: null });
  if (/^\d{1,12}$/.test(epoch)) return ok({ date: new Date(Number(epoch) * 1000), epoch });
  return failedWith([
    usage(
      "SOURCE_DATE_EPOCH",
      "whole seconds since 1970",
      epoch,
      `SOURCE_DATE_EPOCH=${epoch} is not a whole number of seconds`,
    ),
  ]);
}

function releaseFindings(flags: SealFlags): ClassifiedFinding[] {
  const findings: ClassifiedFinding[] = [];
  if (!RELEASE_ID.test(flags.releaseId)) {
    findings.push(
      usage(
        "--release-id",
        "letters, digits, . _ - (at most 128)",
        flags.releaseId,
        `--release-id ${JSON.stringify(flags.releaseId)} is not a usable release id`,
      ),
    );
  }
  if (!SEMVER.test(flags.releaseVersion)) {
    findings.push(
      usage(
        "--release-version",
        "a semantic version like 2026.11.1",
        flags.releaseVersion,
        `--release-version ${JSON.stringify(flags.releaseVersion)} is not semver`,
      ),
    );
  }
  return findings;
}

/**
 * Every problem with the flags is said at once, with the config's when it did not load; the
 * store root is looked for only in a config that did.
 */
export function planSeal(
  flags: SealFlags,
  context: Checked<Context>,
  now: Date,
): Checked<SealPlan> {
  const time = sealTimeOf(flags.sourceDateEpoch, now);
  const findings = [...releaseFindings(flags), ...(time.ok ? [] : time.findings)];
  if (!context.ok) return failedWith([...findings, ...context.findings]);
  const root = storeRootOf(context.value, flags.root);
  if (!root.ok) findings.push(...root.findings);
  if (findings.length > 0 || !root.ok || !time.ok) return failedWith(findings);
  return ok({
    releaseId: flags.releaseId,
    releaseVersion: flags.releaseVersion,
    root: root.value,
    config: context.value.config,
    paths: context.value.evidence,
    time: time.value,
  });
}
