// drill: the whole recovery drill, from a backup (or a live store and URL) to a signed report.
import { join, resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf } from "../identity/chain.js";
import { raiseMarkAfter, runDrill, type DrillMode } from "../drill/drill.js";
import { findingOfError } from "../findings/errors.js";
import { writeDrillOutputs, type ReportPaths } from "../drill/outputs.js";
import type { Objective, StageRecord } from "../report/drill-report.js";
import { loadSigner } from "../report/load-signer.js";
import { readIdentities } from "../sources/age.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef } from "../sources/source.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { compactUTC } from "../util/compact-time.js";

export type DrillOptions = CommonOptions & {
  readonly source?: string;
  readonly scratch?: string;
  /** An age identity file, for `.age` archives. */
  readonly identity?: string;
  readonly key?: string;
  readonly out?: string;
  readonly keep?: boolean;
  /** Drill a release below the store's high-water mark, when the policy allows downgrades. */
  readonly allowDowngrade?: boolean;
  readonly live?: boolean;
  readonly url?: string;
  readonly now?: () => Date;
};

export type DrillResult = VerbResult<{
  report: ReportPaths | null;
  rto: Objective | null;
  rpo: Objective | null;
  stages: readonly StageRecord[];
  scratchKept: string | null;
}>;

const NONE = { report: null, rto: null, rpo: null, stages: [], scratchKept: null };

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

export async function drill(options: DrillOptions): Promise<DrillResult> {
  const now = options.now ?? (() => new Date());
  const fail = (findings: ClassifiedFinding[]) => createResult("drill", findings, NO_RELEASE, NONE);
  // 1. Load and validate everything before any work.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail(loaded.findings);
  const { cwd, config } = loaded.context;
  const inputFindings: ClassifiedFinding[] = [];
  if (options.live && (options.root === undefined || options.url === undefined))
    inputFindings.push(usage("--live", "--live needs --root <store> and --url <base URL>"));
  if (!options.live && options.source === undefined)
    inputFindings.push(
      usage(
        "--source",
        "no source: pass --source dir:<path>, tar:<path>, snapshot:<repo>#latest or restic:<repository>#latest (or --live with --root and --url)",
      ),
    );
  const keyPath = options.key === undefined ? config.signingKey : resolve(cwd, options.key);
  if (keyPath === null)
    inputFindings.push(
      usage(
        "--key",
        "no signing key: pass --key <drill.key> or set signing.key in the drill config (make one with `recoverable keygen`)",
      ),
    );
  const signer = keyPath === null ? null : await loadSigner(keyPath);
  if (signer !== null && "code" in signer) inputFindings.push(signer);
  const ref = options.source === undefined ? null : parseSourceRef(options.source, cwd);
  if (ref !== null && "code" in ref) inputFindings.push(ref);
  const sourceOptions =
    options.identity === undefined ? {} : { identityFile: resolve(cwd, options.identity) };
  // An identity file that cannot be used is bad input: say so before any work, not mid-drill.
  if (sourceOptions.identityFile !== undefined) {
    const identities = await readIdentities(sourceOptions.identityFile);
    if (!Array.isArray(identities)) inputFindings.push(identities);
  }
  if (!options.live && (options.root !== undefined || options.url !== undefined))
    inputFindings.push(
      usage(
        options.url === undefined ? "--root" : "--url",
        "--root and --url are for --live (a store and service already up); a restore drill takes --source",
      ),
    );
  if (options.live && options.source !== undefined)
    inputFindings.push(
      usage("--source", "--live proves what is already up and restores nothing: drop --source"),
    );
  const source = ref === null || "code" in ref ? null : openSource(ref, sourceOptions);
  if (source !== null && "code" in source) inputFindings.push(source);
  const evidence = await loadEvidence(loaded.context.evidence);
  if (!evidence.ok) inputFindings.push(...evidence.findings);
  if (inputFindings.length > 0 || !evidence.ok || signer === null || "code" in signer)
    return fail(inputFindings);

  // 2. The drill itself.
  let mode: DrillMode;
  if (options.live && options.root !== undefined && options.url !== undefined)
    mode = { kind: "live", root: resolve(cwd, options.root), url: options.url };
  else if (source !== null && !("code" in source))
    mode = {
      kind: "restore",
      source,
      scratchParent: options.scratch === undefined ? null : resolve(cwd, options.scratch),
      keep: options.keep ?? false,
    };
  else return fail(inputFindings);
  const plan = {
    evidence: evidence.evidence,
    files: evidence.files,
    config,
    mode,
    allowDowngrade: options.allowDowngrade ?? false,
    now,
  };
  const outcome = await runDrill(plan);

  // 3. Write and sign the outputs, whatever the verdict.
  const outDir =
    options.out === undefined
      ? join(config.reportsDir, `${evidence.evidence.packet.release.id}-${compactUTC(now())}`)
      : resolve(cwd, options.out);
  const paths = await writeDrillOutputs(outcome.report, outDir, signer);
  // 4. Only now, with the signed report safe, a proven drill raises the high-water mark.
  const findings = [...outcome.findings];
  try {
    await raiseMarkAfter(plan, outcome.report);
  } catch (error) {
    findings.push(findingOfError(error));
  }
  return createResult(
    "drill",
    findings,
    {
      releaseId: evidence.evidence.packet.release.id,
      releaseIdentity: releaseIdentityOf(evidence.evidence.packet),
    },
    {
      report: paths,
      rto: outcome.report.rto,
      rpo: outcome.report.rpo,
      stages: outcome.report.stages,
      scratchKept: outcome.scratchKept,
    },
  );
}
