// restore: bring a store root back from a source into a target, verified before it is swapped
// in, with a safety copy of what was there. `--recover` only finishes what an interrupted
// restore of the target left; `--undo` puts the newest safety copy back. The verb chains the
// request (restore/request.ts), the loader (restore/load.ts) and the runners (restore/run.ts,
// restore/undo.ts), and builds the result.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { ClassifiedFinding } from "../findings/finding.js";
import { EMPTY_RESTORE, type RestoreFields } from "../restore/fields.js";
import { loadRestore } from "../restore/load.js";
import { recoverTarget } from "../restore/recover-target.js";
import {
  modeOf,
  selectArtifacts,
  type RestoreFlags,
  type RestoreMode,
} from "../restore/request.js";
import { ok } from "../findings/checked.js";
import { tableOf, type ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import { dryRunRestore, runRestore, type Ran } from "../restore/run.js";
import { undoRestore } from "../restore/undo.js";
import { renameExchange } from "../util/rename-exchange.js";
import { loadContext, type CommonOptions, type Context } from "./evidence-context.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";

export type RestoreOptions = Omit<CommonOptions, "root"> &
  RestoreFlags & {
    readonly scratch?: string;
    /** An age identity file, for `.age` archives. */
    readonly identity?: string;
    /** Restore a release below the store's high-water mark, when the policy allows downgrades. */
    readonly allowDowngrade?: boolean;
    readonly now?: () => Date;
    /**
     * Interrupts the restore when it aborts before the swap: it gives up extracting or verifying,
     * removes its scratch tree, releases the lock, leaves the target as it was, and its result
     * has the `interrupted` finding. Once the swap is journaled it runs to its end. The CLI
     * passes one that SIGINT and SIGTERM abort; the library never handles a signal itself, and
     * a restore killed outright is finished or rolled back by the next restore of the target.
     */
    readonly signal?: AbortSignal;
    /**
     * @deprecated Ignored: a library restore never handles a signal itself. Pass `signal` (an
     * AbortSignal your own SIGINT/SIGTERM handler aborts) instead. Kept so callers still compile.
     */
    readonly exitOnSignal?: boolean;
  };

export type { RestoreFields };
export type RestoreResult = VerbResult<RestoreFields>;

function resultOf(ran: Ran, release: Release = NO_RELEASE): RestoreResult {
  return createResult("restore", ran.findings, release, { ...EMPTY_RESTORE, ...ran.fields });
}

const failure = (findings: readonly ClassifiedFinding[]): Ran => ({ findings, fields: {} });

export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const loaded = await loadContext(options);
  if (!loaded.ok) return resultOf(failure(loaded.findings));
  const mode = modeOf(options);
  if (!mode.ok) return resultOf(failure(mode.findings));
  const context = loaded.value;
  const scratchDir = options.scratch === undefined ? null : resolve(context.cwd, options.scratch);
  switch (mode.value.kind) {
    case "recover": {
      const evidence = Object.values(context.evidence);
      const done = await recoverTarget(options.target, context.cwd, evidence, scratchDir);
      return resultOf({ findings: done.findings, fields: { recovered: done.recovered } });
    }
    case "undo":
      return resultOf(
        await undoRestore({
          target: options.target,
          cwd: context.cwd,
          evidence: Object.values(context.evidence),
          dryRun: mode.value.dryRun,
          now: (options.now ?? (() => new Date()))(),
        }),
      );
    case "restore":
      return restoreFrom(options, context, mode.value, scratchDir);
  }
}

/** What a running restore is told as it goes: its progress and its interruption. */
const live = (options: RestoreOptions) => ({
  ...(options.progress ? { progress: options.progress } : {}),
  ...(options.signal ? { signal: options.signal } : {}),
});

/** --only: the artifacts it selects, from the compact columns --only loads; null: every one. */
async function selectionOf(only: readonly string[], artifacts: ReleaseArtifacts) {
  return only.length === 0 ? ok(null) : selectArtifacts(only, await tableOf(artifacts));
}

/** Load, plan and run a restore from a source (or its dry run). */
async function restoreFrom(
  options: RestoreOptions,
  context: Context,
  mode: Extract<RestoreMode, { kind: "restore" }>,
  scratchDir: string | null,
): Promise<RestoreResult> {
  const now = (options.now ?? (() => new Date()))();
  const loading = await loadRestore({
    ...context,
    stateDir: context.config.stateDir,
    source: mode.source,
    target: options.target,
    scratchDir,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    now,
    allowDowngrade: options.allowDowngrade ?? false,
    byPath: mode.only.length > 0,
  });
  const release = loading.release ?? NO_RELEASE;
  const withPolicy = (ran: Ran) =>
    resultOf({ ...ran, fields: { policy: loading.policy, ...ran.fields } }, release);
  if (!loading.loaded.ok) return withPolicy(failure(loading.loaded.findings));
  const { ref, source, target, artifacts } = loading.loaded.value;
  const selected = await selectionOf(mode.only, artifacts);
  if (!selected.ok) return withPolicy(failure(selected.findings));
  const planned = {
    ...{ source: ref.text, target, now, setAsideUnlisted: mode.setAsideUnlisted },
    ...(scratchDir === null ? {} : { scratchDir }),
    ...{ nonce: randomBytes(3).toString("hex"), exchange: renameExchange() !== null },
  };
  const run = {
    force: mode.force,
    scratchDir,
    artifacts,
    selected: selected.value,
    ...live(options),
  };
  if (mode.dryRun) return withPolicy(await dryRunRestore(planned, run));
  return withPolicy(await runRestore(planned, source, run));
}
