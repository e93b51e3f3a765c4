// Checks a store root against its manifest, read-only: presence by role, kind, size, sha256,
// SQLite integrity and content, JSON parse; then anything the manifest does not list.
// Every failure is reported, not the first one. The checks are ./artifact-checks.ts, scheduled
// over the manifest by ./check-windows.ts.
import type { Manifest } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { WrittenFile } from "./file-digest.js";
import type { ProgressReporter } from "../util/progress.js";
import { StorePool } from "./store-pool.js";
import { zeroCounts, type StoreCheckCounts } from "./check-counts.js";
import { findUnlisted } from "./find-unlisted.js";
import { createPathMatcher } from "./path-matcher.js";
import { ArtifactTable, type ArtifactSource } from "../documents/artifact-table.js";
import { windowsOf, type ArtifactWindows } from "../documents/artifact-windows.js";
import { entryTypeAt } from "./walk-store.js";
import type { PGDumpChecker } from "../postgres/session.js";
import { reportUnavailable } from "./check-pgdump.js";
import { checkArtifacts, type CheckTally } from "./check-windows.js";
import type { CheckSurvey } from "./check-order.js";
import type { SampleSpec } from "./sample.js";

export type { CheckName, StoreCheckCounts } from "./check-counts.js";

export type StoreVerification = {
  readonly findings: ClassifiedFinding[];
  readonly checked: StoreCheckCounts;
  /** A sampled run's sample; null when every artifact's content was checked. */
  readonly sample: SampleOutcome | null;
};

/** What a sampled run checked: the rule, and the artifacts whose content it read. */
export type SampleOutcome = SampleSpec & {
  /** Artifacts whose content was checked (the sample, and every durable database). */
  readonly contentChecked: number;
  /** Artifacts checked for their place and size only. */
  readonly placeOnly: number;
  /** The store paths of the content-checked artifacts, sorted. */
  readonly paths: readonly string[];
};

export type VerifyStoreOptions = {
  /** Unlisted entries are errors instead of warnings. */
  readonly strict?: boolean;
  /** Worker threads; default: one per core. */
  readonly concurrency?: number;
  /** Told how many files and bytes are read, as they are. */
  readonly progress?: ProgressReporter;
  /**
   * Digests of files this process has just written (a restore hashes as it writes), by store
   * path: their bytes are not read again. Reading them back right after writing would come
   * from the page cache, not the disk, so it would prove nothing more.
   */
  readonly written?: ReadonlyMap<string, WrittenFile>;
  /**
   * Whether an unlisted entry is this run's to report; a shard reports only its own share, so a
   * stray file is reported by exactly one shard. Default: every entry.
   */
  readonly ownsUnlisted?: (path: string) => boolean;
  /**
   * Everything the release lists, when only some of it is checked (a shard): entries listed
   * here are never strays. Default: the artifacts checked.
   */
  readonly listed?: ArtifactSource | ArtifactWindows;
  /**
   * Restores pg_dump artifacts into PostgreSQL to check their content (verify, drill). Without
   * it (restore), a dump is checked by its bytes only.
   */
  readonly postgres?: PGDumpChecker;
  /** Globs of paths that are not the store's (the drill config's `exclude`): never strays. */
  readonly exclude?: readonly string[];
  /** Check the content of only this share of the artifacts (docs/performance.md). */
  readonly sample?: SampleSpec;
  /**
   * The survey of these very artifacts (with this sample, and no `written`), made by the pass
   * that read them: the store check then reads the manifest once less (./check-order.ts).
   */
  readonly surveyed?: CheckSurvey;
};

/**
 * `manifest` may be the parsed manifest, its artifacts in compact columns (ArtifactTable) when
 * the caller has let the parsed objects go, or the manifest file read a window at a time
 * (ArtifactWindows), so memory does not grow with their number.
 */
export async function verifyStore(
  root: string,
  manifest: Manifest | ArtifactTable | ArtifactWindows,
  options: VerifyStoreOptions = {},
): Promise<StoreVerification> {
  const artifacts: ArtifactWindows =
    manifest instanceof ArtifactTable
      ? windowsOf(manifest)
      : "artifacts" in manifest
        ? windowsOf(manifest.artifacts)
        : manifest;
  const { byRole, byCheck } = zeroCounts();
  const rootType = await entryTypeAt(root);
  if (rootType !== "dir") {
    const finding = createFinding("artifact_missing", {
      subject: root,
      expected: "a directory",
      actual: rootType ?? "absent",
      message: `the store root ${root} ${rootType === null ? "does not exist" : `is a ${rootType}, not a directory`}`,
      hint: "Check --root (or store.root in the drill config); a missing store is never recovered.",
    });
    return { findings: [finding], checked: { artifacts: 0, byRole, byCheck }, sample: null };
  }

  const pool = new StorePool(options.concurrency);
  let tally: CheckTally;
  try {
    const tools = {
      pool,
      written: options.written,
      postgres: options.postgres,
      sample: options.sample,
    };
    tally = await checkArtifacts(root, artifacts, tools, options.progress, options.surveyed);
  } finally {
    await pool.close();
  }
  const findings = tally.findings();
  findings.push(...reportUnavailable(tally.unavailable));
  findings.push(
    ...(await findUnlisted(
      root,
      options.listed ??
        (manifest instanceof ArtifactTable || !("artifacts" in manifest)
          ? manifest
          : manifest.artifacts),
      options.strict ?? false,
      options.ownsUnlisted,
      createPathMatcher(options.exclude ?? []),
    )),
  );
  return {
    findings,
    checked: { artifacts: artifacts.length, byRole: tally.byRole, byCheck: tally.byCheck },
    sample: sampleOutcome(options.sample, tally.sampled, artifacts.length),
  };
}

function sampleOutcome(
  spec: SampleSpec | undefined,
  paths: string[],
  artifacts: number,
): SampleOutcome | null {
  if (spec === undefined) return null;
  paths.sort();
  return { ...spec, contentChecked: paths.length, placeOnly: artifacts - paths.length, paths };
}
