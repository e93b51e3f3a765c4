// verify: documents, then the chain, then the store root, read-only. Restores nothing.
// With --shard i/n it checks one shard of the manifest and writes a signed shard report.
import type { Checked } from "../findings/checked.js";
import { PostgresSession } from "../postgres/session.js";
import { loadSignerFrom } from "../report/load-signer.js";
import type { SignedReportPaths } from "../report/write-signed.js";
import { verifyShard } from "../shard/verify-shard.js";
import { runsToCover } from "../store/sample.js";
import { CheckSurvey } from "../store/check-order.js";
import { ManifestWindows } from "../documents/artifact-windows.js";
import { verifyStore, type SampleOutcome, type StoreCheckCounts } from "../store/verify-store.js";
import { displayPath } from "../util/display-path.js";
import { secretLocation } from "../util/secret-location.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { loadShardEvidence, loadWholeEvidence } from "./verify-evidence.js";
import { planVerify, type VerifyPlan } from "./verify-plan.js";

export type VerifyOptions = CommonOptions & {
  readonly strict?: boolean;
  /** `i/n`: check only shard i of n and write a signed shard report. */
  readonly shard?: string;
  /** With --shard: the private key that signs the shard report. */
  readonly key?: string;
  /** With --shard: where the shard report goes. */
  readonly out?: string;
  /** Check the content of only this share of the artifacts: `5%` or `0.05` (docs/performance.md). */
  readonly sample?: string;
  /** With sample: which window of artifacts (default: the day number, so daily runs rotate). */
  readonly seed?: string | number;
  readonly now?: () => Date;
};

export type ShardSummary = {
  readonly index: number;
  readonly count: number;
  readonly artifacts: number;
  readonly bytes: number;
};

export type VerifyResult = VerbResult<{
  storeRoot: string | null;
  checked: StoreCheckCounts | null;
  /** Only with --sample: what the sample checked. */
  sample?: VerifySample | null;
  /** Only with --shard. */
  shard?: ShardSummary | null;
  report?: SignedReportPaths | null;
}>;

/** A sampled verify's sample, as the result says it. */
export type VerifySample = SampleOutcome & {
  /** How many runs with consecutive seeds check the content of every artifact. */
  readonly runsToCover: number;
};

/** The drill config and where things are; with --shard, the signing key, then the plan. */
async function loadAndPlan(options: VerifyOptions, today: Date): Promise<Checked<VerifyPlan>> {
  const context = await loadContext(options);
  if (!context.ok) return context;
  const { cwd, config } = context.value;
  const signer =
    options.shard === undefined
      ? null
      : await loadSignerFrom(
          "--key",
          options.key === undefined ? null : secretLocation(cwd, options.key),
          config.signingKey,
        );
  return planVerify(options, context.value, signer, today);
}

/** Runs `work` with a PostgreSQL session (a pg_dump is restored into a throwaway server, or postgres.url), stopped when it ends. */
async function withPostgres<T>(
  plan: VerifyPlan,
  work: (postgres: PostgresSession) => Promise<T>,
): Promise<T> {
  const postgres = new PostgresSession(plan.config.postgres, false);
  try {
    return await work(postgres);
  } finally {
    await postgres.close();
  }
}

function storeOptionsOf(plan: VerifyPlan, options: VerifyOptions, postgres: PostgresSession) {
  return {
    strict: plan.strict,
    postgres,
    exclude: plan.config.exclude,
    ...(plan.sample === null ? {} : { sample: plan.sample }),
    ...(options.progress ? { progress: options.progress } : {}),
  };
}

/** The whole store root against the whole manifest. */
async function verifyWhole(plan: VerifyPlan, options: VerifyOptions): Promise<VerifyResult> {
  const storeRoot = displayPath(plan.root);
  const sampled = plan.sample === null ? {} : { sample: null };
  // The pass that checks a streamed manifest surveys it for the store check too.
  const survey = new CheckSurvey(plan.sample ?? undefined);
  const evidence = await loadWholeEvidence(plan.paths, survey.offer.bind(survey));
  if (!evidence.ok)
    return createResult("verify", evidence.findings, NO_RELEASE, {
      storeRoot,
      checked: null,
      ...sampled,
    });
  const { release, chainFindings, artifacts } = evidence.value;
  const surveyed = artifacts instanceof ManifestWindows ? { surveyed: survey } : {};
  const store = await withPostgres(plan, (postgres) =>
    verifyStore(plan.root, artifacts, { ...storeOptionsOf(plan, options, postgres), ...surveyed }),
  );
  const sample = store.sample && {
    ...store.sample,
    runsToCover: runsToCover(store.sample.fraction),
  };
  return createResult("verify", [...chainFindings, ...store.findings], release, {
    storeRoot,
    checked: store.checked,
    ...(sample ? { sample } : {}),
  });
}

/** One shard of the manifest, and its signed report. */
async function verifyOneShard(
  plan: VerifyPlan & { shard: NonNullable<VerifyPlan["shard"]> },
  options: VerifyOptions,
  startedAt: Date,
): Promise<VerifyResult> {
  const storeRoot = displayPath(plan.root);
  const none = { storeRoot, checked: null, shard: null, report: null };
  const { spec, signer, out } = plan.shard;
  const evidence = await loadShardEvidence(plan.paths, spec.count);
  if (!evidence.ok) return createResult("verify", evidence.findings, NO_RELEASE, none);
  const run = await withPostgres(plan, (postgres) =>
    verifyShard({
      ...evidence.value,
      root: plan.root,
      spec,
      signer,
      out,
      reportsDir: plan.config.reportsDir,
      storeOptions: storeOptionsOf(plan, options, postgres),
      startedAt,
      now: options.now ?? (() => new Date()),
    }),
  );
  const { artifacts, bytes } = run.coverage;
  return createResult("verify", run.findings, evidence.value.release, {
    storeRoot,
    checked: run.store.checked,
    shard: { index: spec.index, count: spec.count, artifacts, bytes },
    report: run.report,
  });
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const startedAt = (options.now ?? (() => new Date()))();
  const plan = await loadAndPlan(options, startedAt);
  if (!plan.ok) {
    const none = { storeRoot: null, checked: null, ...(options.sample ? { sample: null } : {}) };
    const fields = options.shard === undefined ? none : { ...none, shard: null, report: null };
    return createResult("verify", plan.findings, NO_RELEASE, fields);
  }
  const { shard } = plan.value;
  return shard === null
    ? verifyWhole(plan.value, options)
    : verifyOneShard({ ...plan.value, shard }, options, startedAt);
}
