// gate's plan (pure): the flags and the drill config say where the trusted keys and the reports
// are; with what was loaded from there, every input problem is said at once, or the gate has
// what it decides on.
import { resolve } from "node:path";
import type { Evidence, EvidenceFiles } from "../documents/identity-chain.js";
import type { LoadedEvidence } from "../documents/load-evidence.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { OpenedReport } from "../gate/decide-gate.js";
import type { HighWaterMark } from "../policy/rules.js";
import type { TrustedKey } from "../report/trusted-reports.js";
import { displayPath } from "../util/display-path.js";
import type { Context } from "./evidence-context.js";

export type GateFlags = {
  /** --key: trusted public keys, besides the drill config's reports.trustedKeys. */
  readonly keys?: readonly string[];
  /** --report: envelopes named on the command line. */
  readonly reports?: readonly string[];
  /** --reports: the folder searched for *.dsse.json (default: the config's reports.dir). */
  readonly reportsDir?: string;
  /** --threshold: how many reports, each by a different trusted key (default 1). */
  readonly threshold?: number | string;
  readonly allowDowngrade?: boolean;
};

/** Where gate reads from. */
export type GateSources = {
  readonly keyPaths: readonly string[];
  readonly reportsDir: string;
  /** The --report files, resolved. */
  readonly named: readonly string[];
  readonly stateDir: string;
  readonly evidence: EvidenceFiles;
};

export type GateLoaded = {
  readonly keys: readonly TrustedKey[];
  readonly keyFindings: readonly ClassifiedFinding[];
  readonly opened: readonly OpenedReport[];
  /** The problems of the reports named by --report: bad input. */
  readonly reportFindings: readonly ClassifiedFinding[];
  readonly evidence: LoadedEvidence;
  /** The high-water mark, none, or the finding of a damaged one. */
  readonly mark: Checked<HighWaterMark | null>;
};

export type GatePlan = {
  readonly threshold: number;
  readonly allowDowngrade: boolean;
  readonly evidence: Evidence;
  readonly files: EvidenceFiles;
  readonly keyCount: number;
  readonly opened: readonly OpenedReport[];
  readonly mark: Checked<HighWaterMark | null>;
  /** Where the reports were looked for, as a drill requirement that fails says. */
  readonly searched: string;
};

export function parseThreshold(value: number | string | undefined): number | null {
  if (value === undefined) return 1;
  const n = typeof value === "number" ? value : /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 0;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

export function gateSourcesOf(flags: GateFlags, context: Context): GateSources {
  const { cwd, config } = context;
  return {
    keyPaths: [...(flags.keys ?? []).map((k) => resolve(cwd, k)), ...config.trustedKeys],
    reportsDir: flags.reportsDir === undefined ? config.reportsDir : resolve(cwd, flags.reportsDir),
    named: (flags.reports ?? []).map((r) => resolve(cwd, r)),
    stateDir: config.stateDir,
    evidence: context.evidence,
  };
}

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

function flagFindings(flags: GateFlags, sources: GateSources): ClassifiedFinding[] {
  const findings: ClassifiedFinding[] = [];
  if (parseThreshold(flags.threshold) === null)
    findings.push(
      usage("--threshold", `--threshold ${String(flags.threshold)} is not a whole number >= 1`),
    );
  if (sources.keyPaths.length === 0)
    findings.push(
      usage(
        "--key",
        "no trusted key: pass --key <drill.pub> (repeatable) or set reports.trustedKeys in the drill config",
      ),
    );
  return findings;
}

export function planGate(
  flags: GateFlags,
  sources: GateSources,
  loaded: GateLoaded,
): Checked<GatePlan> {
  const { evidence } = loaded;
  const findings = [
    ...flagFindings(flags, sources),
    ...loaded.keyFindings,
    ...loaded.reportFindings,
    ...(evidence.ok ? [] : evidence.findings),
  ];
  const threshold = parseThreshold(flags.threshold);
  if (findings.length > 0 || threshold === null || !evidence.ok) return failedWith(findings);
  const withNamed = sources.named.length > 0 ? " and at the --report files" : "";
  return ok({
    threshold,
    allowDowngrade: flags.allowDowngrade ?? false,
    evidence: evidence.evidence,
    files: evidence.files,
    keyCount: loaded.keys.length,
    opened: loaded.opened,
    mark: loaded.mark,
    searched: `looked in ${displayPath(sources.reportsDir)}${withNamed}`,
  });
}
