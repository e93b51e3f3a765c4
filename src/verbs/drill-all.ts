// drill --all-backups: each backup of the drill config drilled in turn, one signed report each
// in a folder of its own; the run's verdict is the worst of theirs by the contract's
// precedence (unusable input, then not proven, then could not run), and an interrupted drill
// stops the run there.
import { join, resolve } from "node:path";
import { createFinding, type Finding } from "../findings/finding.js";
import { exitCodeOf, type ExitCode, type Verdict } from "../findings/verdict.js";
import { fileNameOf } from "./configured-backup.js";
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

const PRECEDENCE: readonly Verdict[] = ["unusable_input", "not_proven", "could_not_run"];

function worstOf(verdicts: readonly Verdict[]): Verdict {
  return PRECEDENCE.find((v) => verdicts.includes(v)) ?? "proven";
}

export async function drillAllBackups(options: DrillOptions): Promise<DrillAllResult> {
  const fail = (subject: string, message: string) =>
    createResult("drill", [createFinding("usage_invalid", { subject, message })], NO_RELEASE, {
      backups: [],
    });
  for (const [flag, given] of [
    ["--source", options.source],
    ["--live", options.live],
    ["--shard", options.shard],
  ] as const)
    if (given !== undefined && given !== false)
      return fail(flag, `--all-backups drills the backups of the drill config: drop ${flag}`);
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("drill", loaded.findings, NO_RELEASE, { backups: [] });
  const { config, cwd } = loaded.value;
  if (config.backups.length === 0)
    return fail(
      "--all-backups",
      'no backups to drill: list them under "backups" in the drill config ({"name": "nightly", "source": "snapshot:/backups/store#latest", "authoritative": true})',
    );
  const folders = folderNames(config.backups.map((b) => b.name));
  const backups: BackupDrill[] = [];
  let last: DrillResult | null = null;
  for (const [index, backup] of config.backups.entries()) {
    const out =
      options.out === undefined
        ? {}
        : { out: join(resolve(cwd, options.out), folders[index] ?? String(index + 1)) };
    last = await drill({ ...options, ...out, backup: backup.name });
    backups.push({
      name: backup.name,
      source: backup.source ?? `archives in ${backup.archives?.dir ?? "?"}`,
      authoritative: backup.authoritative,
      verdict: last.verdict,
      exitCode: last.exitCode,
      report: last.report,
      rto: last.rto,
      rpo: last.rpo,
      findings: last.findings,
    });
    if (last.exitCode === 130 || last.exitCode === 143) break;
  }
  const verdict = worstOf(backups.map((b) => b.verdict));
  const interrupted = backups.find((b) => b.exitCode === 130 || b.exitCode === 143);
  return {
    verb: "drill",
    verdict,
    exitCode: interrupted?.exitCode ?? exitCodeOf(verdict),
    releaseId: last?.releaseId ?? null,
    releaseIdentity: last?.releaseIdentity ?? null,
    findings: backups.flatMap((b) =>
      b.findings.map((f) => ({ ...f, message: `backup "${b.name}": ${f.message}` })),
    ),
    backups,
  };
}

/** One folder per backup under --out, by its name; a name two backups share gets its number. */
function folderNames(names: readonly string[]): string[] {
  const files = names.map(fileNameOf);
  return files.map((f, i) => (files.indexOf(f) === i ? f : `${f}-${i + 1}`));
}
