// drill, load: every input the flags name, read once, before anything runs: the drill config
// and evidence paths (./evidence-context.ts), the configured backup's source, the signing key,
// the age identity, the restore source and the four evidence documents. Each input is a value
// or the findings that say why there is none; ./drill-plan.ts judges them all together, so a
// user hears of every bad input at once.
import { readIdentities } from "../archive/age-keys.js";
import { needsSealedSizes } from "../archive/sealed-sizes.js";
import { parseSourceRef, type RestoreSource, type SourceRef } from "../archive/source.js";
import {
  loadReleaseEvidence,
  type ReleaseArtifacts,
  type TabledEvidence,
} from "../documents/load-tabled-evidence.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { loadSignerFrom } from "../report/load-signer.js";
import type { Signer } from "../report/signing.js";
import { openSource } from "../sources/open-source.js";
import { NO_PROGRESS } from "../util/progress.js";
import { secretLocation } from "../util/secret-location.js";
import { configuredBackup, sourceOfBackup } from "./configured-backup.js";
import type { DrillOptions } from "./drill-options.js";
import type { Context } from "./evidence-context.js";

export type DrillInputs = {
  readonly context: Context;
  /** The configured backup's source; null: --source or --live names what to drill. */
  readonly backup: Checked<string> | null;
  /** null: no key given and none configured. */
  readonly signer: Checked<Signer> | null;
  /** The reference of the source to drill; null: none (--live, or no backup to take it from). */
  readonly ref: Checked<SourceRef> | null;
  /** The --identity file, readable and holding identities; null: not given. */
  readonly identity: Checked<string> | null;
  /** The source opened from its reference; null: no usable reference. */
  readonly source: Checked<RestoreSource> | null;
  /**
   * Never the parsed manifest: its artifacts as the file read a window at a time, or in compact
   * columns (--shard, which chooses its share by path, or a manifest not in the walk's order).
   */
  readonly evidence: TabledEvidence<ReleaseArtifacts>;
};

export async function loadDrillInputs(
  options: DrillOptions,
  context: Context,
): Promise<DrillInputs> {
  const { cwd, config } = context;
  const backup = await loadBackupSource(options, context);
  const flagKey = options.key === undefined ? null : secretLocation(cwd, options.key);
  // No key anywhere: the planner says so (NO_KEY), not the reader.
  const signer =
    flagKey === null && config.signingKey === null
      ? null
      : await loadSignerFrom("--key", flagKey, config.signingKey);
  const ref =
    options.source !== undefined
      ? parseSourceRef(options.source, cwd)
      : backup?.ok === true
        ? parseSourceRef(backup.value, config.baseDir)
        : null;
  const identity =
    options.identity === undefined ? undefined : secretLocation(cwd, options.identity);
  const source =
    ref?.ok === true ? openSource(ref.value, identity === undefined ? {} : { identity }) : null;
  // Told to progress: a manifest of a million artifacts takes seconds to read.
  const loading = (options.progress ?? NO_PROGRESS).stage("load evidence");
  // A tar or restic source bounds each member by its sealed size, looked up by path.
  const byPath = options.shard !== undefined || (ref?.ok === true && needsSealedSizes(ref.value));
  const evidence = await loadReleaseEvidence(context.evidence, { table: byPath });
  loading.done(evidence.ok ? "passed" : "failed");
  return { context, backup, signer, ref, identity: await loadIdentity(identity), source, evidence };
}

/** No --source and no --live: the configured backup named by --backup, else the authoritative one. */
async function loadBackupSource(
  options: DrillOptions,
  { config }: Context,
): Promise<Checked<string> | null> {
  if (options.live === true || options.source !== undefined) return null;
  const backup = configuredBackup(config, options.backup);
  if (!backup.ok) return backup;
  const source = await sourceOfBackup(backup.value);
  return typeof source === "string" ? ok(source) : failed(source);
}

/** An identity that cannot be used is bad input: said before any work, not mid-drill. */
async function loadIdentity(location: string | undefined): Promise<Checked<string> | null> {
  if (location === undefined) return null;
  const identities = await readIdentities(location);
  return Array.isArray(identities) ? ok(location) : failed(identities);
}
