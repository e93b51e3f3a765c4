// drill --all-backups: each backup of the drill config drilled in turn, one signed report each
// in a folder of its own; the run's verdict is the worst of theirs by the contract's
// precedence (unusable input, then not proven, then could not run), and an interrupted drill
// stops the run there. Load the drill config, plan one drill per backup (pure), run them.
import { join, resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { createFinding, type Finding } from "../findings/finding.js";
import { exitCodeOf, type ExitCode, type Verdict } from "../findings/verdict.js";
import { fileNameOf, type ConfiguredBackup } from "./configured-backup.js";
import { drill, type DrillOptions, type DrillResult } from "./drill.js";
import { loadContext } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type BackupDrill = {
  readonly name: string;
  readonly source: string;
  readonly authoritative: boolean;
  readonly verdict: Verdict;
  readonly exitCode: ExitCode;
  readonly report: DrillResult["report"];
  readonly rto: DrillResult["rto"];
  readonly rpo: DrillResult["rpo"];
  readonly findings: readonly Finding[];
};

export type DrillAllResult = VerbResult<{ backups: BackupDrill[] }>;

/** One drill of the run: the backup, and the options its drill is given. */
export type PlannedBackupDrill = {
  readonly backup: ConfiguredBackup;
  readonly options: DrillOptions;
};

const PRECEDENCE: readonly Verdict[] = ["unusable_input", "not_proven", "could_not_run"];

function worstOf(verdicts: readonly Verdict[]): Verdict {
  return PRECEDENCE.find((v) => verdicts.includes(v)) ?? "proven";
}

function usage(subject: string, message: string) {
  return createFinding("usage_invalid", { subject, message });
}

const isInterrupted = (code: ExitCode) => code === 130 || code === 143;

export async function drillAllBackups(options: DrillOptions): Promise<DrillAllResult> {
  const none = { backups: [] };
  const flags = flagsOfAll(options);
  if (!flags.ok) return createResult("drill", [...flags.findings], NO_RELEASE, none);
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("drill", loaded.findings, NO_RELEASE, none);
  const planned = planAllBackups(options, loaded.value.config, loaded.value.cwd);
  if (!planned.ok) return createResult("drill", [...planned.findings], NO_RELEASE, none);
  const backups: BackupDrill[] = [];
  let last: DrillResult | null = null;
  for (const { backup, options: given } of planned.value) {
    last = await drill(given);
    backups.push(backupDrillOf(backup, last));
    if (isInterrupted(last.exitCode)) break;
  }
  return resultOf(backups, last);
}

/** --source, --live and --shard name one drill: not a run of all the backups. */
export function flagsOfAll(options: DrillOptions): Checked<null> {
  for (const [flag, given] of [
    ["--source", options.source],
    ["--live", options.live],
    ["--shard", options.shard],
  ] as const)
    if (given !== undefined && given !== false)
      return failed(
        usage(flag, `--all-backups drills the backups of the drill config: drop ${flag}`),
      );
  return ok(null);
}

/** One drill per backup (pure), each under --out in a folder of its own when --out is given. */
export function planAllBackups(
  options: DrillOptions,
  config: DrillConfig,
  cwd: string,
): Checked<PlannedBackupDrill[]> {
  if (config.backups.length === 0)
    return failed(
      usage(
        "--all-backups",
        'no backups to drill: list them under "backups" in the drill config ({"name": "nightly", "source": "snapshot:/backups/store#latest", "authoritative": true})',
      ),
    );
  const folders = folderNames(config.backups.map((b) => b.name));
  return ok(
    config.backups.map((backup, index) => {
      const folder = folders[index] ?? String(index + 1);
      const out = options.out === undefined ? {} : { out: join(resolve(cwd, options.out), folder) };
      return { backup, options: { ...options, ...out, backup: backup.name } };
    }),
  );
}

function backupDrillOf(backup: ConfiguredBackup, result: DrillResult): BackupDrill {
  return {
    name: backup.name,
    source: backup.source ?? `archives in ${backup.archives?.dir ?? "?"}`,
    authoritative: backup.authoritative,
    verdict: result.verdict,
    exitCode: result.exitCode,
    report: result.report,
    rto: result.rto,
    rpo: result.rpo,
    findings: result.findings,
  };
}

function resultOf(backups: readonly BackupDrill[], last: DrillResult | null): DrillAllResult {
  const verdict = worstOf(backups.map((b) => b.verdict));
  const interrupted = backups.find((b) => isInterrupted(b.exitCode));
  return {
    verb: "drill",
    verdict,
    exitCode: interrupted?.exitCode ?? exitCodeOf(verdict),
    releaseId: last?.releaseId ?? null,
    releaseIdentity: last?.releaseIdentity ?? null,
    findings: backups.flatMap((b) =>
      b.findings.map((f) => ({ ...f, message: `backup "${b.name}": ${f.message}` })),
    ),
    backups: [...backups],
  };
}

/** One folder per backup under --out, by its name; a name two backups share gets its number. */
function folderNames(names: readonly string[]): string[] {
  const files = names.map(fileNameOf);
  return files.map((f, i) => (files.indexOf(f) === i ? f : `${f}-${i + 1}`));
}
