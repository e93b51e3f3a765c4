// snapshot:<repo dir>#<id|latest|label> — a snapshot made by `recoverable snapshot`. `latest` is
// the newest snapshot that validated when it was made; a label, the newest valid one carrying it
// (src/snapshots/find-snapshot.ts); the backup time is the snapshot's time.
import { failed, firstFinding, ok, type Checked } from "../findings/checked.js";
import { writeSnapshotTree } from "../snapshots/materialize.js";
import { findSnapshot, isValid, type SnapshotChoice } from "../snapshots/find-snapshot.js";
import { listSnapshots, openRepository, type Repository } from "../snapshots/repository.js";
import {
  sourceUnreadable,
  type ExtractOutcome,
  type RestoreSource,
  type SourceRef,
} from "../archive/source.js";

type Found = Checked<SnapshotChoice & { readonly repo: Repository }>;

async function locate(ref: SourceRef): Promise<Found> {
  const hash = ref.location.lastIndexOf("#");
  const opened = await openRepository(ref.location.slice(0, hash));
  if (!opened.ok)
    return failed(
      sourceUnreadable(ref, `names no usable repository: ${firstFinding(opened).message}`),
    );
  const repo = opened.value;
  const { snapshots } = await listSnapshots(repo);
  const found = findSnapshot(snapshots, ref.location.slice(hash + 1), (reason) =>
    sourceUnreadable(ref, reason),
  );
  if (!found.ok) return found;
  const { snapshot } = found.value;
  if (!isValid(snapshot))
    return failed(
      sourceUnreadable(
        ref,
        `snapshot ${snapshot.id} failed validation when it was made and is not restored (see \`recoverable snapshots validate ${snapshot.id}\`)`,
      ),
    );
  return ok({ ...found.value, repo });
}

export function createSnapshotSource(ref: SourceRef): RestoreSource {
  let located: Promise<Found> | null = null;
  const find = () => (located ??= locate(ref));
  return {
    ref,
    async resolved() {
      const found = await find();
      return found.ok ? found.value.resolved : null;
    },
    async backupTime() {
      const found = await find();
      return found.ok ? new Date(found.value.snapshot.time) : null;
    },
    async opens() {
      const found = await find();
      return found.ok ? null : firstFinding(found);
    },
    async extract(scratch): Promise<ExtractOutcome> {
      const found = await find();
      if (!found.ok) return { findings: [...found.findings], files: 0, bytes: 0 };
      return writeSnapshotTree(found.value.repo, found.value.snapshot, ref, scratch);
    },
  };
}
