// `snapshots export`: one snapshot as a gzip tar archive any tar can read, optionally encrypted
// to age recipients, carrying the snapshot's record of its bytes as its first member. The tree is written from the blobs (each re-hashed) into a private
// temporary directory, streamed through tar and gzip (and age), and the archive appears under
// its name only when it is complete.
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { create as createTar } from "tar";
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { encryptToRecipients } from "../archive/age.js";
import { formatJSON, syncDirectory } from "../util/atomic-write.js";
import { RECORD_MEMBER } from "../archive/backup-record.js";
import { writeSnapshotTree } from "./materialize.js";
import type { Repository } from "./repository.js";

export type ExportOutcome = { readonly findings: ClassifiedFinding[]; readonly bytes: number };

export async function exportSnapshot(
  repo: Repository,
  snapshot: SnapshotMetadata,
  out: string,
  recipients: readonly string[],
): Promise<ExportOutcome> {
  if (snapshot.entries.some((e) => e.path === RECORD_MEMBER))
    return {
      findings: [
        createFinding("archive_entry_refused", {
          subject: RECORD_MEMBER,
          message: `snapshot ${snapshot.id} holds a file named ${RECORD_MEMBER}, the name an exported archive gives the snapshot's record`,
          hint: "Rename that file in the store and take a new snapshot to export.",
        }),
      ],
      bytes: 0,
    };
  const work = await mkdtemp(join(repo.tmp, `export-${snapshot.id}-`));
  const partial = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString("hex")}.partial`);
  try {
    const tree = join(work, "store");
    await mkdir(tree);
    const ref = {
      scheme: "snapshot" as const,
      location: repo.root,
      text: `snapshot ${snapshot.id}`,
    };
    const written = await writeSnapshotTree(repo, snapshot, ref, tree);
    if (hasErrors(written.findings)) return { findings: written.findings, bytes: 0 };
    // The snapshot's record of every byte goes first, so a drill of the archive checks them
    // too (docs/live-data.md); a tar that does not know it extracts it as a small JSON file.
    await writeFile(join(tree, RECORD_MEMBER), formatJSON(snapshot), { mode: 0o644, flag: "wx" });
    const names = [
      RECORD_MEMBER,
      ...snapshot.entries.filter((e) => !e.path.includes("/")).map((e) => e.path),
    ];
    // portable: no uid, gid, user or group names; the entries are the store root's own paths.
    const tarStream = createTar(
      { gzip: true, cwd: tree, portable: true },
      names,
    ) as unknown as Readable;
    const body = recipients.length > 0 ? encryptToRecipients(tarStream, recipients) : tarStream;
    const file = createWriteStream(partial, { flags: "wx", mode: 0o600 });
    await pipeline(body, file);
    const bytes = file.bytesWritten;
    const handle = await open(partial, "r");
    await handle.sync().finally(() => handle.close());
    await rename(partial, out);
    await syncDirectory(dirname(out));
    return { findings: [], bytes };
  } finally {
    await rm(partial, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}
