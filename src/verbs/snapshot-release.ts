// The release a snapshot holds, as a verb's result names it.
import type { SnapshotMetadata } from "../documents/types.js";
import { NO_RELEASE, type Release } from "./result.js";

export function releaseOf(snapshot: SnapshotMetadata | null): Release {
  return snapshot?.release
    ? { releaseId: snapshot.release.id, releaseIdentity: snapshot.release.identity }
    : NO_RELEASE;
}
