// The one catalogue of finding codes: title, what it means, what to do.
// Detection lives elsewhere; this table is what users read (and docs/findings.md is rendered
// from it). Codes are a public contract: add new ones, never rename or remove one.

/** What kind of failure a finding is, which decides the exit code (DESIGN.md, exit codes). */
export type FailureClass = "unusable_input" | "not_proven" | "could_not_run";

/** A hint for one cause of a code: the detector names the cause, the catalogue says what to do. */
export type CauseHint = {
  /** When it applies, as docs/findings.md says it: "restic refused the password". */
  readonly when: string;
  readonly hint: string;
};

export type FindingDefinition = {
  readonly title: string;
  readonly explanation: string;
  /** What to do, whatever the cause; a cause of `causes` named by the detector wins over it. */
  readonly hint: string;
  readonly causes?: Readonly<Record<string, CauseHint>>;
  /** The class of an error-severity finding of this code, unless the detector says otherwise. */
  readonly failureClass: FailureClass;
  /** The exit code in words when it is not the class's (docs/findings.md). */
  readonly exit?: string;
};

export const FINDING_CATALOGUE = {
  document_invalid: {
    title: "A document does not match its schema",
    explanation:
      "An evidence document (manifest, packet, provenance, rollback policy) or the drill config is well-formed JSON but breaks its JSON Schema or a rule of the format: a missing or unknown property, a wrong type, a path that is not a clean relative POSIX path, a newer schemaVersion than this version of recoverable reads.",
    hint: "Fix the document at the JSON pointer named in the finding (or re-run `recoverable seal` for generated evidence), then run again.",
    causes: {
      public_key: {
        when: "a public key file is not an Ed25519 public key in PEM",
        hint: "Pass the public key of the key that signed, as `recoverable keygen` wrote it beside drill.key: drill.pub, an Ed25519 key in SPKI PEM (-----BEGIN PUBLIC KEY-----). Other formats, an OpenSSH key (ssh-ed25519 AAAA...) among them, are not read.",
      },
      signing_key: {
        when: "a signing key file is not an Ed25519 private key in PEM",
        hint: "Make a signing key with `recoverable keygen --out <dir>` and pass --key <dir>/drill.key, or --key env:NAME with its PEM text in the variable NAME (or set signing.key in the drill config): an Ed25519 key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----). Other formats, an OpenSSH key among them, are not read.",
      },
    },
    failureClass: "unusable_input",
  },
  document_unreadable: {
    title: "A document cannot be read as JSON",
    explanation:
      "The file is missing, not readable, too large, nested too deeply, not UTF-8, not JSON, or has a key twice in one object. Nothing was checked, because nothing can be trusted from it.",
    hint: "Check that the file named is the document it should be and that this user can read it; regenerate it if a tool wrote it.",
    causes: {
      missing: {
        when: "no file is at the path",
        hint: "Check the path named: nothing is there. Fix the path (or the drill config that names it), or make the file (`recoverable keygen` writes keys, `recoverable seal` the evidence), then run again.",
      },
      not_json: {
        when: "the file is not valid JSON",
        hint: "Fix the JSON at the line and column named (regenerate the document if a tool wrote it), then run again.",
      },
    },
    failureClass: "unusable_input",
  },
  usage_invalid: {
    title: "The command line is not usable",
    explanation:
      "A flag is missing, unknown or has a value of the wrong form (a release version that is not semver, a shard that is not i/n, a duration that is not like 36h).",
    hint: "Run the verb with --help for its flags and examples.",
    failureClass: "unusable_input",
  },
  evidence_chain_broken: {
    title: "The evidence chain is broken",
    explanation:
      "One link of the release identity chain does not hold: the packet does not name the manifest's or the rollback policy's digest as they are now, or the provenance's subject is not the packet's digest. Someone changed a document after sealing, or the documents come from different releases.",
    hint: "If the change was intended, re-seal the release with `recoverable seal`; otherwise restore the evidence documents of this release from where they were published.",
    failureClass: "not_proven",
  },
  artifact_missing: {
    title: "An artifact the release needs is missing",
    explanation:
      "A durable artifact of the manifest is not in the store root (an error), or a reconstructable one is absent (a warning: it can be rebuilt). Disposable artifacts are never required.",
    hint: "Restore the store root from a backup that holds this file, or rebuild it if it is reconstructable.",
    failureClass: "not_proven",
  },
  artifact_kind_mismatch: {
    title: "An artifact is not of the kind the manifest says",
    explanation:
      "The manifest says a directory and the store has a file, or the reverse, or an SQLite artifact whose file is not an SQLite database.",
    hint: "Restore this path from a backup of the release; the store root does not have the sealed layout.",
    failureClass: "not_proven",
  },
  artifact_size_mismatch: {
    title: "An artifact has the wrong size",
    explanation:
      "The file's size differs from the manifest, so its bytes cannot match. Truncated copies and partial restores show up here first. In a tar archive, a durable member whose header says it is larger than the release's file is refused before a byte of it is read, and the archive is not read further.",
    hint: "Restore this file from a backup of the release and verify again.",
    failureClass: "not_proven",
  },
  artifact_hash_mismatch: {
    title: "An artifact's bytes do not match the release",
    explanation: "The file's sha256 differs from the digest sealed in the manifest.",
    hint: "Restore this file from a backup of the release; if the release itself changed, re-seal it with `recoverable seal`.",
    failureClass: "not_proven",
  },
  sqlite_integrity_check_failed: {
    title: "An SQLite database fails its integrity check",
    explanation:
      "SQLite could not open the file as a database, or `PRAGMA integrity_check` reported damage (bad pages, broken indexes, a corrupted header). The dataset cannot be served safely.",
    hint: "Restore this database from an earlier backup and verify it; never serve a database that fails integrity_check.",
    failureClass: "not_proven",
  },
  sqlite_content_mismatch: {
    title: "An SQLite database has other rows or schema than the release",
    explanation:
      "The content digest (the dbhash stream over schema and rows, hashed with SHA-256) or a table's row count differs from the manifest. Unlike the byte digest, this survives VACUUM and the backup API, so a mismatch means the data itself changed. The database is read as SQLite reads it: a -wal or hot -journal beside it is part of it, and the message names one that changes what SQLite reads.",
    hint: "Compare the tables named in the finding with the release; restore the database from a backup of this release.",
    failureClass: "not_proven",
  },
  schema_mismatch: {
    title: "An artifact does not have the shape the release sealed",
    explanation:
      "The artifact is sealed at the `schema` level (live data: its rows may change, its shape may not), and what the backup holds differs from the sealed shape: a table, column, index, view or trigger is missing or is not in the release, or a column's declared type, NOT NULL or primary key changed (SQLite and PostgreSQL, read from the database itself); a JSON document breaks the JSON Schema sealed with it; a directory has no file matching one of its required member globs. The finding names the table and the column, what was sealed and what was found.",
    hint: "If the schema changed on purpose (a migration), seal a new release from the migrated store with `recoverable seal`; otherwise restore a backup taken before the change and find what altered the schema.",
    failureClass: "not_proven",
  },
  rows_below_bound: {
    title: "A table holds fewer rows than its bound",
    explanation:
      "The artifact is sealed at the `schema` level with row bounds: a table's `min`, or a `maxShrink` such as 10% against the rows it held when the release was sealed. The backup's table holds fewer, as when a table is emptied or a bulk delete goes wrong by accident.",
    hint: "Check what deleted the rows (the table and the counts are in the finding); restore an earlier backup if it was an accident, or seal a new release if the data shrank on purpose.",
    failureClass: "not_proven",
  },
  json_content_mismatch: {
    title: "A JSON artifact holds other data than the release",
    explanation:
      "The artifact is sealed at the `content` level: its bytes may differ (formatting, key order), but the sha256 of its RFC 8785 canonical form must be the one sealed. Here it is not, so a value changed.",
    hint: "Restore this file from a backup of the release; if the data changed on purpose, seal a new release, or seal the file at the `schema` level if it is live data.",
    failureClass: "not_proven",
  },
  bytes_not_pinned: {
    title: "Some bytes were pinned by content rules only",
    explanation:
      "Artifacts whose level is not `bytes` (live data) have their bytes pinned by the backup's own record of them when it has one (a snapshot, or an archive exported from one). This backup has no such record (a plain tar:, dir: or restic: source, or a drill of a live store), so for those artifacts only the content rules were checked: integrity, shape, row bounds, kind. Bit rot that keeps a file readable and well formed would not be seen. Always an info finding.",
    hint: "Drill snapshots taken with `recoverable snapshot`, or archives made by `recoverable snapshots export`: they carry a record of every byte.",
    failureClass: "not_proven",
  },
  pgdump_unreadable: {
    title: "A PostgreSQL dump cannot be read",
    explanation:
      'The pg_dump artifact is truncated or corrupt: pg_restore could not read the archive ("could not read from input file: end of file", a bad header), its gzip stream is broken, a plain SQL dump stops before pg_dump\'s closing line, or the file is not a pg_dump archive at all. Nothing from it can be trusted to restore.',
    hint: "Restore this dump from a backup of the release (its bytes are likely damaged: compare its sha256), or take a new dump with `pg_dump -Fc` and re-seal the release.",
    failureClass: "not_proven",
  },
  pgdump_restore_failed: {
    title: "A PostgreSQL dump does not restore",
    explanation:
      "pg_restore (custom format) or psql (plain SQL) stopped at a statement of the dump that the server refused. The finding quotes the server's error and the failing statement. A dump that does not restore into a fresh database is not a backup of it.",
    hint: "Read the statement and the error in the finding; restore the dump by hand into a scratch database with the same command (`pg_restore --exit-on-error -d <db> <dump>`) to see it, then fix the source database or how it is dumped, and re-seal.",
    failureClass: "not_proven",
  },
  pgdump_role_missing: {
    title: "A PostgreSQL dump needs a role the server does not have",
    explanation:
      "The dump sets an owner or grants a privilege to a role (ALTER ... OWNER TO, GRANT ... TO) that does not exist where it was restored. Roles live in the cluster, not in a pg_dump of one database, so a restore into a new server fails the same way until they are made.",
    hint: "Add the role to postgres.roles in the drill config (`pg_dumpall --roles-only` lists those of the production cluster), so the throwaway server makes it before the restore; or dump with `pg_dump --no-owner --no-privileges` if ownership need not be restored.",
    failureClass: "not_proven",
  },
  pgdump_extension_missing: {
    title: "A PostgreSQL dump needs an extension that is not installed",
    explanation:
      'The dump runs CREATE EXTENSION for an extension whose files are not installed on the server it was restored into ("extension ... is not available", "could not open extension control file"). A server that would restore this backup needs the extension\'s package.',
    hint: "Install the extension's package on the machine that runs the drill (Debian/Ubuntu: `apt-get install postgresql-<version>-<extension>`, e.g. postgresql-15-postgis-3; contrib extensions: postgresql-contrib), or set postgres.url to a server that has it.",
    failureClass: "not_proven",
  },
  pgdump_content_mismatch: {
    title: "A PostgreSQL dump restores other rows than the release",
    explanation:
      "The dump restored, but its tables, row counts or content digest (every table's rows in primary-key order, docs/formats.md) differ from what seal recorded. The finding names each table that differs: missing, added, another row count, or the same count with changed rows.",
    hint: "Restore this dump from a backup of the release; if the database was dumped again on purpose, re-seal the release with `recoverable seal`.",
    failureClass: "not_proven",
  },
  postgres_unavailable: {
    title: "No PostgreSQL server to restore a dump into",
    explanation:
      "A throwaway PostgreSQL server could not be made or started (initdb or pg_ctl failed: no permission, no unprivileged user to run it as root, no shared memory), or the server named by postgres.url cannot be reached or refuses to create a scratch database. The dumps were not judged.",
    hint: "Read the server's words in the finding. For the throwaway server, check that the temp dir is writable and, as root, that the `postgres` or `nobody` user exists; for postgres.url, check the URL, the password (PGPASSWORD or ~/.pgpass) and that the role has CREATEDB. docs/postgresql.md describes both.",
    failureClass: "could_not_run",
  },
  json_artifact_invalid: {
    title: "A JSON artifact does not parse",
    explanation: "A store file that the manifest says is JSON is not valid JSON.",
    hint: "Restore this file from a backup of the release.",
    failureClass: "not_proven",
  },
  path_escapes_root: {
    title: "A path leaves its root",
    explanation:
      "A path from a document or an archive is absolute, has a `..` segment, or goes through a symbolic link, or a symlink in the store root leads outside it, so following it could read or write outside the store root. It is refused, never followed.",
    hint: "Remove the path or the link; every artifact must be a regular file or directory inside the store root.",
    failureClass: "not_proven",
  },
  unexpected_artifact: {
    title: "The store root has something the manifest does not list",
    explanation:
      "A file, directory, symlink or special file is in the store root but not in the manifest. It is a warning (an error with --strict): it may be a leftover, a journal, or something that should have been sealed.",
    hint: "Remove it if it is a leftover, or re-seal the release if it belongs to it.",
    failureClass: "not_proven",
  },
  source_unreadable: {
    title: "The backup source cannot be read",
    explanation:
      "The restore source is missing, truncated, corrupt or otherwise not a usable backup of a store root.",
    hint: "Check the source string and the backup; try an older backup.",
    failureClass: "not_proven",
  },
  source_credentials_refused: {
    title: "The key or password does not open the backup",
    explanation:
      "The backup is there but the credentials given cannot open it: a restic repository refused its password (RESTIC_PASSWORD or RESTIC_PASSWORD_FILE), or no age identity given with --identity matches a recipient of an encrypted archive. Nothing was restored.",
    hint: "Give the password or key this backup was made with (the message says which one was refused), then run again.",
    causes: {
      restic_password: {
        when: "restic refused the repository's password",
        hint: "Set RESTIC_PASSWORD_FILE (or RESTIC_PASSWORD, or RESTIC_PASSWORD_COMMAND) to this repository's password; `restic -r <repository> snapshots` with the same variables tells whether it opens.",
      },
      age_identity: {
        when: "no age identity given opens an encrypted archive",
        hint: "Pass the age identity file the archive was encrypted to (--identity); `age -d -i <file> <archive> > /dev/null` tells whether an identity opens it.",
      },
    },
    failureClass: "unusable_input",
  },
  tool_unavailable: {
    title: "A program recoverable needs is not installed",
    explanation:
      "The run needs an external program that cannot be run here: restic for restic: sources, or the PostgreSQL programs (initdb, pg_ctl, postgres, pg_restore, psql) to restore a pg_dump artifact; it is not on PATH or is not executable, or it is older than the pg_dump that wrote the archive. The backup itself was not judged.",
    hint: "Install it (`apt-get install restic`) or put it on PATH, then run again.",
    failureClass: "could_not_run",
  },
  source_changed_during_copy: {
    title: "A file kept changing while the snapshot copied it",
    explanation:
      "A snapshot copies each file and checks that its size and times did not change during the copy; this one changed during every attempt (or an SQLite database stayed locked by a writer for longer than the wait). No snapshot was written: a copy of a moving file is not a backup.",
    hint: "Find what writes this file (`fuser <file>`), pause it or snapshot at a quieter time; SQLite databases are copied consistently while written, other files must hold still.",
    failureClass: "could_not_run",
  },
  entry_not_snapshotted: {
    title: "An entry of the store root was not snapshotted",
    explanation:
      "Symbolic links, FIFOs, sockets and devices are not part of a snapshot: a store root holds directories and regular files. The snapshot holds everything else.",
    hint: "If the store needs this entry, make it a regular file; if it does not, remove it from the store root or ignore this warning.",
    failureClass: "not_proven",
  },
  snapshot_not_found: {
    title: "No such snapshot",
    explanation:
      "The snapshot id (or unique prefix of one) names no snapshot in the repository, names several, or `latest` was asked of a repository with no valid snapshot.",
    hint: "List the snapshots with `recoverable snapshots list --repo <dir>` and give a full id.",
    failureClass: "unusable_input",
  },
  snapshot_invalid: {
    title: "The snapshot failed validation when it was made",
    explanation:
      "When the snapshot was made, the bytes it stored did not all validate (a digest, an SQLite integrity check or a JSON parse failed). It is kept for inspection, never offered as `latest`, and should not be restored.",
    hint: "Take a new snapshot; the findings recorded in the snapshot's metadata say what was wrong with the store at the time.",
    failureClass: "not_proven",
  },
  backup_too_old: {
    title: "The newest backup is too old",
    explanation: "The backup's age is beyond what the rollback policy allows.",
    hint: "Take a fresh backup (`recoverable snapshot`) and check the backup schedule.",
    failureClass: "not_proven",
  },
  service_failed_to_start: {
    title: "The service command could not be started",
    explanation:
      "The service under test could not be spawned at all (no such program, no permission). The drill could not run, so nothing is known about the backup.",
    hint: "Check the service command and working directory in the drill config.",
    failureClass: "could_not_run",
  },
  service_not_ready: {
    title: "The service did not become ready",
    explanation:
      "The service started against the restored store but exited or never answered its readiness check within the time limit. The recovery failed.",
    hint: "Read the service output kept in the report; the restored store may be incomplete or the runtime config wrong.",
    failureClass: "not_proven",
  },
  probe_failed: {
    title: "A probe did not get the expected answer",
    explanation:
      "A readiness, query, catalog or identity probe got another status, body or result than the release expects.",
    hint: "Compare expected and actual in the finding; check the dataset the probe reads.",
    causes: {
      unanswered: {
        when: "the service did not answer at all",
        hint: "Nothing answered at the URL named: check that the service runs and listens there (with --live, the --url you gave; otherwise the service's command and its output in the report), then run again.",
      },
      no_service: {
        when: "there is no service to send the probe to",
        hint: 'Add a "service" to the drill config (its command starts the service on the restored store), or prove a running one with --live --url <base URL>.',
      },
      host_not_allowed: {
        when: "the probe's host is not allowed",
        hint: "Add the host to probeHosts in the drill config if the probe may reach it, or point the probe at the service under test.",
      },
    },
    failureClass: "not_proven",
  },
  release_identity_mismatch: {
    title: "The store or service is another release",
    explanation:
      "The release identity found (in the store, the service, or a report) is not the one expected.",
    hint: "Make sure the backup, the evidence and the service belong to the same release.",
    failureClass: "not_proven",
  },
  catalog_incomplete: {
    title: "The catalog does not expose every dataset",
    explanation:
      "A dataset of the release is missing from the catalog, or the catalog names a dataset the release does not have.",
    hint: "Restore the catalog of this release or rebuild it from the datasets.",
    failureClass: "not_proven",
  },
  dataset_name_collision: {
    title: "Two datasets would have the same name",
    explanation:
      "A store without a catalog has a dataset for each SQLite database and pg_dump, named by its file name without extension and, where several share it, by the directories that tell them apart (`a/db`, `b/db`). These databases share a name that nothing in their paths tells apart (db.sqlite beside db.dump in one directory), or the catalog lists one name twice: a probe naming it could not say which one it reads.",
    hint: "Rename one of the files, or give the store a catalog (store.catalog in the drill config) that names each dataset once with its path, then seal again.",
    failureClass: "unusable_input",
  },
  dataset_unknown: {
    title: "A probe or placeholder names a dataset the release does not have",
    explanation:
      "A sql probe's `dataset`, or a `{postgres.url:<dataset>}` placeholder of the service, names a dataset that is not among the release's datasets (or, for the placeholder, not a pg_dump), so the drill could not run it. Said when sealing and before a drill starts, not halfway through it.",
    hint: "Use one of the dataset names the finding lists (`recoverable seal` derives them from the catalog, or from the database files when there is none), then run again.",
    failureClass: "unusable_input",
  },
  rollback_forbidden: {
    title: "The rollback policy forbids this release",
    explanation:
      "The release is below the version floor, denied, too old, or a downgrade the policy does not allow.",
    hint: "Restore an allowed release, or change the rollback policy through its review process.",
    failureClass: "not_proven",
  },
  downgrade_allowed: {
    title: "A downgrade was allowed on purpose",
    explanation:
      "The release is older than the newest release proven for this store (its high-water mark), and it was let through because the rollback policy allows downgrades and the operator passed --allow-downgrade. Recorded so that the report shows the rollback was deliberate.",
    hint: "Nothing to do if the rollback was intended; otherwise restore the release of the high-water mark.",
    failureClass: "not_proven",
  },
  report_signature_invalid: {
    title: "The drill report's signature does not verify",
    explanation:
      "The DSSE envelope has no valid Ed25519 signature by a trusted key over the in-toto payload.",
    hint: "Check that the right public key was given; re-run the drill if the report was altered.",
    failureClass: "not_proven",
  },
  report_subject_mismatch: {
    title: "The drill report is about another release",
    explanation: "The in-toto subject's digest is not the release identity asked for.",
    hint: "Use a report from a drill of this release, or run one.",
    failureClass: "not_proven",
  },
  report_stale: {
    title: "The drill report is too old",
    explanation: "The report's finishedAt is older than the allowed age.",
    hint: "Run a fresh drill for this release.",
    failureClass: "not_proven",
  },
  rto_exceeded: {
    title: "Recovery took longer than the RTO target",
    explanation: "The measured time to a ready, proven service exceeded the policy's RTO target.",
    hint: "Look at the stage timings in the report to see where the time went.",
    failureClass: "not_proven",
  },
  rpo_exceeded: {
    title: "The backup is older than the RPO target",
    explanation:
      "The age of the backup restored exceeds the policy's RPO target: more data would be lost than allowed.",
    hint: "Back up more often, or check why recent backups are missing.",
    failureClass: "not_proven",
  },
  archive_entry_refused: {
    title: "An archive entry was refused",
    explanation:
      "An archive member is a FIFO, a device, a hardlink to something that is not an earlier member, a name that is not UTF-8 or too long, or a path that appears twice; or a pax or long-name header is over 1 MiB, which stops the reading. Nothing from the archive reaches the target.",
    hint: "Rebuild the backup archive from the store root; do not extract it by hand.",
    failureClass: "not_proven",
  },
  target_not_empty: {
    title: "The restore target is not empty",
    explanation: "The target directory has content and --force was not given.",
    hint: "Pass --force to replace it (a safety copy is kept), or choose an empty target.",
    failureClass: "unusable_input",
  },
  target_locked: {
    title: "Another restore holds the target",
    explanation:
      "A lock file beside the target says another restore into it is running. Two restores into one target would race.",
    hint: "Wait for the other restore to finish (the finding names its process). If that process is gone, the next restore, or `recoverable restore --recover --target <dir>`, finishes what it left and takes the lock over (for a process on another host, remove the lock by hand once it is gone).",
    failureClass: "could_not_run",
  },
  repository_locked: {
    title: "Another recoverable is writing to the snapshot repository",
    explanation:
      "The repository's lock file names a running `snapshot` or `snapshots prune`. One writer at a time: a prune running beside a snapshot could free the blobs the snapshot is writing. The finding names the holder (process, host, verb, since when).",
    hint: "Wait for that run to finish, then run again. A lock whose process has died on this host is taken over by the next run without help; one left by a process on another host (a shared file system) cannot be judged from here: remove `<repo>/lock` by hand once that process is gone.",
    failureClass: "could_not_run",
  },
  restore_recovered: {
    title: "A restore finished what an interrupted one left",
    explanation:
      "A restore of the same target was killed or failed part way. Before anything else, this run took over its lock, moved the old store back if the interrupted run had moved it aside and not yet put the new one in place, and removed its scratch tree. The message says what was found and what was done; a safety copy is never removed.",
    hint: "Nothing to do. Safety copies of earlier restores are kept until you remove them.",
    failureClass: "not_proven",
  },
  no_safety_copy: {
    title: "There is no safety copy to put back",
    explanation:
      "restore --undo puts back the newest safety copy a restore kept beside the target (a hidden sibling named .<target>.recoverable-safety-<run>), and there is none: the target was never restored over, or its safety copies were removed.",
    hint: "Nothing was changed. To bring back an older store, restore it from a backup (`recoverable restore --source <src> --target <dir> --force`).",
    failureClass: "unusable_input",
  },
  io_failed: {
    title: "A file could not be read or written",
    explanation:
      "The machine refused an operation: no permission, disk full, a device error. This says nothing about the backup; the run could not complete.",
    hint: "Check permissions and free space on the path named, then run again.",
    failureClass: "could_not_run",
  },
  output_exists: {
    title: "An output file already exists",
    explanation: "The verb would overwrite a file it must never overwrite, such as a signing key.",
    hint: "Choose another --out directory, or move the existing files away if you really mean to replace them.",
    failureClass: "unusable_input",
  },
  internal_error: {
    title: "recoverable hit an unexpected error",
    explanation:
      "Something went wrong that recoverable did not anticipate. Nothing is known about the backup.",
    hint: "Run again with RECOVERABLE_DEBUG=1 for the stack trace and report it with the command line used.",
    failureClass: "could_not_run",
  },
  interrupted: {
    title: "The run was interrupted",
    explanation:
      "recoverable got SIGINT (Ctrl-C) or SIGTERM (a CI job cancelled or timed out, a pod stopped) before the run was over. It stopped what it had started (the service: SIGTERM to its process group, SIGKILL after the stop grace; the throwaway PostgreSQL server) and removed its scratch places (a drill's unless --keep), and it exits 130 after SIGINT or 143 after SIGTERM. An interrupted drill writes and signs no report, whatever it had found so far: it proves nothing. An interrupted restore removes its scratch tree and releases its lock, and leaves the target as it was; once its swap is journaled it runs to its end, whatever signal comes. A library call aborted through its AbortSignal ends the same way, with exit code 3 in its result.",
    hint: "Run it again. In CI, give the job more time than the drill's restore, the service's readiness timeout and its stop grace together, so a timeout does not cut it short.",
    failureClass: "could_not_run",
    exit: "130 after SIGINT, 143 after SIGTERM (3 for a library call aborted by its caller)",
  },
  leftovers_reaped: {
    title: "An earlier run was killed and its leftovers were cleaned up",
    explanation:
      "A drill (or another run of recoverable) with this state directory ended without stopping what it had started: killed with SIGKILL, by the OOM killer or a CI runner, or crashed. Its reaper, a small process watching it from its own session, then stopped the service and the throwaway PostgreSQL server it had left (SIGTERM or SIGQUIT, SIGKILL after the grace period) and removed its scratch directories, and left a note in <state.dir>/reaped/. This drill reports each note once (and removes it); nothing is left running. The run that was killed wrote no report.",
    hint: "Find out what killed the earlier run at the time the finding names (a CI timeout, the OOM killer, kill -9) and give it the time or memory it needs; nothing needs to be removed by hand.",
    failureClass: "could_not_run",
    exit: "none: it is a warning",
  },
  drill_sampled: {
    title: "The drill report is of a sampled drill",
    explanation:
      "The report is validly signed and proven, but its drill ran with --sample: it checked the content of only a share of the artifacts (every durable database in full) and the others for their place and size only. The rollback policy does not count sampled drills (/drills/allowSampled is absent or false).",
    hint: 'Run a drill without --sample, or set "allowSampled": true under "drills" in the rollback policy (then re-seal the release) if sampled drills are enough for it.',
    failureClass: "not_proven",
  },
  report_not_proven: {
    title: "The drill report says the release was not proven",
    explanation:
      "The report is validly signed, but its verdict is not `proven`: the drill it records failed or could not run.",
    hint: "Read the report's findings, fix what they name, and run a new drill.",
    failureClass: "not_proven",
  },
  subject_not_checked: {
    title: "The report's subject was not checked",
    explanation:
      "No --release was given, so the report was not tied to a release identity; it only proves the signature.",
    hint: "Pass --release <sha256> to check that the report is about the release you care about.",
    failureClass: "not_proven",
  },
  signature_not_checked: {
    title: "The report was rendered without checking its signature",
    explanation:
      "report render was run without --key, so the report's signature was not verified: the page, summary or XML it wrote shows what the envelope says, and anyone could have written that. The rendering says so too. It is always an info finding: the rendering still exits 0.",
    hint: "Pass --key <drill.pub> to render only a report signed by a key you trust, or check the envelope with `recoverable report verify <envelope> --key <drill.pub>`.",
    failureClass: "not_proven",
  },
  no_drill_report: {
    title: "No signed drill report was found for the gate",
    explanation:
      "gate needs signed drill reports for the release (at least --threshold of them, each signed by a different trusted key), and found fewer than that: none at all in the reports folder or among those named with --report, or not enough signed by distinct trusted keys.",
    hint: "Run a drill of this release from a backup (`recoverable drill --source <src> --out drill-reports/<name>`) and pass its envelope with --report, or keep it under the reports folder; for a threshold, have each trusted key's holder run and sign one.",
    failureClass: "not_proven",
  },
  audit_gap: {
    title: "A readiness question has no answer from evidence",
    explanation:
      "The readiness audit could not answer one of the runbook's questions from evidence: no backup is configured, a dataset has no query probe, no identity, catalog or readiness check is defined, no trusted key is set, or no passing drill of this release signed by a trusted key was found. The subject names what is missing (backups, dataset:<name>, probe:<type>, readiness, reports.trustedKeys, drills).",
    hint: "Add what the finding names (a backup in the drill config, a probe and a re-seal, a trusted key, a drill), then run `recoverable audit` again.",
    failureClass: "not_proven",
  },
  backup_rule_unmet: {
    title: "The backups break the policy's 3-2-1 rule",
    explanation:
      "The rollback policy's backups section asks for a number of copies (the serving store and each reachable backup), of distinct media and off-site (from each backup's location and media in the drill config), and the reachable backups fall short. The subject says which count: backups.copies, backups.media or backups.offsite; the message lists the backups as audit saw them.",
    hint: 'Add the copy the finding names (another backup, other media, an off-site copy) and list it under "backups" in the drill config with its "location" and "media".',
    failureClass: "not_proven",
  },
  retention_not_kept: {
    title: "A backup does not keep what the retention asks",
    explanation:
      "With checkRetention in the rollback policy's backups section, audit reads the policy's retention as what must be present: a copy in each of the last keepDaily days, keepWeekly ISO weeks and keepMonthly months (UTC), and at least keepLast copies, in every backup that holds a series (a folder of archives, a snapshot or restic repository). The message names the days, weeks or months that have no copy.",
    hint: "Find out why the backup job skipped those days (its log, its schedule) or why a prune removed them; take a backup now, and keep the retention from now on (`recoverable snapshots prune` applies the same rules).",
    failureClass: "not_proven",
  },
  backup_incomplete: {
    title: "No backup holds a durable artifact of the release",
    explanation:
      "The readiness audit compared the backups it can read without restoring (directories, snapshot repositories) with the manifest: this durable artifact is absent from all of them, of another kind, or has other bytes (or other SQLite content, when the manifest's identity is the content digest). Restoring from any of them would not bring the release back. Archives and restic repositories are not checked this way; a drill from them is.",
    hint: "Take a backup of the store as the release sealed it (`recoverable snapshot`), or restore the artifact in the store from where the release was published, and audit again.",
    failureClass: "not_proven",
  },
  shard_missing: {
    title: "A shard report is missing from the merge",
    explanation:
      "report merge was given shard reports of a split into n shards, but none for this shard (`shard i/n`). Without it some artifacts of the manifest were never checked, so nothing is merged or signed.",
    hint: "Run the missing shard (`recoverable verify --shard i/n`, or the matrix job or Indexed Job pod that failed) and merge all n envelopes again.",
    failureClass: "not_proven",
  },
  shard_duplicated: {
    title: "A shard was given twice to the merge",
    explanation:
      "Two or more envelopes given to report merge are reports of the same shard i/n (two runs of one matrix job, or the same file twice). Which one counts would be a guess, so nothing is merged or signed.",
    hint: "Pass exactly one shard report per shard: keep the newest run of that shard and drop the others.",
    failureClass: "not_proven",
  },
  shard_release_mismatch: {
    title: "The shard reports are about different releases",
    explanation:
      "The shard reports given to report merge do not all carry the same release identity and manifest digest: shards of another release (or another seal of it) were mixed in. Shards of different releases prove nothing together, so nothing is merged or signed. The finding names each report that differs from the release most of them are about.",
    hint: "Merge only the shard reports of one run: check the release each names (`recoverable report merge` lists them) and re-run the shards of the release you mean.",
    failureClass: "not_proven",
  },
  shard_set_mismatch: {
    title: "The shard reports are not of one split",
    explanation:
      "The shard reports given to report merge were cut differently: another shard count n, another assignment rule (another version of recoverable), verify shards mixed with drill shards, or the shards do not add up to the manifest (their artifact counts, bytes or path-set digests; in reports of earlier versions, their path lists overlap or leave paths out). They cannot be shown to cover every artifact exactly once, so nothing is merged or signed.",
    hint: "Run every shard of one split with the same --shard n, the same verb and the same recoverable version, then merge those n reports.",
    failureClass: "not_proven",
  },
} as const satisfies Record<string, FindingDefinition>;

export type FindingCode = keyof typeof FINDING_CATALOGUE;

export function definitionOf(code: FindingCode): FindingDefinition {
  return FINDING_CATALOGUE[code];
}

/** The causes a detector may name for `code` (none for most codes). */
export type CauseOf<C extends FindingCode> = (typeof FINDING_CATALOGUE)[C] extends {
  readonly causes: infer K;
}
  ? Extract<keyof K, string>
  : never;

/** The hint for `code`: the cause's when the detector named one, else the code's own. */
export function hintOf(code: FindingCode, cause?: string): string {
  const definition = definitionOf(code);
  return (cause === undefined ? undefined : definition.causes?.[cause]?.hint) ?? definition.hint;
}
