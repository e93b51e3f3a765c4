import type { Command } from "commander";
import type { BackupDrill } from "../../verbs/drill-all.js";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { createProgress, progressMode } from "../progress.js";
import { withExamples, type Example } from "../examples.js";
import { withUsage } from "../synopsis.js";
import { sampleLine } from "../../report/sample-line.js";
import { currentRunScope } from "../../util/run-scope.js";
import type { Objective } from "../../documents/drill-report.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable drill --source dir:ops/store",
    says: "drill the example with its own store directory as the backup, signed with signing.key of ops/drill.json (what `npm start` runs)",
  },
  {
    command: "recoverable drill --source tar:/tmp/atlas.tar.gz --out /tmp/atlas-drill",
    says: "drill the archive `snapshots export` wrote; the five report files go to /tmp/atlas-drill",
  },
  {
    command:
      "recoverable drill --source snapshot:/tmp/atlas-snapshots#latest --json | jq '{verdict, rto, rpo}'",
    says: "drill the newest valid snapshot and print the verdict, RTO and RPO",
  },
];

type DrillFlags = GlobalFlags & {
  source?: string;
  scratch?: string;
  key?: string;
  out?: string;
  keep?: boolean;
  live?: boolean;
  root?: string;
  url?: string;
  ops?: string;
  identity?: string;
  allowDowngrade?: boolean;
  shard?: string;
  allBackups?: boolean;
  scenario?: string;
  sample?: string;
  seed?: string;
};

function describeObjective(objective: Objective): string {
  const target =
    objective.targetSeconds === null ? "no target" : `target ${objective.targetSeconds}s`;
  if (objective.seenSeconds === null) return `not measured (${target})`;
  return `${objective.seenSeconds}s (${target}) ${objective.status}`;
}

function describeBackupDrill(backup: BackupDrill): string {
  const mark = backup.verdict === "proven" ? "✔" : "✘";
  const report = backup.report?.envelope ?? "no signed report";
  return `${mark} ${backup.name}${backup.authoritative ? " (authoritative)" : ""}: ${backup.verdict.replace("_", " ")}, ${report}`;
}

export function registerDrill(program: Command): void {
  withUsage(
    withExamples(withGlobalOptions(program.command("drill")), EXAMPLES),
    "[--source <src> | --all-backups | --live --root <store> --url <base URL>] [options]",
  )
    .description(
      "the whole recovery drill: restore into scratch, verify, start the service, probe, measure, sign the report",
    )
    .option(
      "--source <src>",
      "dir:<path>, tar:<path> (.tar, .tar.gz, .tgz; .age needs --identity), snapshot:<repo>#<id|latest|label> or restic:<repository>#<id|latest> (default: the authoritative backup of the drill config's backups)",
    )
    .option(
      "--all-backups",
      "drill each backup of the drill config's backups in turn, one signed report each (under --out, a folder per backup); exits with the worst verdict",
    )
    .option(
      "--identity <file>",
      "an age identity file (age-keygen output, AGE-SECRET-KEY-1...), or env:NAME for those lines in the variable NAME, that decrypts a tar:<path>.age source (a passphrase-encrypted one, age -p, decrypts with $RECOVERABLE_AGE_PASSPHRASE instead)",
    )
    .option(
      "--scratch <dir>",
      "the directory in which the drill makes its own recoverable-drill-* scratch directory (default: the system temp directory); removed afterwards unless --keep",
    )
    .option(
      "--key <file>",
      "the Ed25519 private key (PKCS#8 PEM) that signs the report, or env:NAME for its PEM text in the variable NAME (default: signing.key of the drill config)",
    )
    .option(
      "--out <dir>",
      "where the report files go (default <reports.dir of the drill config, else drill-reports>/<release>-<time>)",
    )
    .option("--keep", "keep the restored scratch store")
    .option(
      "--allow-downgrade",
      "drill a release older than the newest one proven for this store (only when the rollback policy allows downgrades); recorded in the report",
    )
    .option(
      "--shard <i/n>",
      "restore the whole backup but check only shard i of n (1-based); shard 1 alone runs the service and probes; signs a shard report for `report merge`",
    )
    .option(
      "--scenario <name>",
      "judge RTO and RPO against this failure scenario of the rollback policy (its scenarios table) instead of its objectives",
    )
    .option(
      "--sample <fraction>",
      "check the content of only this share of the artifacts (5% or 0.05; durable databases always in full), every artifact's place and size still; the signed report says so, and gate counts it only when the policy allows sampled drills (drills.allowSampled)",
    )
    .option(
      "--seed <n>",
      "with --sample: which share, as a whole number; consecutive seeds cover the whole store (default: the day number, so daily runs rotate)",
    )
    .option("--live", "prove a store and service that are already up: needs --root and --url")
    .option("--root <store>", "with --live: the store root serving now")
    .option("--url <base URL>", "with --live: the service's base URL")
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .action(async (flags: DrillFlags) => {
      const options = {
        ...definedOnly({
          config: flags.config,
          ops: flags.ops,
          source: flags.source,
          scratch: flags.scratch,
          key: flags.key,
          out: flags.out,
          keep: flags.keep,
          live: flags.live,
          root: flags.root,
          url: flags.url,
          identity: flags.identity,
          allowDowngrade: flags.allowDowngrade,
          shard: flags.shard,
          scenario: flags.scenario,
          sample: flags.sample,
          seed: flags.seed,
          // Interrupted, the drill stops what it started and ends with its result (130, 143).
          signal: currentRunScope()?.adopt(),
        }),
        progress: createProgress(progressMode(flags)),
      };
      if (flags.allBackups) {
        const { drillAllBackups } = await import("../../verbs/drill-all.js");
        const all = await drillAllBackups(options);
        emit(all, flags, all.backups.map(describeBackupDrill));
        return;
      }
      const { drill } = await import("../../verbs/drill.js");
      const result = await drill(options);
      const summary: string[] = result.stages.map(
        (s) =>
          `${s.status === "passed" ? "✔" : s.status === "failed" ? "✘" : "·"} ${s.name.padEnd(22)} ${(s.durationMs / 1000).toFixed(2)}s`,
      );
      if (result.scenario !== undefined)
        summary.push(
          `scenario ${result.scenario.name}: RTO target ${result.scenario.rto}, RPO target ${result.scenario.rpo}`,
        );
      for (const [name, objective] of [
        ["RTO", result.rto],
        ["RPO", result.rpo],
      ] as const) {
        if (objective) summary.push(`${name} ${describeObjective(objective)}`);
      }
      if (result.pinned !== undefined) summary.push(result.pinned);
      if (result.sample) summary.push(sampleLine(result.sample));
      if (result.shard)
        summary.unshift(
          `shard ${result.shard.index}/${result.shard.count}: ${result.shard.artifacts} artifacts, ${result.shard.bytes} bytes`,
        );
      if (result.report?.envelope && result.shard) {
        summary.push(`signed shard report: ${result.report.envelope}`);
        summary.push(
          `merge them:    recoverable report merge <all ${result.shard.count} shard-*-of-${result.shard.count}.dsse.json> --key <drill.pub>`,
        );
      } else if (result.report?.envelope) {
        summary.push(`signed report: ${result.report.envelope}`);
        summary.push(
          `check it:      recoverable report verify ${result.report.envelope} --key <drill.pub> --release ${result.releaseIdentity?.sha256 ?? ""}`,
        );
      }
      emit(result, flags, summary);
    });
}
