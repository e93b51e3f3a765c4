import { InvalidArgumentError, type Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";
import type { DiffResult } from "../../verbs/snapshots-diff.js";

const SNAPSHOTS_EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshots list --repo /tmp/atlas-snapshots",
    says: "the snapshots, newest first",
  },
  {
    command: "recoverable snapshots diff latest --repo /tmp/atlas-snapshots",
    says: "what changed in the live store since the newest snapshot",
  },
  {
    command: "recoverable snapshots prune --repo /tmp/atlas-snapshots --dry-run",
    says: "what the rollback policy's retention would keep and remove",
  },
];

const LIST_EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshots list --repo /tmp/atlas-snapshots",
    says: "one line per snapshot, newest first: id, time, valid or INVALID, size, the release it holds, label",
  },
  {
    command:
      "recoverable snapshots list --repo /tmp/atlas-snapshots --json | jq -r '.snapshots[] | select(.validated) | .id'",
    says: "the ids of the snapshots that validated when they were made",
  },
];

const VALIDATE_EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshots validate latest --repo /tmp/atlas-snapshots",
    says: "read and hash every stored byte of the newest valid snapshot again, check its SQLite files and parse its JSON",
  },
  {
    command: "recoverable snapshots validate nightly --repo /tmp/atlas-snapshots",
    says: "the same for the newest valid snapshot labelled nightly, the one snapshot:/tmp/atlas-snapshots#nightly restores; resolved in --json says which",
  },
  {
    command:
      "recoverable snapshots validate $(recoverable snapshots list --repo /tmp/atlas-snapshots --json | jq -r '.snapshots[-1].id') --repo /tmp/atlas-snapshots",
    says: "the same for the oldest snapshot, before you trust it for a rollback",
  },
];

const DIFF_EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshots diff latest --repo /tmp/atlas-snapshots",
    says: "what changed in the example store since the newest snapshot: exactly what restoring it would lose",
  },
  {
    command:
      "recoverable snapshots diff nightly dir:/tmp/atlas-restored --repo /tmp/atlas-snapshots --json | jq .changes",
    says: "what differs in another directory from the newest valid snapshot labelled nightly (as `zfs diff pool@snap` for a ZFS snapshot), as JSON: added, removed and modified paths, and the tables whose rows changed",
  },
  {
    command: "recoverable snapshots diff snapshot:/tmp/atlas-snapshots#nightly latest",
    says: "what changed between two snapshots, the tables read from the stored bytes",
  },
];

const PRUNE_EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshots prune --repo /tmp/atlas-snapshots --dry-run",
    says: "what the retention of the example's rollback policy would keep and remove; changes nothing",
  },
  {
    command: "recoverable snapshots prune --repo /tmp/atlas-snapshots --keep-last 3 --keep-daily 7",
    says: "keep the 3 newest snapshots and the newest of each of the last 7 days, forget the others and free their blobs",
  },
  {
    command: "recoverable snapshots prune --dir /tmp --glob 'atlas*.tar.gz*' --keep-last 1",
    says: "which archives of a folder (here the exports above, dated by mtime) the rules keep and which they would remove; removes nothing without --apply",
  },
];

const EXPORT_EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable snapshots export latest --repo /tmp/atlas-snapshots --out /tmp/atlas.tar.gz",
    says: "write the newest valid snapshot as a .tar.gz any tar reads; restore and drill read it as tar:/tmp/atlas.tar.gz",
  },
  {
    command:
      "recoverable snapshots export latest --repo /tmp/atlas-snapshots --out /tmp/atlas.tar.gz.age --encrypt-to $(age-keygen -y /tmp/age-key.txt)",
    says: "the same encrypted to an age key (made with `age-keygen -o /tmp/age-key.txt`), for off-site; read it back with --identity /tmp/age-key.txt",
  },
];

const SNAPSHOT_ID =
  "a snapshot id, a unique prefix of one, latest (the newest that validated), or a label (its newest valid snapshot)";

type RepoFlags = GlobalFlags & { repo: string; ops?: string };

