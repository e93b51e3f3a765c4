// report merge's plan (pure): the flags, the drill config, the trusted key, the signing key and
// every envelope as loaded in; what to merge and where the merged report goes, or every problem.
import { resolve } from "node:path";
import { allChecked, failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { isSHA256Hex } from "../identity/digest.js";
import type { Signer } from "../report/signing.js";
import type { TrustedKey } from "../report/trusted-reports.js";
import type { Context } from "./evidence-context.js";

export type ReportMergeFlags = {
  /** The release identity (sha256 hex) every shard must be about. */
  readonly release?: string;
  readonly out?: string;
};

/** `E`: what was made of each envelope read (report merge opens each as soon as it is read). */
export type MergeLoaded<E> = {
  readonly key: Checked<TrustedKey>;
  readonly signer: Checked<Signer>;
  readonly envelopes: readonly Checked<E>[];
};

export type MergePlan<E> = {
  readonly release: string | null;
  readonly key: TrustedKey;
  readonly signer: Signer;
  readonly envelopes: readonly E[];
  /** --out, resolved; null: a folder of the reports directory named by release and time. */
  readonly out: string | null;
  readonly reportsDir: string;
};

function releaseFindings(release: string | undefined): ClassifiedFinding[] {
  if (release === undefined || isSHA256Hex(release)) return [];
  return [
    createFinding("usage_invalid", {
      subject: "--release",
      expected: "a sha256 release identity (64 lowercase hex digits)",
      actual: release,
      message: `--release ${JSON.stringify(release)} is not a sha256 release identity`,
    }),
  ];
}

export function planReportMerge<E>(
  flags: ReportMergeFlags,
  context: Context,
  loaded: MergeLoaded<E>,
): Checked<MergePlan<E>> {
  const envelopes = allChecked(loaded.envelopes);
  const { key, signer } = loaded;
  const findings = [
    ...releaseFindings(flags.release),
    ...findingsOf(key),
    ...findingsOf(signer),
    ...findingsOf(envelopes),
  ];
  if (findings.length > 0 || !key.ok || !signer.ok || !envelopes.ok) return failedWith(findings);
  return ok({
    release: flags.release ?? null,
    key: key.value,
    signer: signer.value,
    envelopes: envelopes.value,
    out: flags.out === undefined ? null : resolve(context.cwd, flags.out),
    reportsDir: context.config.reportsDir,
  });
}
