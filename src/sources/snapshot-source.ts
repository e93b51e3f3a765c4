// snapshot:<repo dir>#<id|latest> — a snapshot made by `recoverable snapshot`. `latest` is the
// newest snapshot that validated when it was made; the backup time is the snapshot's time.
import type { SnapshotMetadata } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { writeSnapshotTree } from "../snapshots/materialize.js";
import {
  findSnapshot,
  isValid,
  listSnapshots,
  openRepository,
  type Repository,
} from "../snapshots/repository.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";

type Found = { repo: Repository; snapshot: SnapshotMetadata } | ClassifiedFinding;

async function locate(ref: SourceRef): Promise<Found> {
  const hash = ref.location.lastIndexOf("#");
  const repoRoot = ref.location.slice(0, hash);
  const wanted = ref.location.slice(hash + 1);
  const repo = await openRepository(repoRoot);
  if ("code" in repo) return sourceUnreadable(ref, `names no usable repository: ${repo.message}`);
  const { snapshots } = await listSnapshots(repo);
  const found = findSnapshot(snapshots, wanted);
  if (typeof found === "string") return sourceUnreadable(ref, found);
  if (!isValid(found))
    return sourceUnreadable(
      ref,
      `snapshot ${found.id} failed validation when it was made and is not restored (see \`recoverable snapshots validate ${found.id}\`)`,
    );
  return { repo, snapshot: found };
}

export function createSnapshotSource(ref: SourceRef): RestoreSource {
  let located: Promise<Found> | null = null;
  const find = () => (located ??= locate(ref));
  return {
    ref,
    async resolved() {
      const found = await find();
      return "code" in found ? null : `snapshot ${found.snapshot.id}`;
    },
    async backupTime() {
      const found = await find();
      return "code" in found ? null : new Date(found.snapshot.time);
    },
    async opens() {
      const found = await find();
      return "code" in found ? found : null;
    },
    async extract(scratch): Promise<ExtractOutcome> {
      const found = await find();
      if ("code" in found) return { findings: [found], files: 0, bytes: 0 };
      return writeSnapshotTree(found.repo, found.snapshot, ref, scratch);
    },
  };
}
