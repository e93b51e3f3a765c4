// What a backup holds of the release (pure): each durable artifact of the manifest, present
// with the bytes the release sealed, or with the same SQLite content when the manifest says
// the content digest is the artifact's identity (it survives VACUUM and the backup API), or
// simply present where the release pins no more than a backup's record can tell.
import type { Artifact, Manifest, SnapshotEntry } from "../documents/types.js";
import { digestsEqual, type DigestSet } from "../identity/digest.js";
import { levelOf } from "./identity-levels.js";

/** One entry of a backup, as far as the release's identity needs it. */
export type HeldEntry =
  | { readonly type: "dir" }
  | { readonly type: "file"; readonly digest: DigestSet; readonly contentDigest: DigestSet | null }
  | { readonly type: "other" }
  /** Listed by the backup, but its stored bytes are gone (a snapshot blob deleted by hand). */
  | { readonly type: "lost" };

export type Shortfall = {
  readonly path: string;
  readonly why: "absent" | "other kind" | "other bytes" | "other content" | "bytes lost";
};

export function durableArtifacts(manifest: Manifest): Artifact[] {
  return manifest.artifacts.filter((a) => a.role === "durable");
}

function shortfallOf(artifact: Artifact, held: HeldEntry | undefined): Shortfall | null {
  const path = artifact.path;
  if (held === undefined) return { path, why: "absent" };
  if (held.type === "lost") return { path, why: "bytes lost" };
  if (artifact.kind === "dir") return held.type === "dir" ? null : { path, why: "other kind" };
  if (held.type !== "file") return { path, why: "other kind" };
  // Live data (docs/live-data.md): a backup's record cannot tell a shape or a dump's content
  // without restoring it; that it holds the file is what it can say. A drill says the rest.
  const level = levelOf(artifact);
  if (level === "schema" || level === "present" || (level === "content" && !artifact.sqlite))
    return null;
  if (artifact.sqlite?.identity === "content") {
    const same =
      held.contentDigest !== null &&
      digestsEqual(artifact.sqlite.contentDigest, held.contentDigest);
    // Byte-identical files hold the same content too, whatever the backup recorded.
    return same || digestsEqual(artifact.digest, held.digest)
      ? null
      : { path, why: "other content" };
  }
  return digestsEqual(artifact.digest, held.digest) ? null : { path, why: "other bytes" };
}

/** The durable artifacts a backup does not hold as the release sealed them. */
export function missingDurable(
  manifest: Manifest,
  held: ReadonlyMap<string, HeldEntry>,
): Shortfall[] {
  return durableArtifacts(manifest)
    .map((artifact) => shortfallOf(artifact, held.get(artifact.path)))
    .filter((s): s is Shortfall => s !== null);
}

/** A snapshot's entries as held entries: the digests its metadata recorded when it was taken. */
export function heldBySnapshot(snapshot: {
  readonly entries: readonly SnapshotEntry[];
}): Map<string, HeldEntry> {
  return new Map(
    snapshot.entries.map((entry): [string, HeldEntry] => [
      entry.path,
      entry.type === "dir"
        ? { type: "dir" }
        : {
            type: "file",
            digest: entry.digest,
            contentDigest: entry.sqlite?.contentDigest ?? null,
          },
    ]),
  );
}