function count(value: string): number {
  if (!/^(0|[1-9]\d{0,8})$/.test(value))
    throw new InvalidArgumentError("expected a whole number of snapshots, like 7");
  return Number(value);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

type PruneFlags = GlobalFlags & {
  repo?: string;
  ops?: string;
  dir?: string;
  glob?: string;
  datePattern?: string;
  apply?: boolean;
  dryRun?: boolean;
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  keepWithin?: string;
  keepWithinHourly?: string;
  keepWithinDaily?: string;
  keepWithinWeekly?: string;
  keepWithinMonthly?: string;
  keepWithinYearly?: string;
};

function rulesOfFlags(flags: PruneFlags) {
  return definedOnly({
    keepLast: flags.keepLast,
    keepHourly: flags.keepHourly,
    keepDaily: flags.keepDaily,
    keepWeekly: flags.keepWeekly,
    keepMonthly: flags.keepMonthly,
    keepYearly: flags.keepYearly,
    keepWithin: flags.keepWithin,
    keepWithinHourly: flags.keepWithinHourly,
    keepWithinDaily: flags.keepWithinDaily,
    keepWithinWeekly: flags.keepWithinWeekly,
    keepWithinMonthly: flags.keepWithinMonthly,
    keepWithinYearly: flags.keepWithinYearly,
  });
}

async function pruneDir(flags: PruneFlags, dir: string): Promise<void> {
  const { pruneArchiveFolder } = await import("../../verbs/prune-folder.js");
  const result = await pruneArchiveFolder({
    dir,
    rules: rulesOfFlags(flags),
    ...definedOnly({
      config: flags.config,
      ops: flags.ops,
      glob: flags.glob,
      datePattern: flags.datePattern,
      apply: flags.apply,
      dryRun: flags.dryRun,
    }),
  });
  const removedWord = result.dryRun ? "to remove" : "removed";
  const freeWord = result.dryRun ? "would free" : "freed";
  const summary = [
    ...result.kept.map((d) => `keep    ${d.name}  ${d.reasons.join(", ")}`),
    ...result.removed.map(
      (d) => `remove  ${d.name}  ${d.reasons.join(", ") || "no rule keeps it"}`,
    ),
    `${result.kept.length} kept, ${result.removed.length} ${removedWord}; ${freeWord} ${megabytes(result.freedBytes)}${result.dryRun && result.removed.length > 0 ? " (pass --apply to remove them)" : ""}`,
  ];
  emit(result, flags, summary);
}

type DiffFlags = { repo?: string; root?: string; ops?: string };

function diffSummary(result: DiffResult): string[] {
  const changes = result.changes;
  if (!changes) return [];
  const since =
    result.storeRoot === null
      ? `from ${String(result.snapshotId)} to ${String(result.against)}`
      : `since ${String(result.snapshotId)}`;
  const summary = [
    `${since}: ${changes.added.length} added, ${changes.removed.length} removed, ${changes.modified.length} modified, ${changes.unchanged} unchanged`,
  ];
  for (const path of changes.added) summary.push(`  + ${path}`);
  for (const path of changes.removed) summary.push(`  - ${path}`);
  for (const path of changes.modified) {
    summary.push(`  ~ ${path}`);
    for (const table of changes.tables[path] ?? [])
      summary.push(
        `      table ${table.name}: ${table.rowsBefore ?? "absent"} -> ${table.rowsAfter ?? "absent"} rows (${table.rowDelta >= 0 ? "+" : ""}${table.rowDelta})`,
      );
    const note = changes.notes[path];
    if (note !== undefined) summary.push(`      ${note}`);
  }
  return summary;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerSnapshots(program: Command): void {
  const snapshots = withExamples(program.command("snapshots"), SNAPSHOTS_EXAMPLES).description(
    "list, validate, compare, prune and export the snapshots of a repository",
  );

  withExamples(withGlobalOptions(snapshots.command("list")), LIST_EXAMPLES)
    .description("the snapshots of a repository, newest first")
    .requiredOption("--repo <dir>", "the snapshot repository")
    .action(async (flags: RepoFlags) => {
      const { listRepository } = await import("../../verbs/snapshots.js");
      const result = await listRepository({
        repo: flags.repo,
        ...definedOnly({ config: flags.config }),
      });
      const lines = result.snapshots.map(
        (s) =>
          `${s.id}  ${s.time}  ${s.validated ? "valid  " : "INVALID"}  ${megabytes(s.size).padStart(10)}  ${s.releaseId ?? "-"}  ${s.label ?? ""}`,
      );
      const empty = result.exitCode === 0 ? [`no snapshots in ${result.repo}`] : [];
      emit(result, flags, lines.length > 0 ? lines : empty);
    });

  withExamples(
    withGlobalOptions(snapshots.command("validate").argument("<id>", SNAPSHOT_ID)),
    VALIDATE_EXAMPLES,
  )
    .description("re-validate one snapshot from the bytes the repository holds now")
    .requiredOption("--repo <dir>", "the snapshot repository")
    .action(async (id: string, flags: RepoFlags) => {
      const { validateSnapshot } = await import("../../verbs/snapshots.js");
      const result = await validateSnapshot({
        repo: flags.repo,
        id,
        ...definedOnly({ config: flags.config }),
      });
      const summary = result.validation
        ? [`snapshot ${String(result.snapshotId)}: ${result.validation.checkedFiles} files checked`]
        : [];
      emit(result, flags, summary);
    });

  withExamples(
    withGlobalOptions(
      snapshots
        .command("diff")
        .argument("<id>", `${SNAPSHOT_ID}; or snapshot:<repo>#<id|latest|label> without --repo`)
        .argument(
          "[against]",
          "what to compare it with: dir:<path>, another snapshot (an id in --repo, or snapshot:<repo>#...); default: the live store root",
        ),
    ),
    DIFF_EXAMPLES,
  )
    .description(
      "what changed in a live store root, a directory or another snapshot since a snapshot: files, and rows of SQLite tables",
    )
    .option("--repo <dir>", "the snapshot repository (not with snapshot:<repo>#...)")
    .option(
      "--root <store>",
      "the live store root, when no [against] is given (default: store.root of the drill config)",
    )
    .action(async (id: string, against: string | undefined, flags: GlobalFlags & DiffFlags) => {
      const { diffRepository } = await import("../../verbs/snapshots-diff.js");
      const result = await diffRepository({
        id,
        ...definedOnly({
          against,
          repo: flags.repo,
          config: flags.config,
          root: flags.root,
          ops: flags.ops,
        }),
      });
      emit(result, flags, diffSummary(result));
    });

  const prune = withExamples(withGlobalOptions(snapshots.command("prune")), PRUNE_EXAMPLES)
    .description(
      "forget snapshots by restic's rules (defaults: the rollback policy's retention) and free their blobs, or remove the archives of a folder the same rules do not keep",
    )
    .option("--repo <dir>", "the snapshot repository (removes unless --dry-run)")
    .option(
      "--dir <folder>",
      "a folder of dated archives instead of a repository (a dry run unless --apply)",
    )
    .option("--glob <pattern>", "with --dir: the archives' file names, e.g. 'backup_*.tar.gz'")
    .option(
      "--date-pattern <pattern>",
      "with --dir: the date in their names, e.g. 'backup_%Y%m%d_%H%M%S' (UTC; default: each file's mtime)",
    )
    .option("--keep-last <n>", "keep the n newest snapshots", count)
    .option(
      "--keep-hourly <n>",
      "keep the newest snapshot of each of the last n hours that have one",
      count,
    )
    .option(
      "--keep-daily <n>",
      "keep the newest snapshot of each of the last n days that have one",
      count,
    )
    .option("--keep-weekly <n>", "... of each of the last n ISO weeks", count)
    .option("--keep-monthly <n>", "... of each of the last n months", count)
    .option("--keep-yearly <n>", "... of each of the last n years", count)
    .option(
      "--keep-within <duration>",
      "keep every snapshot within this of the newest one, e.g. 30d or 1y2m",
    )
    .option("--keep-within-hourly <duration>", "the newest snapshot of each hour within this")
    .option("--keep-within-daily <duration>", "the newest snapshot of each day within this")
    .option("--keep-within-weekly <duration>", "the newest snapshot of each ISO week within this")
    .option("--keep-within-monthly <duration>", "the newest snapshot of each month within this")
    .option("--keep-within-yearly <duration>", "the newest snapshot of each year within this")
    .option("--dry-run", "say what would be kept and removed, change nothing")
    .option("--apply", "with --dir: remove the archives the rules do not keep")
    .option("--ops <dir>", "where the rollback policy is (default ./ops)");
  prune.action(async (flags: PruneFlags) => {
    if ((flags.repo === undefined) === (flags.dir === undefined))
      prune.error("error: pass exactly one of --repo <dir> and --dir <folder>");
    if (flags.apply === true && flags.repo !== undefined)
      prune.error("error: --apply is for --dir; a --repo prune removes unless --dry-run is given");
    if (flags.dir !== undefined) return pruneDir(flags, flags.dir);
    const { pruneSnapshots } = await import("../../verbs/snapshots-prune.js");
    const result = await pruneSnapshots({
      repo: flags.repo ?? "",
      rules: rulesOfFlags(flags),
      ...definedOnly({ config: flags.config, ops: flags.ops, dryRun: flags.dryRun }),
    });
    const removedWord = result.dryRun ? "to remove" : "removed";
    const freeWord = result.dryRun ? "would free" : "freed";
    const summary = [
      ...result.kept.map((d) => `keep    ${d.id}  ${d.reasons.join(", ")}`),
      ...result.removed.map(
        (d) => `remove  ${d.id}  ${d.reasons.join(", ") || "no rule keeps it"}`,
      ),
      `${result.kept.length} kept, ${result.removed.length} ${removedWord}; ${freeWord} ${result.freedBlobs} blobs (${megabytes(result.freedBytes)})`,
    ];
    emit(result, flags, summary);
  });

  withExamples(
    withGlobalOptions(snapshots.command("export").argument("<id>", SNAPSHOT_ID)),
    EXPORT_EXAMPLES,
  )
    .description("write one snapshot as a .tar.gz any tar reads, optionally encrypted with age")
    .requiredOption("--repo <dir>", "the snapshot repository")
    .requiredOption("--out <file>", "the archive to write (never overwritten)")
    .option("--encrypt-to <recipient>", "an age recipient (age1...); repeat for several", collect)
    .action(async (id: string, flags: RepoFlags & { out: string; encryptTo?: string[] }) => {
      const { exportRepositorySnapshot } = await import("../../verbs/snapshots.js");
      const result = await exportRepositorySnapshot({
        repo: flags.repo,
        id,
        out: flags.out,
        ...definedOnly({ config: flags.config, encryptTo: flags.encryptTo }),
      });
      const summary =
        result.snapshotId && result.bytes > 0
          ? [
              `snapshot ${result.snapshotId} -> ${String(result.out)} (${megabytes(result.bytes)}${result.encryptedTo > 0 ? `, encrypted to ${result.encryptedTo} age recipient(s)` : ""})`,
            ]
          : [];
      emit(result, flags, summary);
    });
}
